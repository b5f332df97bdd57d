/**
 * The transcript mirror (`--session-mirror`) with the real claude CLI (2.1.330), offline.
 */
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import fs from "node:fs"
import path from "node:path"
import { TranscriptStoreError } from "../src/ClaudeError.js"
import * as ClaudeSession from "../src/ClaudeSession.js"
import * as ClaudeSessions from "../src/ClaudeSessions.js"
import * as Api from "../src/ScriptedMessagesApi.js"
import * as SqlTranscriptStore from "../src/SqlTranscriptStore.js"
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

  it.scopedLive("saved to SQLite, its files removed, restored and resumed from another cwd: the model sees the earlier conversation", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.turn("remember the word papaya", Api.text("I will remember PAPAYA.")),
        Api.turn("which word", Api.text("The word was papaya."))
      ])
      const database = path.join(tempDir("ecs-sql-e2e-"), "transcripts.db")
      // each machine opens the database with its own client
      const storeOnAMachine = Effect.flatMap(
        Layer.build(SqliteClient.layer({ filename: database })),
        (context) => Effect.provide(SqlTranscriptStore.make(), context)
      )
      const firstCwd = fs.realpathSync(tempDir())
      const sessionId = yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* storeOnAMachine
        const session = yield* ClaudeSession.make(realOptions(api, { cwd: firstCwd, transcriptStore: store }))
        return (yield* session.turn("remember the word papaya")).result.session_id
      }))
      // the machine is gone: no transcript is left on disk
      const projects = path.join(api.env.HOME!, ".claude", "projects")
      fs.rmSync(projects, { recursive: true, force: true })
      const sessions = yield* ClaudeSessions.make({ configDir: path.join(api.env.HOME!, ".claude") })
      assert.strictEqual((yield* Effect.flip(sessions.file(sessionId)))._tag, "SessionNotFound")

      const secondCwd = fs.realpathSync(tempDir())
      const store = yield* storeOnAMachine
      const before = (yield* api.messageRequests).length
      const resumed = yield* ClaudeSession.make(realOptions(api, { cwd: secondCwd, resume: sessionId, transcriptStore: store }))
      assert.strictEqual((yield* resumed.turn("which word did I give?")).text, "The word was papaya.")
      const requests = (yield* api.messageRequests).slice(before).map((request) => JSON.stringify(request.raw))
      assert.isTrue(
        requests.some((raw) => raw.includes("which word did I give?") && raw.includes("remember the word papaya") && raw.includes("I will remember PAPAYA.")),
        "the resumed turn's request carries the earlier conversation"
      )
      // restored where the CLI finds it, and read as any stored session
      const restored = yield* sessions.info(sessionId)
      assert.strictEqual(restored.firstPrompt, "remember the word papaya")
      // the resumed turn is mirrored too
      yield* resumed.flushTranscript
      const projectKey = Option.getOrThrow(yield* store.locate(sessionId))
      const stored = Chunk.toArray(yield* Stream.runCollect(store.load({ projectKey, sessionId })))
      assert.isTrue(stored.some((entry) => JSON.stringify(entry).includes("The word was papaya.")))
    }).pipe(Effect.provide(platform)))
})
