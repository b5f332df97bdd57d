/**
 * ClaudeCodeLanguageModel (`effect-claude-session/ai`): @effect/ai's LanguageModel and Chat on
 * the real claude CLI (2.1.330), offline against the scripted Messages API.
 */
import * as Chat from "@effect/ai/Chat"
import type * as AiError from "@effect/ai/AiError"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Tool from "@effect/ai/Tool"
import * as Toolkit from "@effect/ai/Toolkit"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as ClaudeCodeLanguageModel from "../src/ClaudeCodeLanguageModel.js"
import * as ClaudeTurn from "../src/ClaudeTurn.js"
import * as Api from "../src/ScriptedMessagesApi.js"
import { realOptions } from "./sessionsCorpus.js"
import { claudeChildren, platform, tempDir } from "./utils.js"

const modelOn = (api: Api.Service) =>
  ClaudeCodeLanguageModel.layer({ session: realOptions(api, { cwd: tempDir() }) }).pipe(Layer.provide(platform))

describe("ClaudeCodeLanguageModel with the real CLI", { timeout: 90_000 }, () => {
  it.scopedLive("generateText: the answer's text, finish reason and usage", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.turn("capital of France", Api.text("Paris."))])
      const response = yield* LanguageModel.generateText({ prompt: "What is the capital of France?" }).pipe(
        Effect.provide(modelOn(api))
      )
      assert.strictEqual(response.text, "Paris.")
      assert.strictEqual(response.finishReason, "stop")
      assert.isAbove(response.usage.inputTokens ?? 0, 0)
      assert.isAbove(response.usage.outputTokens ?? 0, 0)
    }))

  it.scopedLive("streamText: several text deltas arrive before the finish part", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.turn("count", Api.slow("one two three four five", 20))])
      const parts = Chunk.toArray(
        yield* LanguageModel.streamText({ prompt: "count to five" }).pipe(Stream.runCollect, Effect.provide(modelOn(api)))
      )
      const types = parts.map((part) => part.type)
      const deltas = parts.filter((part) => part.type === "text-delta")
      assert.isAtLeast(deltas.length, 3)
      assert.strictEqual(deltas.map((part) => part.delta).join(""), "one two three four five")
      assert.isBelow(types.indexOf("text-delta"), types.indexOf("finish"))
      assert.strictEqual(types.at(-1), "finish")
      assert.deepStrictEqual(types.filter((type) => type === "text-start" || type === "text-end"), ["text-start", "text-end"])
    }))

  it.scopedLive("a Chat of three exchanges runs in one CLI session; another history starts a fresh one", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.turn("my name is Ada", Api.text("Hello Ada.")),
        Api.turn("what is my name", Api.text("Your name is Ada.")),
        Api.turn("spell it", Api.text("A-D-A.")),
        Api.turn("unrelated", Api.text("A fresh start."))
      ])
      const layer = modelOn(api)
      const before = (yield* api.messageRequests).length
      const chatPids = new Set<number>()
      const freshPids = new Set<number>()
      const [answers, fresh] = yield* Effect.gen(function*() {
        const chat = yield* Chat.empty
        const answers: Array<string> = []
        for (const prompt of ["my name is Ada", "what is my name?", "spell it"]) {
          answers.push((yield* chat.generateText({ prompt })).text)
          for (const pid of claudeChildren()) chatPids.add(pid)
        }
        // a prompt that does not extend the conversation: a fresh session, the history replayed
        const fresh = yield* LanguageModel.generateText({
          prompt: [{ role: "user", content: "hello" }, { role: "assistant", content: "hi" }, { role: "user", content: "unrelated" }]
        })
        for (const pid of claudeChildren()) freshPids.add(pid)
        return [answers, fresh.text] as const
      }).pipe(Effect.provide(layer))
      assert.deepStrictEqual(answers, ["Hello Ada.", "Your name is Ada.", "A-D-A."])
      assert.strictEqual(chatPids.size, 1, "three exchanges, one claude process")
      assert.strictEqual(freshPids.size, 1, "the old session ended when the fresh one started")
      assert.isFalse(chatPids.has([...freshPids][0]!), "a fresh process for the other history")
      assert.strictEqual(fresh, "A fresh start.")
      const requests = (yield* api.messageRequests).slice(before).filter((request) => !Api.isSideRequest(request))
      const raw = requests.map((request) => JSON.stringify(request.raw))
      // the third exchange's request carries the first two (one CLI conversation)
      assert.isTrue(raw.some((text) => text.includes("spell it") && text.includes("my name is Ada") && text.includes("Your name is Ada.")))
      // the first message of each CLI session: the Chat's first prompt, then the replay of the other history
      const opening = raw.filter((text) => !text.includes("Hello Ada.") || text.includes("conversation_so_far"))
      assert.isTrue(opening.some((text) => text.includes("conversation_so_far") && text.includes("unrelated")))
      assert.isFalse(raw.some((text) => text.includes("unrelated") && text.includes("my name is Ada")), "the fresh session holds only its own history")
    }))

  it.scopedLive("a failed turn is an AiError whose cause is the TurnError: a 529 stays retryable, and the retry answers", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.error(529), Api.text("recovered")])
      const attempts: Array<unknown> = []
      const response = yield* LanguageModel.generateText({ prompt: "are you there?" }).pipe(
        Effect.tapError((error) => Effect.sync(() => attempts.push(error))),
        Effect.retry({ while: (error) => ClaudeTurn.isRetryable(error.cause), times: 2 }),
        Effect.provide(modelOn(api))
      )
      assert.strictEqual(response.text, "recovered")
      assert.strictEqual(attempts.length, 1)
      const failure = attempts[0] as AiError.UnknownError
      assert.strictEqual(failure._tag, "UnknownError")
      assert.strictEqual((failure.cause as { _tag?: string })._tag, "ApiError")
    }))

  it.effect("what it cannot do yet is a typed error, not ignored: a toolkit, generateObject", () =>
    Effect.gen(function*() {
      const model = ClaudeCodeLanguageModel.layer({ session: { executable: "/nonexistent/claude" } }).pipe(Layer.provide(platform))
      const Echo = Tool.make("Echo", { parameters: { text: Schema.String }, success: Schema.String })
      const toolkit = Toolkit.make(Echo)
      const withTools = yield* Effect.flip(
        LanguageModel.generateText({ prompt: "hi", toolkit }).pipe(
          Effect.provide(toolkit.toLayer({ Echo: ({ text }) => Effect.succeed(text) })),
          Effect.provide(model)
        )
      )
      assert.strictEqual(withTools._tag, "MalformedInput")
      const object = yield* Effect.flip(
        LanguageModel.generateObject({ prompt: "hi", schema: Schema.Struct({ a: Schema.Number }) }).pipe(Effect.provide(model))
      )
      assert.strictEqual(object._tag, "MalformedInput")
    }))
})
