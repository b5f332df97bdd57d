/**
 * SqlTranscriptStore on a real SQLite file (better-sqlite3 through @effect/sql-sqlite-node): the
 * TranscriptStore contract (also run on the memory and file-system stores), then what is
 * particular to SQL: persistence across store instances, the tables, errors, driver options.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { assert, describe, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Str from "effect/String"
import * as TestClock from "effect/TestClock"
import path from "node:path"
import * as SqlTranscriptStore from "../src/SqlTranscriptStore.js"
import * as TranscriptStore from "../src/TranscriptStore.js"
import { loadAll, message, summary, transcriptStoreContract } from "./transcriptStoreContract.js"
import { tempDir } from "./utils.js"

/** A new SQLite database file in a temp folder. */
const sqliteFile = () => path.join(tempDir("ecs-sql-"), "transcripts.db")

/** The SqlClient of a SQLite file, for the test's scope. */
const sqlite = (filename: string, options: Partial<SqliteClient.SqliteClientConfig> = {}) =>
  Layer.build(SqliteClient.layer({ ...options, filename }))

/** A store on a SQLite file, for the test's scope. */
const sqlStore = (filename: string, options?: SqlTranscriptStore.Options) =>
  Effect.flatMap(sqlite(filename), (context) => Effect.provide(SqlTranscriptStore.make(options), context))

transcriptStoreContract("memory", TranscriptStore.makeMemory)
transcriptStoreContract("file system", Effect.suspend(() => TranscriptStore.makeFileSystem({ directory: tempDir() })))
transcriptStoreContract("SQL (SQLite file)", Effect.suspend(() => sqlStore(sqliteFile())))

const key = { projectKey: "-p", sessionId: "s1" }

describe("SqlTranscriptStore (SQLite file)", () => {
  it.scoped("a second store on the same database sees what the first wrote (as another machine would)", () =>
    Effect.gen(function*() {
      const filename = sqliteFile()
      const one = yield* sqlStore(filename)
      yield* one.append(key, [message("u1", "a"), summary("t")])
      yield* one.append({ ...key, subpath: "subagents/agent-1" }, [message("x1", "sub")])
      const two = yield* sqlStore(filename)
      assert.deepStrictEqual(yield* loadAll(two, key), [message("u1", "a"), summary("t")])
      assert.deepStrictEqual(yield* two.locate("s1"), Option.some("-p"))
      assert.deepStrictEqual((yield* two.list("-p")).map((s) => s.sessionId), ["s1"])
      // the uuids the first one stored are known to the second
      yield* two.append(key, [message("u1", "a"), message("u2", "b")])
      assert.deepStrictEqual(yield* loadAll(one, key), [message("u1", "a"), summary("t"), message("u2", "b")])
      assert.isUndefined(two.localFolder)
    }))

  it.scoped("the tables and indexes it creates", () =>
    Effect.gen(function*() {
      const filename = sqliteFile()
      yield* sqlStore(filename)
      // make again on an existing schema: nothing to create, nothing fails
      yield* sqlStore(filename)
      const sql = yield* Effect.provide(SqlClient.SqlClient, yield* sqlite(filename))
      const objects = yield* sql<{ type: string; name: string }>`
        SELECT type, name FROM sqlite_master WHERE name LIKE 'claude_%' ORDER BY name`
      assert.deepStrictEqual(objects.map((o) => `${o.type} ${o.name}`), [
        "table claude_transcript_entries",
        "index claude_transcript_entries_order",
        "table claude_transcript_entries_transcripts",
        "index claude_transcript_entries_transcripts_session",
        "index claude_transcript_entries_uuid"
      ])
    }))

  it.scoped("tableName keeps two stores apart in one database", () =>
    Effect.gen(function*() {
      const filename = sqliteFile()
      const a = yield* sqlStore(filename, { tableName: "team_a" })
      const b = yield* sqlStore(filename, { tableName: "team_b" })
      yield* a.append(key, [message("u1", "a")])
      assert.deepStrictEqual(yield* loadAll(a, key), [message("u1", "a")])
      assert.deepStrictEqual(yield* loadAll(b, key), [])
      assert.deepStrictEqual(yield* b.locate("s1"), Option.none())
    }))

  it.scoped("rows hold the entry's JSON text, the uuid (NULL without one), '' as the main subpath", () =>
    Effect.gen(function*() {
      const filename = sqliteFile()
      const store = yield* sqlStore(filename)
      yield* store.append(key, [message("u1", "a"), summary("t")])
      yield* store.append({ ...key, subpath: "subagents/agent-1" }, [message("u1", "b")])
      const sql = yield* Effect.provide(SqlClient.SqlClient, yield* sqlite(filename))
      const rows = yield* sql<{ id: number; subpath: string; uuid: string | null; entry: string }>`
        SELECT id, subpath, uuid, entry FROM claude_transcript_entries ORDER BY id`
      assert.deepStrictEqual(rows.map((row) => [row.subpath, row.uuid, JSON.parse(row.entry)]), [
        ["", "u1", message("u1", "a")],
        ["", null, summary("t")],
        ["subagents/agent-1", "u1", message("u1", "b")]
      ])
    }))

  it.scoped("a stored row that is not a JSON object fails the load with a TranscriptStoreError", () =>
    Effect.gen(function*() {
      const filename = sqliteFile()
      const store = yield* sqlStore(filename)
      yield* store.append(key, [message("u1", "a")])
      const sql = yield* Effect.provide(SqlClient.SqlClient, yield* sqlite(filename))
      yield* sql`INSERT INTO claude_transcript_entries (project_key, session_id, subpath, uuid, entry, created_at)
        VALUES ('-p', 's1', '', NULL, '{not json', 0), ('-p', 's2', '', NULL, '[1,2]', 0)`
      const broken = yield* Effect.flip(loadAll(store, key))
      assert.strictEqual(broken._tag, "TranscriptStoreError")
      assert.strictEqual(broken.operation, "load")
      assert.strictEqual(broken.sessionId, "s1")
      assert.match(broken.description, /^row 2: /)
      const array = yield* Effect.flip(loadAll(store, { ...key, sessionId: "s2" }))
      assert.match(array.description, /not a JSON object/)
    }))

  it.scoped("a failing database gives TranscriptStoreErrors that keep the SqlError", () =>
    Effect.gen(function*() {
      const filename = sqliteFile()
      const store = yield* sqlStore(filename)
      const sql = yield* Effect.provide(SqlClient.SqlClient, yield* sqlite(filename))
      yield* sql`DROP TABLE claude_transcript_entries`
      yield* sql`DROP TABLE claude_transcript_entries_transcripts`
      const append = yield* Effect.flip(store.append(key, [message("u1", "a")]))
      assert.strictEqual(append.operation, "append")
      assert.strictEqual(append.sessionId, "s1")
      assert.match(append.message, /transcript store append of s1 failed: .*no such table/)
      assert.instanceOf(append.cause, SqlError)
      assert.strictEqual((yield* Effect.flip(loadAll(store, key))).operation, "load")
      assert.strictEqual((yield* Effect.flip(store.list("-p"))).operation, "list")
      assert.strictEqual((yield* Effect.flip(store.locate("s1"))).operation, "list")
      assert.strictEqual((yield* Effect.flip(store.delete(key))).operation, "delete")
    }))

  it.scoped("a batch is one transaction: a failure part-way stores nothing of it", () =>
    Effect.gen(function*() {
      const filename = sqliteFile()
      const store = yield* sqlStore(filename)
      const sql = yield* Effect.provide(SqlClient.SqlClient, yield* sqlite(filename))
      // the transcripts table goes: the entries of the batch are inserted, then its mtime fails
      yield* sql`DROP TABLE claude_transcript_entries_transcripts`
      const exit = yield* Effect.exit(store.append(key, [message("u1", "a"), message("u2", "b")]))
      assert.isTrue(Exit.isFailure(exit))
      assert.deepStrictEqual(yield* loadAll(store, key), [])
    }))

  it.scoped("a replayed batch does not move the session's mtime; a new entry does (TestClock)", () =>
    Effect.gen(function*() {
      const store = yield* sqlStore(sqliteFile())
      yield* TestClock.adjust("1 second")
      yield* store.append(key, [message("u1", "a")])
      yield* TestClock.adjust("1 second")
      yield* store.append(key, [message("u1", "a")])
      assert.deepStrictEqual(yield* store.list("-p"), [{ sessionId: "s1", mtime: 1000 }])
      yield* store.append(key, [summary("t")])
      assert.deepStrictEqual(yield* store.list("-p"), [{ sessionId: "s1", mtime: 2000 }])
      // an empty batch is no write
      yield* TestClock.adjust("1 second")
      yield* store.append(key, [])
      assert.deepStrictEqual(yield* store.list("-p"), [{ sessionId: "s1", mtime: 2000 }])
    }))

  it.scoped("works whatever the client's name transforms and integer mode", () =>
    Effect.gen(function*() {
      const filename = sqliteFile()
      const context = yield* sqlite(filename, {
        transformQueryNames: Str.camelToSnake,
        transformResultNames: Str.snakeToCamel
      })
      const store = yield* Effect.provide(SqlTranscriptStore.make(), context)
      const entries = Array.from({ length: 1500 }, (_, i) => message(`u${i}`, `${i}`))
      yield* store.append(key, entries)
      // SafeIntegers: ids and mtimes come back as bigints
      const safe = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.provideService(effect, SqlClient.SafeIntegers, true)
      assert.deepStrictEqual(yield* safe(loadAll(store, key)), entries)
      const listed = yield* safe(store.list("-p"))
      assert.deepStrictEqual(listed.map((s) => [s.sessionId, typeof s.mtime]), [["s1", "number"]])
      assert.deepStrictEqual(yield* safe(store.locate("s1")), Option.some("-p"))
    }))
})

layer(SqlTranscriptStore.layer().pipe(Layer.provide(SqliteClient.layer({ filename: sqliteFile() }))))(
  "SqlTranscriptStore.layer",
  (it) => {
    it.effect("provides the TranscriptStore service", () =>
      Effect.gen(function*() {
        const store = yield* TranscriptStore.TranscriptStore
        yield* store.append(key, [message("u1", "a")])
        assert.deepStrictEqual(yield* loadAll(store, key), [message("u1", "a")])
      }))
  }
)
