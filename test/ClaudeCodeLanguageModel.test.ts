/**
 * The conversation rule of ClaudeCodeLanguageModel: when a prompt continues the CLI session, and
 * what a fresh session is first told.
 */
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Prompt from "@effect/ai/Prompt"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ClaudeCodeLanguageModel from "../src/ClaudeCodeLanguageModel.js"
import { continuation, replay } from "../src/ClaudeCodeLanguageModel.js"
import { platform } from "./utils.js"

const request = (messages: Prompt.RawInput) => {
  const prompt = Prompt.make(messages)
  const system = prompt.content.filter((m) => m.role === "system").map((m) => m.content).join("\n\n")
  const history = prompt.content.filter((m) => m.role !== "system")
  return { system: system === "" ? undefined : system, setup: "", history, keys: history.map((m) => JSON.stringify(m.content) + m.role) }
}

describe("ClaudeCodeLanguageModel's conversation rule", () => {
  const first = request([{ role: "user", content: "hi" }])
  const held = { system: first.system, setup: "", keys: first.keys }

  it("the previous messages, the model's answer, then a user message: only the new message is sent", () => {
    const next = request([{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }, { role: "user", content: "more" }])
    assert.strictEqual(continuation(held, next), "more")
  })

  it("anything else starts afresh: an edited history, a new system prompt, no new user message, no session", () => {
    assert.isUndefined(continuation(held, request([{ role: "user", content: "bye" }, { role: "assistant", content: "x" }, { role: "user", content: "more" }])))
    assert.isUndefined(continuation(held, request([{ role: "system", content: "be brief" }, { role: "user", content: "hi" }, { role: "assistant", content: "x" }, { role: "user", content: "more" }])))
    assert.isUndefined(continuation(held, request([{ role: "user", content: "hi" }, { role: "assistant", content: "x" }])))
    assert.isUndefined(continuation(held, request([{ role: "user", content: "hi" }, { role: "user", content: "two users in a row" }])))
    assert.isUndefined(continuation(held, first), "the same prompt again")
    assert.isUndefined(continuation(undefined, first))
    const next = request([{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }, { role: "user", content: "more" }])
    assert.isUndefined(continuation(held, { ...next, setup: "other tools" }), "other tools or output schema")
  })

  it("a fresh session's first message: the earlier messages as a transcript, then the last user message", () => {
    assert.strictEqual(replay(request([{ role: "user", content: "only" }]).history), "only")
    const text = replay(request([{ role: "user", content: "hello" }, { role: "assistant", content: "hi" }, { role: "user", content: "again" }]).history)
    assert.strictEqual(text, "<conversation_so_far>\n<user>\nhello\n</user>\n<assistant>\nhi\n</assistant>\n</conversation_so_far>\n\nagain")
  })

  it.effect("layerConfig reads the session's options from the environment (a missing executable: a SpawnError cause)", () =>
    Effect.gen(function*() {
      const env = ConfigProvider.fromMap(new Map([["CLAUDE_EXECUTABLE", "/nonexistent/claude-for-config"]]))
      const error = yield* Effect.flip(
        LanguageModel.generateText({ prompt: "hi" }).pipe(
          Effect.provide(ClaudeCodeLanguageModel.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(env)))),
          Effect.provide(platform)
        )
      )
      assert.strictEqual(error._tag, "UnknownError")
      assert.strictEqual(error._tag === "UnknownError" && (error.cause as { _tag?: string })._tag, "SpawnError")
      assert.include(error._tag === "UnknownError" ? error.message : "", "claude-for-config")
    }))
})
