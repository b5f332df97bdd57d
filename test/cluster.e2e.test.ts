/**
 * ClaudeSessionEntity (`effect-claude-session/cluster`) with the real claude CLI (2.1.330),
 * offline: the protocol on the in-process test client, then two runner processes sharing a
 * SQLite database, one of them killed mid-conversation.
 */
import * as Entity from "@effect/cluster/Entity"
import * as ShardingConfig from "@effect/cluster/ShardingConfig"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeSessionEntity from "../src/ClaudeSessionEntity.js"
import * as Api from "../src/ScriptedMessagesApi.js"
import * as TranscriptStore from "../src/TranscriptStore.js"
import { realOptions } from "./sessionsCorpus.js"
import { claudeChildren, platform, tempDir } from "./utils.js"

const resultText = (events: ReadonlyArray<ClaudeEvent.ClaudeEvent>) => {
  const result = events.findLast(ClaudeEvent.isResult)
  return result?.result
}

describe("ClaudeSessionEntity with the real CLI", { timeout: 120_000 }, () => {
  it.scopedLive("Turn streams the turn's events; turns of one entity share one process; End then Turn resumes the stored conversation", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.turn("remember the word papaya", Api.text("I will remember PAPAYA.")),
        Api.turn("which word", Api.text("The word was papaya.")),
        Api.turn("after the end", Api.text("Still papaya."))
      ])
      const store = yield* TranscriptStore.makeMemory
      const makeClient = yield* Entity.makeTestClient(
        ClaudeSessionEntity.ClaudeSessionEntity,
        ClaudeSessionEntity.layer({ session: realOptions(api, { cwd: tempDir() }) }).pipe(
          Layer.provide(Layer.succeed(TranscriptStore.TranscriptStore, store)),
          Layer.provide(platform)
        )
      )
      const client = yield* makeClient("abc")
      const first = Chunk.toArray(yield* client.Turn({ prompt: "remember the word papaya" }).pipe(Stream.runCollect))
      assert.strictEqual(resultText(first), "I will remember PAPAYA.")
      assert.isTrue(first.some((event) => event instanceof ClaudeEvent.SystemInit || event.type === "system"))
      const pids = new Set(claudeChildren())
      const second = Chunk.toArray(yield* client.Turn({ prompt: "which word did I give?" }).pipe(Stream.runCollect))
      assert.strictEqual(resultText(second), "The word was papaya.")
      for (const pid of claudeChildren()) assert.isTrue(pids.has(pid), "the second turn ran on the same process")

      // the turns are stored under the entity's session id
      const sessionId = ClaudeSessionEntity.sessionIdOf("ClaudeSession", "abc")
      assert.isTrue(Option.isSome(yield* store.locate(sessionId)))

      yield* client.SetModel({ model: "claude-opus-4-1" })
      yield* client.End()
      assert.strictEqual(claudeChildren().length, 0, "End ends the CLI process")
      const before = (yield* api.messageRequests).length
      const third = Chunk.toArray(yield* client.Turn({ prompt: "after the end, the word?" }).pipe(Stream.runCollect))
      assert.strictEqual(resultText(third), "Still papaya.")
      const resumed = (yield* api.messageRequests).slice(before).map((request) => JSON.stringify(request.raw))
      assert.isTrue(resumed.some((raw) => raw.includes("after the end") && raw.includes("remember the word papaya")), "resumed with the conversation")
    }).pipe(Effect.provide(ShardingConfig.layer())))
})
