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
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as ClaudeCodeLanguageModel from "../src/ClaudeCodeLanguageModel.js"
import * as ClaudeCodeTool from "../src/ClaudeCodeTool.js"
import * as ClaudeTurn from "../src/ClaudeTurn.js"
import * as Api from "../src/ScriptedMessagesApi.js"
import { realOptions } from "./sessionsCorpus.js"
import { claudeChildren, platform, recordingTracer, tempDir } from "./utils.js"

const modelOn = (api: Api.Service) =>
  ClaudeCodeLanguageModel.layer({ session: realOptions(api, { cwd: tempDir() }) }).pipe(Layer.provide(platform))

describe("ClaudeCodeLanguageModel with the real CLI", { timeout: 90_000 }, () => {
  it.scopedLive("generateText: the answer's text, finish reason and usage", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.turn("capital of France", Api.text("Paris."))])
      const { spans, tracer } = recordingTracer()
      const response = yield* LanguageModel.generateText({ prompt: "What is the capital of France?" }).pipe(
        Effect.provide(modelOn(api)),
        Effect.withTracer(tracer)
      )
      assert.strictEqual(response.text, "Paris.")
      assert.strictEqual(response.finishReason, "stop")
      assert.isAbove(response.usage.inputTokens ?? 0, 0)
      assert.isAbove(response.usage.outputTokens ?? 0, 0)
      // the GenAI attributes on @effect/ai's span
      const span = spans.find((candidate) => candidate.name === "LanguageModel.generateText")!
      assert.strictEqual(span.attributes.get("gen_ai.system"), "anthropic")
      assert.strictEqual(span.attributes.get("gen_ai.operation.name"), "chat")
      assert.deepStrictEqual(span.attributes.get("gen_ai.response.finish_reasons"), ["stop"])
      assert.strictEqual(span.attributes.get("gen_ai.usage.output_tokens"), response.usage.outputTokens)
      assert.isString(span.attributes.get("gen_ai.response.id"))
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

  it.scopedLive("a Toolkit tool the model calls runs the app's handler; the next model request carries its result", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.turn("weather", Api.toolCall("mcp__app__GetWeather", { city: "Paris" })),
        Api.turn({ toolResult: true }, Api.text("It is sunny in Paris."))
      ])
      const GetWeather = Tool.make("GetWeather", {
        description: "The weather in a city",
        parameters: { city: Schema.String },
        success: Schema.Struct({ city: Schema.String, sky: Schema.String })
      })
      const toolkit = Toolkit.make(GetWeather)
      const seen: Array<string> = []
      const response = yield* LanguageModel.generateText({ prompt: "What is the weather in Paris?", toolkit }).pipe(
        Effect.provide(toolkit.toLayer({ GetWeather: ({ city }) => Effect.sync(() => (seen.push(city), { city, sky: "sunny" })) })),
        Effect.provide(modelOn(api))
      )
      assert.deepStrictEqual(seen, ["Paris"], "the handler ran once, for the CLI's call")
      assert.strictEqual(response.text, "It is sunny in Paris.")
      const [call] = response.toolCalls
      assert.strictEqual(call!.name, "GetWeather")
      assert.deepStrictEqual(call!.params, { city: "Paris" })
      const [result] = response.toolResults
      assert.strictEqual(result!.name, "GetWeather")
      assert.deepStrictEqual(result!.result, { city: "Paris", sky: "sunny" })
      assert.isTrue(result!.providerExecuted)
      const requests = (yield* api.messageRequests).filter((request) => !Api.isSideRequest(request))
      assert.include(JSON.stringify(requests.at(-1)!.raw), "sunny")
    }))

  it.scopedLive("the CLI's own Bash call comes back as a provider-executed tool call and result (ClaudeCodeTool.Bash)", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.turn("run echo", Api.toolCall("Bash", { command: "echo from-the-cli", description: "echo" })),
        Api.turn({ toolResult: true }, Api.text("It printed from-the-cli."))
      ])
      const toolkit = Toolkit.make(ClaudeCodeTool.Bash)
      const response = yield* LanguageModel.generateText({ prompt: "please run echo", toolkit }).pipe(
        Effect.provide(toolkit.toLayer({})),
        Effect.provide(modelOn(api))
      )
      const [call] = response.toolCalls
      assert.strictEqual(call!.name, "ClaudeCodeBash")
      assert.strictEqual(call!.providerName, "Bash")
      assert.isTrue(call!.providerExecuted)
      assert.strictEqual((call!.params as { command: string }).command, "echo from-the-cli")
      const [result] = response.toolResults
      assert.include(JSON.stringify(result!.result), "from-the-cli")
      assert.isFalse(result!.isFailure)
      assert.strictEqual(response.text, "It printed from-the-cli.")
    }))

  it.scopedLive("generateObject uses the CLI's structured output and decodes the value", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.toolCall("StructuredOutput", { city: "Lyon", population: 522250 })])
      const City = Schema.Struct({ city: Schema.String, population: Schema.Number })
      const response = yield* LanguageModel.generateObject({ prompt: "second city of France?", schema: City }).pipe(
        Effect.provide(modelOn(api))
      )
      assert.deepStrictEqual(response.value, { city: "Lyon", population: 522250 })
      const [request] = (yield* api.messageRequests).filter((r) => !Api.isSideRequest(r))
      assert.isDefined(request!.tools.find((tool) => tool.name === "StructuredOutput"), "the CLI was given the schema")
    }))

  it.effect("what the CLI cannot enforce is a typed error, not ignored: toolChoice required or a given tool", () =>
    Effect.gen(function*() {
      const model = ClaudeCodeLanguageModel.layer({ session: { executable: "/nonexistent/claude" } }).pipe(Layer.provide(platform))
      const Echo = Tool.make("Echo", { parameters: { text: Schema.String }, success: Schema.String })
      const toolkit = Toolkit.make(Echo)
      for (const toolChoice of ["required", { tool: "Echo" }] as const) {
        const error = yield* Effect.flip(
          LanguageModel.generateText({ prompt: "hi", toolkit, toolChoice }).pipe(
            Effect.provide(toolkit.toLayer({ Echo: ({ text }) => Effect.succeed(text) })),
            Effect.provide(model)
          )
        )
        assert.strictEqual(error._tag, "MalformedInput")
      }
    }))

  it.live("examples/ai.ts (npm run example:ai) runs offline and prints each step", () =>
    Effect.promise(() =>
      new Promise<string>((resolve, reject) => {
        const env = { ...process.env }
        delete env.ANTHROPIC_API_KEY
        execFile(
          process.execPath,
          ["--conditions=effect-claude-session-source", "--import", "tsx", "examples/ai.ts"],
          { cwd: fileURLToPath(new URL("..", import.meta.url)), env, timeout: 60_000 },
          (error, stdout) => (error === null ? resolve(stdout) : reject(error))
        )
      })
    ).pipe(Effect.map((stdout) => {
      assert.include(stdout, "embedded scripted model")
      assert.include(stdout, "< Nice to meet you, Ada.")
      assert.include(stdout, "⚙ GetWeather {\"city\":\"Paris\"}")
      assert.include(stdout, "⚙ ClaudeCodeBash (run by the CLI)")
      assert.include(stdout, "The shell said: hello from the shell.")
      assert.include(stdout, "{\"city\":\"Paris\",\"population\":2102650}")
    })))
})
