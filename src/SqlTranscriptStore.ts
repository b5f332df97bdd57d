/**
 * A `TranscriptStore` in a SQL database through `@effect/sql`: conversations stored once and
 * resumed on any machine that reaches the database. Bring the `SqlClient` layer of your database:
 * SQLite (`@effect/sql-sqlite-node`, `-bun`, `-wasm`, libSQL, D1) or PostgreSQL (`@effect/sql-pg`).
 *
 * The tables are created on `make` when missing:
 *
 * - `<tableName>` (default `claude_transcript_entries`): one row per entry, in append order
 *   (`id`), with the entry's JSON text. A unique index on
 *   `(project_key, session_id, subpath, uuid)` makes appends idempotent by `uuid`; entries without
 *   one (`uuid` NULL, and NULLs never conflict) are appended as they come, as the SDK's
 *   `SessionStore` contract asks.
 * - `<tableName>_transcripts`: one row per transcript with its last write time, read by `list`
 *   and `locate`.
 *
 * `load` pages through the rows by `id`, so a large transcript never sits whole in memory.
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { ParseError } from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { TranscriptStoreError } from "./ClaudeError.js"
import * as TranscriptStore from "./TranscriptStore.js"

/**
 * Options of `make` and `layer`.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  /** The entries table (default `claude_transcript_entries`); the transcripts table is `<tableName>_transcripts`. */
  readonly tableName?: string | undefined
}

/** Rows read per query by `load`. */
const PAGE = 1000
/** Rows written per INSERT by `append` (7 parameters each: far below SQLite's and Postgres's limits). */
const INSERT_BATCH = 500

const ATTR_SESSION_ID = "claude.session_id"
const ATTR_PROJECT_KEY = "claude.project_key"
const ATTR_SUBPATH = "claude.subpath"

/** An integer column as drivers give it back: a number, a bigint (SQLite safe integers) or a string (Postgres int8). */
const Integer = Schema.Union(
  Schema.Number,
  Schema.NumberFromString,
  Schema.transform(Schema.BigIntFromSelf, Schema.Number, {
    strict: true,
    decode: (value) => Number(value),
    encode: (value) => BigInt(value)
  })
)

const EntryRow = Schema.Struct({ id: Integer, entry: Schema.String })
const decodeEntryRows = Schema.decodeUnknown(Schema.Array(EntryRow))
const SessionRow = Schema.Struct({ session_id: Schema.String, mtime: Integer })
const decodeSessionRows = Schema.decodeUnknown(Schema.Array(SessionRow))
const ProjectRow = Schema.Struct({ project_key: Schema.String })
const decodeProjectRows = Schema.decodeUnknown(Schema.Array(ProjectRow))
const decodeSubpathRows = Schema.decodeUnknown(Schema.Array(Schema.Struct({ subpath: Schema.String })))

const describe = (error: SqlError | ParseError): string => {
  if (error._tag === "ParseError") return `unexpected row: ${error.message}`
  const cause = error.cause
  return cause instanceof Error && cause.message.length > 0 ? `${error.message}: ${cause.message}` : error.message
}

const storeError =
  (operation: TranscriptStoreError["operation"], sessionId: string | undefined) => (error: SqlError | ParseError) =>
    new TranscriptStoreError({ operation, sessionId, description: describe(error), cause: error })

const parseEntry = (
  sessionId: string,
  id: number,
  text: string
): Effect.Effect<TranscriptStore.StoredEntry, TranscriptStoreError> => {
  const malformed = (description: string) =>
    new TranscriptStoreError({ operation: "load", sessionId, description: `row ${id}: ${description}` })
  try {
    const json: unknown = JSON.parse(text)
    return Predicate.isRecord(json) ? Effect.succeed(json) : Effect.fail(malformed("not a JSON object"))
  } catch (cause) {
    return Effect.fail(malformed(cause instanceof Error ? cause.message : "invalid JSON"))
  }
}

/**
 * A store in the database of the `SqlClient` in context (SQLite or PostgreSQL); creates its
 * tables if they are missing.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make: (
  options?: Options
) => Effect.Effect<TranscriptStore.Service, SqlError, SqlClient.SqlClient> = Effect.fnUntraced(function*(options) {
  // our column names are snake_case whatever name transforms the client was given
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const tableName = options?.tableName ?? "claude_transcript_entries"
  const entries = sql(tableName)
  const transcripts = sql(`${tableName}_transcripts`)

  const dialect = sql.onDialect({
    sqlite: () => "sqlite",
    pg: () => "pg",
    mysql: () => "mysql",
    mssql: () => "mssql",
    clickhouse: () => "clickhouse"
  })
  if (dialect !== "sqlite" && dialect !== "pg") {
    return yield* new SqlError({ message: `SqlTranscriptStore supports SQLite and PostgreSQL, not ${dialect}` })
  }

  // -- schema: the same on both but for the auto-increment key -------------------------------
  const id = sql.onDialectOrElse({
    pg: () => sql.literal("BIGSERIAL PRIMARY KEY"),
    orElse: () => sql.literal("INTEGER PRIMARY KEY AUTOINCREMENT")
  })
  yield* sql`CREATE TABLE IF NOT EXISTS ${entries} (
    id ${id},
    project_key TEXT NOT NULL,
    session_id TEXT NOT NULL,
    subpath TEXT NOT NULL,
    uuid TEXT NULL,
    entry TEXT NOT NULL,
    created_at BIGINT NOT NULL
  )`
  yield* sql`CREATE UNIQUE INDEX IF NOT EXISTS ${sql(`${tableName}_uuid`)}
    ON ${entries} (project_key, session_id, subpath, uuid)`
  yield* sql`CREATE INDEX IF NOT EXISTS ${sql(`${tableName}_order`)}
    ON ${entries} (project_key, session_id, subpath, id)`
  yield* sql`CREATE TABLE IF NOT EXISTS ${transcripts} (
    project_key TEXT NOT NULL,
    session_id TEXT NOT NULL,
    subpath TEXT NOT NULL,
    mtime BIGINT NOT NULL,
    PRIMARY KEY (project_key, session_id, subpath)
  )`
  yield* sql`CREATE INDEX IF NOT EXISTS ${sql(`${tableName}_transcripts_session`)}
    ON ${transcripts} (session_id)`

  // -- operations ------------------------------------------------------------------------------
  const append = (key: TranscriptStore.Key, batch: ReadonlyArray<TranscriptStore.StoredEntry>) =>
    Effect.gen(function*() {
      const subpath = key.subpath ?? ""
      const now = yield* Clock.currentTimeMillis
      // a uuid seen twice in the batch: the first is kept (the unique index would do it too, but
      // this keeps the statement free of self-conflicts on every database)
      const seen = new Set<string>()
      const rows: Array<Record<string, unknown>> = []
      for (const entry of batch) {
        const uuid = typeof entry.uuid === "string" ? entry.uuid : null
        if (uuid !== null) {
          if (seen.has(uuid)) continue
          seen.add(uuid)
        }
        rows.push({
          project_key: key.projectKey,
          session_id: key.sessionId,
          subpath,
          uuid,
          entry: JSON.stringify(entry),
          created_at: now
        })
      }
      if (rows.length === 0) return
      yield* Effect.gen(function*() {
        let inserted = 0
        // in order: the ids (the load order) follow the batch's order
        for (let start = 0; start < rows.length; start += INSERT_BATCH) {
          const added = yield* sql`INSERT INTO ${entries} ${sql.insert(rows.slice(start, start + INSERT_BATCH))}
            ON CONFLICT DO NOTHING RETURNING id`
          inserted += added.length
        }
        // the last write time moves only when something was written (a replayed batch is no write)
        if (inserted > 0) {
          yield* sql`INSERT INTO ${transcripts} ${
            sql.insert({ project_key: key.projectKey, session_id: key.sessionId, subpath, mtime: now })
          } ON CONFLICT (project_key, session_id, subpath) DO UPDATE SET mtime = excluded.mtime`
        }
      }).pipe(sql.withTransaction)
    }).pipe(
      Effect.mapError(storeError("append", key.sessionId)),
      Effect.withSpan("SqlTranscriptStore.append", {
        attributes: {
          [ATTR_PROJECT_KEY]: key.projectKey,
          [ATTR_SESSION_ID]: key.sessionId,
          [ATTR_SUBPATH]: key.subpath ?? "",
          "claude.entries": batch.length
        },
        captureStackTrace: false
      })
    )

  const load = (key: TranscriptStore.Key): Stream.Stream<TranscriptStore.StoredEntry, TranscriptStoreError> => {
    const subpath = key.subpath ?? ""
    const page = (after: number) =>
      sql`SELECT id, entry FROM ${entries}
        WHERE project_key = ${key.projectKey} AND session_id = ${key.sessionId} AND subpath = ${subpath}
          AND id > ${after}
        ORDER BY id LIMIT ${PAGE}`.pipe(
        Effect.flatMap(decodeEntryRows),
        Effect.mapError(storeError("load", key.sessionId)),
        Effect.flatMap((rows) =>
          Effect.forEach(rows, (row) => parseEntry(key.sessionId, row.id, row.entry)).pipe(
            Effect.map((parsed) => {
              const last = rows[rows.length - 1]
              return [
                Chunk.unsafeFromArray(parsed),
                last === undefined || rows.length < PAGE ? Option.none<number>() : Option.some(last.id)
              ] as const
            })
          )
        )
      )
    return Stream.paginateChunkEffect(0, page).pipe(
      Stream.withSpan("SqlTranscriptStore.load", {
        attributes: { [ATTR_PROJECT_KEY]: key.projectKey, [ATTR_SESSION_ID]: key.sessionId, [ATTR_SUBPATH]: subpath },
        captureStackTrace: false
      })
    )
  }

  const list = (projectKey: string) =>
    sql`SELECT session_id, mtime FROM ${transcripts}
      WHERE project_key = ${projectKey} AND subpath = ${""}
      ORDER BY mtime DESC, session_id`.pipe(
      Effect.flatMap(decodeSessionRows),
      Effect.map((rows): ReadonlyArray<TranscriptStore.StoredSession> =>
        rows.map((row) => ({ sessionId: row.session_id, mtime: row.mtime }))
      ),
      Effect.mapError(storeError("list", undefined)),
      Effect.withSpan("SqlTranscriptStore.list", {
        attributes: { [ATTR_PROJECT_KEY]: projectKey },
        captureStackTrace: false
      })
    )

  const subpaths = (key: TranscriptStore.Key) =>
    sql`SELECT subpath FROM ${transcripts}
      WHERE project_key = ${key.projectKey} AND session_id = ${key.sessionId} AND subpath <> ${""}
      ORDER BY subpath`.pipe(
      Effect.flatMap(decodeSubpathRows),
      Effect.map((rows): ReadonlyArray<string> => rows.map((row) => row.subpath)),
      Effect.mapError(storeError("list", key.sessionId)),
      Effect.withSpan("SqlTranscriptStore.subpaths", {
        attributes: { [ATTR_PROJECT_KEY]: key.projectKey, [ATTR_SESSION_ID]: key.sessionId },
        captureStackTrace: false
      })
    )

  const locate = (sessionId: string) =>
    sql`SELECT project_key FROM ${transcripts}
      WHERE session_id = ${sessionId} AND subpath = ${""}
      ORDER BY mtime DESC LIMIT 1`.pipe(
      Effect.flatMap(decodeProjectRows),
      Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), (row) => row.project_key)),
      Effect.mapError(storeError("list", sessionId)),
      Effect.withSpan("SqlTranscriptStore.locate", {
        attributes: { [ATTR_SESSION_ID]: sessionId },
        captureStackTrace: false
      })
    )

  const remove = (key: TranscriptStore.Key) =>
    Effect.all([
      sql`DELETE FROM ${entries} WHERE project_key = ${key.projectKey} AND session_id = ${key.sessionId}`,
      sql`DELETE FROM ${transcripts} WHERE project_key = ${key.projectKey} AND session_id = ${key.sessionId}`
    ], { discard: true }).pipe(
      sql.withTransaction,
      Effect.mapError(storeError("delete", key.sessionId)),
      Effect.withSpan("SqlTranscriptStore.delete", {
        attributes: { [ATTR_PROJECT_KEY]: key.projectKey, [ATTR_SESSION_ID]: key.sessionId },
        captureStackTrace: false
      })
    )

  return TranscriptStore.TranscriptStore.of({ append, load, list, subpaths, locate, delete: remove })
})

/**
 * The `TranscriptStore` of `make`, over the `SqlClient` the layer is given.
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (
  options?: Options
): Layer.Layer<TranscriptStore.TranscriptStore, SqlError, SqlClient.SqlClient> =>
  Layer.effect(TranscriptStore.TranscriptStore, make(options))
