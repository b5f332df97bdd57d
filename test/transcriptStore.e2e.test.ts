/**
 * The transcript mirror (`--session-mirror`) with the real claude CLI (2.1.330), offline.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import fs from "node:fs"
import path from "node:path"
import { TranscriptStoreError } from "../src/ClaudeError.js"
import * as ClaudeSession from "../src/ClaudeSession.js"
import * as Api from "../src/ScriptedMessagesApi.js"
import * as TranscriptStore from "../src/TranscriptStore.js"
import { realOptions } from "./sessionsCorpus.js"
import { platform, tempDir } from "./utils.js"

const fileLines = (file: string) =>
  fs.readFileSync(file, "utf8").split("\n").filter((line) => line.length > 0).map((line) => JSON.parse(line) as Record<string, unknown>)

const transcriptOf = (api: Api.Service, cwd: string, sessionId: string) =>
  path.join(api.env.HOME!, ".claude", "projects", cwd.replace(/[^a-zA-Z0-9]/g, "-"), `${sessionId}.jsonl`)

describe("TranscriptStore fed by the real CLI", { timeout: 90_000 }, () => {
  it.scopedLive("every conversation entry the CLI writes reaches the store, in order, by the end of the session", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.turn("run echo", Api.toolCall("Bash", { command: "echo mirrored", description: "echo" })),
        Api.turn({ toolResult: true }, Api.text("It printed mirrored.")),
        Api.turn("second", Api.text("Second answer."))
      ])
      const store = yield* TranscriptStore.makeMemory
      const cwd = fs.realpathSync(tempDir())
      const sessionId = yield* Effect.scoped(Effect.gen(function*() {
        const session = yield* ClaudeSession.make(realOptions(api, { cwd, transcriptStore: store }))
        yield* session.turn("please run echo")
        const id = (yield* session.turn("second")).result.session_id
        // after the turn: what the CLI wrote so far is stored
        yield* session.flushTranscript
        const projectKey = cwd.replace(/[^a-zA-Z0-9]/g, "-")
        const stored = yield* Stream.runCollect(store.load({ projectKey, sessionId: id }))
        assert.isTrue(Chunk.some(stored, (entry) => JSON.stringify(entry).includes("Second answer.")))
        return id
      }))
      const projectKey = Option.getOrThrow(yield* store.locate(sessionId))
      const stored = Chunk.toArray(yield* Stream.runCollect(store.load({ projectKey, sessionId })))
      const local = fileLines(transcriptOf(api, cwd, sessionId))
      // the store holds every entry of the file but the request bookkeeping the CLI never mirrors
      const expected = local.filter((entry) => !String(entry.type).startsWith("api-request"))
      assert.deepStrictEqual(stored, expected)
      assert.isTrue(stored.some((entry) => entry.type === "cost-state"), "the entries written after the result are stored at close")
    }).pipe(Effect.provide(platform)))

  it.scopedLive("a failing store is retried, then reported by flushTranscript; the session goes on", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.turn("one", Api.text("First.")), Api.turn("two", Api.text("Second."))])
      const memory = yield* TranscriptStore.makeMemory
      let calls = 0
      let down = true
      const flaky: TranscriptStore.Service = {
        ...memory,
        append: (key, entries) =>
          Effect.suspend(() => {
            calls++
            return down ? Effect.fail(new TranscriptStoreError({ operation: "append", description: "database is down" })) : memory.append(key, entries)
          })
      }
      const session = yield* ClaudeSession.make(realOptions(api, { cwd: tempDir(), transcriptStore: flaky }))
      assert.strictEqual((yield* session.turn("one")).text, "First.")
      const error = yield* Effect.flip(session.flushTranscript)
      assert.strictEqual(error._tag, "TranscriptStoreError")
      assert.include(error.message, "database is down")
      assert.isAtLeast(calls, 3, "each batch is tried three times")
      assert.strictEqual(calls % 3, 0)
      // reported once; the store comes back and the next turn's entries are stored
      down = false
      const second = yield* session.turn("two")
      assert.strictEqual(second.text, "Second.")
      yield* session.flushTranscript
      const projectKey = Option.getOrThrow(yield* memory.locate(second.result.session_id))
      const stored = Chunk.toArray(yield* Stream.runCollect(memory.load({ projectKey, sessionId: second.result.session_id })))
      assert.isTrue(stored.some((entry) => JSON.stringify(entry).includes("Second.")))
    }).pipe(Effect.provide(platform)))
})
