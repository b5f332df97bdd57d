/**
 * A store for conversations that must outlive one machine's disk. A session started with a
 * store (`transcriptStore` in `ClaudeSession.make`) runs the CLI with `--session-mirror` and
 * appends every batch of entries the CLI writes, as it writes them; `restore` puts a stored
 * conversation back into the CLI's folder so that `resume` can go on with it on any machine.
 *
 * The contract is the official SDK's `SessionStore`: appends are idempotent by entry `uuid`
 * (entries without one are appended as they come), a failed append is retried and then
 * reported without stopping the session, `load` gives the entries back in order, `list` gives
 * the sessions of a project with their last write time.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Chunk from "effect/Chunk"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { SessionNotFound, TranscriptError, TranscriptStoreError } from "./ClaudeError.js"
import { configDirConfig } from "./ClaudeSessions.js"
import * as Jsonl from "./internal/jsonl.js"

/**
 * Where a transcript is kept: the CLI's project folder name (`projectKey`), the session id,
 * and for a subagent's transcript its path under the session (`subagents/agent-<id>`).
 *
 * @since 0.1.0
 * @category Models
 */
export interface Key {
  readonly projectKey: string
  readonly sessionId: string
  readonly subpath?: string | undefined
}

/**
 * One transcript entry as the CLI wrote it (a JSON object).
 *
 * @since 0.1.0
 * @category Models
 */
export type StoredEntry = Readonly<Record<string, unknown>>

/**
 * A stored session of a project and when it was last written (epoch milliseconds).
 *
 * @since 0.1.0
 * @category Models
 */
export interface StoredSession {
  readonly sessionId: string
  readonly mtime: number
}

/**
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  /** Appends entries in order; an entry whose `uuid` is already stored for the key is skipped. */
  readonly append: (key: Key, entries: ReadonlyArray<StoredEntry>) => Effect.Effect<void, TranscriptStoreError>
  /** The entries of a transcript in the order they were appended (nothing when there is none). */
  readonly load: (key: Key) => Stream.Stream<StoredEntry, TranscriptStoreError>
  /** The sessions of a project (main transcripts only), newest first. */
  readonly list: (projectKey: string) => Effect.Effect<ReadonlyArray<StoredSession>, TranscriptStoreError>
  /** The subagent transcripts stored with a session (`subagents/agent-<id>`, …). */
  readonly subpaths: (key: Key) => Effect.Effect<ReadonlyArray<string>, TranscriptStoreError>
  /** The project a session is stored under, if it is stored. */
  readonly locate: (sessionId: string) => Effect.Effect<Option.Option<string>, TranscriptStoreError>
  /** Removes a session: its transcript and those of its subagents. */
  readonly delete: (key: Key) => Effect.Effect<void, TranscriptStoreError>
  /** For a store over local files: their folder (a session writing there already needs no mirror). */
  readonly localFolder?: string | undefined
}

/**
 * @since 0.1.0
 * @category Tags
 */
export class TranscriptStore extends Context.Tag("effect-claude-session/TranscriptStore")<TranscriptStore, Service>() {}

const subpathOf = (key: Key) => key.subpath ?? ""

// ---------------------------------------------------------------------------
// In memory
// ---------------------------------------------------------------------------

/**
 * A store in memory (for tests, and for one process's life).
 *
 * @since 0.1.0
 * @category Constructors
 */
export const makeMemory: Effect.Effect<Service> = Effect.sync(() => {
  interface Transcript {
    readonly entries: Array<StoredEntry>
    readonly uuids: Set<string>
    mtime: number
  }
  // projectKey → sessionId → subpath → transcript
  const projects = new Map<string, Map<string, Map<string, Transcript>>>()
  const sessionsOf = (projectKey: string) => {
    let sessions = projects.get(projectKey)
    if (sessions === undefined) projects.set(projectKey, sessions = new Map())
    return sessions
  }
  const transcriptOf = (key: Key) => {
    const sessions = sessionsOf(key.projectKey)
    let files = sessions.get(key.sessionId)
    if (files === undefined) sessions.set(key.sessionId, files = new Map())
    let transcript = files.get(subpathOf(key))
    if (transcript === undefined) files.set(subpathOf(key), transcript = { entries: [], uuids: new Set(), mtime: 0 })
    return transcript
  }
  return TranscriptStore.of({
    append: (key, entries) =>
      Effect.sync(() => {
        const transcript = transcriptOf(key)
        for (const entry of entries) {
          const uuid = entry.uuid
          if (typeof uuid === "string") {
            if (transcript.uuids.has(uuid)) continue
            transcript.uuids.add(uuid)
          }
          transcript.entries.push(entry)
        }
        transcript.mtime = Date.now()
      }),
    load: (key) =>
      Stream.suspend(() =>
        Stream.fromIterable(projects.get(key.projectKey)?.get(key.sessionId)?.get(subpathOf(key))?.entries ?? [])
      ),
    list: (projectKey) =>
      Effect.sync(() =>
        [...(projects.get(projectKey) ?? new Map<string, Map<string, Transcript>>())].flatMap(([sessionId, files]) => {
          const main = files.get("")
          return main === undefined ? [] : [{ sessionId, mtime: main.mtime }]
        }).sort((a, b) => b.mtime - a.mtime)
      ),
    subpaths: (key) =>
      Effect.sync(() => [...(projects.get(key.projectKey)?.get(key.sessionId)?.keys() ?? [])].filter((subpath) => subpath !== "")),
    locate: (sessionId) =>
      Effect.sync(() =>
        Option.fromNullable([...projects].find(([, sessions]) => sessions.get(sessionId)?.has("") === true)?.[0])
      ),
    delete: (key) => Effect.sync(() => void projects.get(key.projectKey)?.delete(key.sessionId))
  })
})

/**
 * @since 0.1.0
 * @category Layers
 */
export const layerMemory: Layer.Layer<TranscriptStore> = Layer.effect(TranscriptStore, makeMemory)

// ---------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------

/**
 * A store over a folder laid out as the CLI's `projects` folder
 * (`<directory>/<projectKey>/<sessionId>.jsonl`): a mounted shared folder, a backup, or the CLI's
 * own folder itself. Files are written 0600.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const makeFileSystem = (options: {
  /** The folder (laid out as `<config dir>/projects`). */
  readonly directory: string
}): Effect.Effect<Service, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const directory = path.resolve(options.directory)
    const fileOf = (key: Key) =>
      key.subpath === undefined
        ? path.join(directory, key.projectKey, `${key.sessionId}.jsonl`)
        : path.join(directory, key.projectKey, key.sessionId, `${key.subpath}.jsonl`)
    // the uuids of each file, read once on its first append
    const known = new Map<string, Set<string>>()
    const lock = yield* Effect.makeSemaphore(1)
    const storeError = (operation: TranscriptStoreError["operation"], key: Key | undefined) => (error: {
      readonly message: string
    }) => new TranscriptStoreError({ operation, sessionId: key?.sessionId, description: error.message, cause: error })

    const uuidsOf = (file: string) =>
      Effect.gen(function*() {
        const cached = known.get(file)
        if (cached !== undefined) return cached
        const uuids = new Set<string>()
        if (yield* fs.exists(file)) {
          yield* Jsonl.lines(fs, file).pipe(
            Stream.runForEach((line) =>
              Effect.sync(() => {
                const json = Jsonl.parseObject(file, line)
                if (Either.isRight(json) && typeof json.right.uuid === "string") uuids.add(json.right.uuid)
              })
            )
          )
        }
        known.set(file, uuids)
        return uuids
      })

    const append = (key: Key, entries: ReadonlyArray<StoredEntry>) =>
      Effect.gen(function*() {
        const file = fileOf(key)
        const uuids = yield* uuidsOf(file)
        let text = ""
        const added = new Set<string>()
        for (const entry of entries) {
          const uuid = entry.uuid
          if (typeof uuid === "string") {
            if (uuids.has(uuid) || added.has(uuid)) continue
            added.add(uuid)
          }
          text += JSON.stringify(entry) + "\n"
        }
        if (text.length === 0) return
        yield* fs.makeDirectory(path.dirname(file), { recursive: true })
        yield* fs.writeFileString(file, text, { flag: "a", mode: 0o600 })
        for (const uuid of added) uuids.add(uuid)
      }).pipe(
        Effect.mapError(storeError("append", key)),
        lock.withPermits(1)
      )

    const load = (key: Key): Stream.Stream<StoredEntry, TranscriptStoreError> => {
      const file = fileOf(key)
      return Stream.unwrap(
        fs.exists(file).pipe(
          Effect.orElseSucceed(() => false),
          Effect.map((exists) =>
            exists ? Jsonl.lines(fs, file).pipe(Stream.mapEffect((line) => Jsonl.parseObject(file, line))) : Stream.empty
          )
        )
      ).pipe(Stream.mapError(storeError("load", key)))
    }

    const list = (projectKey: string) =>
      Effect.gen(function*() {
        const folder = path.join(directory, projectKey)
        if (!(yield* fs.exists(folder))) return []
        const names = (yield* fs.readDirectory(folder)).filter((name) => name.endsWith(".jsonl"))
        const sessions = yield* Effect.forEach(names, (name) =>
          fs.stat(path.join(folder, name)).pipe(
            Effect.map((info) => ({
              sessionId: name.slice(0, -".jsonl".length),
              mtime: Option.getOrElse(Option.map(info.mtime, (date) => date.getTime()), () => 0)
            }))
          ), { concurrency: 16 })
        return sessions.sort((a, b) => b.mtime - a.mtime)
      }).pipe(Effect.mapError(storeError("list", undefined)))

    const subpaths = (key: Key) =>
      Effect.gen(function*() {
        const folder = path.join(directory, key.projectKey, key.sessionId)
        if (!(yield* fs.exists(folder))) return []
        const files = yield* fs.readDirectory(folder, { recursive: true })
        return files.filter((file) => file.endsWith(".jsonl")).map((file) => file.slice(0, -".jsonl".length).split(path.sep).join("/"))
          .sort()
      }).pipe(Effect.mapError(storeError("list", key)))

    const locate = (sessionId: string) =>
      Effect.gen(function*() {
        if (!(yield* fs.exists(directory))) return Option.none()
        for (const projectKey of yield* fs.readDirectory(directory)) {
          if (yield* fs.exists(path.join(directory, projectKey, `${sessionId}.jsonl`))) return Option.some(projectKey)
        }
        return Option.none()
      }).pipe(Effect.mapError(storeError("list", { projectKey: "", sessionId })))

    const remove = (key: Key) =>
      Effect.gen(function*() {
        const base = path.join(directory, key.projectKey)
        yield* fs.remove(path.join(base, `${key.sessionId}.jsonl`), { force: true })
        yield* fs.remove(path.join(base, key.sessionId), { recursive: true, force: true })
        for (const file of [...known.keys()]) if (file.startsWith(path.join(base, key.sessionId))) known.delete(file)
      }).pipe(Effect.mapError(storeError("delete", key)), lock.withPermits(1))

    return TranscriptStore.of({ append, load, list, subpaths, locate, delete: remove, localFolder: directory })
  })

/**
 * @since 0.1.0
 * @category Layers
 */
export const layerFileSystem = (options: {
  readonly directory: string
}): Layer.Layer<TranscriptStore, never, FileSystem.FileSystem | Path.Path> =>
  Layer.effect(TranscriptStore, makeFileSystem(options))

/**
 * The embedded default: a store over the CLI's own `projects` folder (`CLAUDE_CONFIG_DIR`, else
 * `$HOME/.claude`). Sessions writing there need no mirror (they skip it); `restore` and `load`
 * read what the CLI wrote, `importFile` copies another transcript in.
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerConfig = (
  configDir: Config.Config<string> = configDirConfig
): Layer.Layer<TranscriptStore, ConfigError.ConfigError, FileSystem.FileSystem | Path.Path> =>
  Layer.effect(
    TranscriptStore,
    Effect.flatMap(configDir, (dir) => makeFileSystem({ directory: `${dir.replace(/\/+$/, "")}/projects` }))
  )

// ---------------------------------------------------------------------------
// Restore and import
// ---------------------------------------------------------------------------

const BATCH = 500

// a stream of entries written beside the file, then renamed: a CLI never reads half a transcript
const writeTranscript = (
  entries: Stream.Stream<StoredEntry, TranscriptStoreError>,
  file: string,
  unwritable: (at: string) => (error: { readonly message: string }) => TranscriptError
) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const partial = `${file}.restoring`
    yield* fs.makeDirectory(path.dirname(file), { recursive: true }).pipe(Effect.mapError(unwritable(file)))
    yield* fs.writeFileString(partial, "", { mode: 0o600 }).pipe(Effect.mapError(unwritable(partial)))
    yield* entries.pipe(
      Stream.grouped(BATCH),
      Stream.runForEach((batch) =>
        fs.writeFileString(partial, Chunk.join(Chunk.map(batch, (entry) => JSON.stringify(entry) + "\n"), ""), {
          flag: "a"
        }).pipe(Effect.mapError(unwritable(partial)))
      ),
      Effect.onError(() => Effect.ignore(fs.remove(partial, { force: true })))
    )
    yield* fs.rename(partial, file).pipe(Effect.mapError(unwritable(file)))
  })

/**
 * Writes a stored conversation (and its subagents' transcripts) into the CLI's projects folder
 * (`<config dir>/projects`), so that `resume` finds it. The project is the one it was stored under unless `projectKey` is given
 * (resuming from another cwd: the CLI looks in the project of its cwd first). An existing
 * local transcript is kept unless `overwrite`. Returns the file's path.
 *
 * @since 0.1.0
 * @category Restore
 */
export const restore = (
  store: Service,
  options: {
    readonly sessionId: string
    readonly projectsDirectory: string
    readonly projectKey?: string | undefined
    readonly overwrite?: boolean | undefined
  }
): Effect.Effect<string, SessionNotFound | TranscriptError | TranscriptStoreError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const stored = yield* store.locate(options.sessionId)
    if (Option.isNone(stored)) {
      return yield* new SessionNotFound({ sessionId: options.sessionId, searched: "the transcript store" })
    }
    const projectKey = options.projectKey ?? stored.value
    const folder = path.join(options.projectsDirectory, projectKey)
    const file = path.join(folder, `${options.sessionId}.jsonl`)
    const unwritable = (at: string) => (error: { readonly message: string }) =>
      new TranscriptError({ reason: "Unwritable", path: at, description: error.message })
    if (options.overwrite !== true && (yield* fs.exists(file).pipe(Effect.mapError(unwritable(file))))) return file
    const key = { projectKey: stored.value, sessionId: options.sessionId }
    // subagents first: the main transcript appearing is what makes the session resumable
    for (const subpath of yield* store.subpaths(key)) {
      yield* writeTranscript(store.load({ ...key, subpath }), path.join(folder, options.sessionId, `${subpath}.jsonl`), unwritable)
    }
    yield* writeTranscript(store.load(key), file, unwritable)
    return file
  }).pipe(Effect.withSpan("TranscriptStore.restore", { attributes: { sessionId: options.sessionId } }))

/**
 * Copies a local transcript file into a store (in batches, so a large file never sits whole
 * in memory). Entries already stored (same `uuid`) are skipped. Returns how many lines were read.
 *
 * @since 0.1.0
 * @category Restore
 */
export const importFile = (
  store: Service,
  options: { readonly file: string; readonly key: Key }
): Effect.Effect<number, TranscriptError | TranscriptStoreError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    let count = 0
    yield* Jsonl.lines(fs, options.file).pipe(
      // a line that is not JSON is not a transcript entry: the CLI would skip it too
      Stream.filterMap((line) => Either.getRight(Jsonl.parseObject(options.file, line))),
      Stream.grouped(BATCH),
      Stream.runForEach((entries) => {
        count += entries.length
        return store.append(options.key, Chunk.toReadonlyArray(entries))
      })
    )
    return count
  }).pipe(Effect.withSpan("TranscriptStore.importFile", { attributes: { sessionId: options.key.sessionId } }))
