/**
 * The conversations the claude CLI keeps on disk (`<config dir>/projects/<project>/<id>.jsonl`):
 * list them, read them as streams, rename, tag, fork and delete them, with the results and the
 * file writes of the official SDK's session functions (`listSessions`, `getSessionMessages`,
 * `renameSession`, `tagSession`, `forkSession`, `deleteSession`). Resume a listed session with
 * `ClaudeSession.make({ resume: info.sessionId, cwd: info.cwd })`.
 *
 * Files are never read whole: `list` reads the first and last 64 KiB of each, `entries` and
 * `messages` stream, and `fork` writes as it reads.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { MalformedEntry, SessionNotFound, TranscriptError } from "./ClaudeError.js"
import * as ClaudeTranscript from "./ClaudeTranscript.js"
import * as Chain from "./internal/chain.js"
import * as Fork from "./internal/fork.js"
import * as Jsonl from "./internal/jsonl.js"
import * as Messages from "./internal/messages.js"
import * as Scan from "./internal/sessionScan.js"

/**
 * A stored session as `list` shows it (the official SDK's `SDKSessionInfo`, field by field).
 *
 * @since 0.1.0
 * @category Models
 */
export type SessionInfo = Scan.SessionInfo

/**
 * @since 0.1.0
 * @category Models
 */
export interface ListOptions {
  /** Only the sessions of this project folder (a cwd); default: every project. */
  readonly dir?: string | undefined
  readonly limit?: number | undefined
  readonly offset?: number | undefined
  /** Keep sessions started by an SDK (default true). */
  readonly includeProgrammatic?: boolean | undefined
}

/**
 * Where to find one session: in the project of `dir`, or (default) in any project.
 *
 * @since 0.1.0
 * @category Models
 */
export interface FindOptions {
  readonly dir?: string | undefined
}

/**
 * @since 0.1.0
 * @category Models
 */
export interface EntriesOptions extends FindOptions {
  /** A line that is not JSON, or not its type's shape: skipped (default) or the stream fails. */
  readonly onMalformed?: "skip" | "fail" | undefined
}

/**
 * @since 0.1.0
 * @category Models
 */
export interface MessagesOptions extends FindOptions {
  readonly limit?: number | undefined
  readonly offset?: number | undefined
  /** Also the system entries of the conversation (default false). */
  readonly includeSystemMessages?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category Models
 */
export interface ForkOptions extends FindOptions {
  /** Copy the conversation up to and including this message (its uuid). */
  readonly upToMessageId?: string | undefined
  /** The fork's title (default: the source's title, or first prompt, + " (fork)"). */
  readonly title?: string | undefined
}

/**
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  /** The CLI's config folder these sessions are read from. */
  readonly configDir: string
  /** Sessions, newest first. */
  readonly list: (options?: ListOptions) => Effect.Effect<Array<SessionInfo>, TranscriptError>
  /** One session's summary. */
  readonly info: (sessionId: string, options?: FindOptions) => Effect.Effect<SessionInfo, SessionNotFound | TranscriptError>
  /** The path of a session's transcript. */
  readonly file: (sessionId: string, options?: FindOptions) => Effect.Effect<string, SessionNotFound | TranscriptError>
  /** Every entry of a transcript, in file order, decoded (unknown types as `UnknownEntry`). */
  readonly entries: (
    sessionId: string,
    options?: EntriesOptions
  ) => Stream.Stream<ClaudeTranscript.Entry, SessionNotFound | TranscriptError | MalformedEntry>
  /** The conversation: the user and assistant messages of the chain, as `getSessionMessages`. */
  readonly messages: (
    sessionId: string,
    options?: MessagesOptions
  ) => Stream.Stream<ClaudeTranscript.SessionMessage, SessionNotFound | TranscriptError>
  /** Sets the title (`custom-title`, trimmed; the last one wins). */
  readonly rename: (sessionId: string, title: string, options?: FindOptions) => Effect.Effect<void, SessionNotFound | TranscriptError>
  /** Sets the tag, or clears it with `null`. */
  readonly tag: (
    sessionId: string,
    tag: string | null,
    options?: FindOptions
  ) => Effect.Effect<void, SessionNotFound | TranscriptError>
  /** A new session with a copy of the conversation (new uuids, `forkedFrom` on each entry). */
  readonly fork: (
    sessionId: string,
    options?: ForkOptions
  ) => Effect.Effect<{ readonly sessionId: string }, SessionNotFound | TranscriptError>
  /** Removes a session's transcript and its folder (subagents, sidecars). */
  readonly delete: (sessionId: string, options?: FindOptions) => Effect.Effect<void, SessionNotFound | TranscriptError>
}

/**
 * @since 0.1.0
 * @category Tags
 */
export class ClaudeSessions extends Context.Tag("effect-claude-session/ClaudeSessions")<ClaudeSessions, Service>() {}

/**
 * The CLI's config folder as the CLI finds it: `CLAUDE_CONFIG_DIR`, else `$HOME/.claude`.
 *
 * @since 0.1.0
 * @category Config
 */
export const configDirConfig: Config.Config<string> = Config.string("CLAUDE_CONFIG_DIR").pipe(
  Config.validate({ message: "empty", validation: (dir) => dir !== "" }),
  Config.orElse(() => Config.map(Config.string("HOME"), (home) => `${home.replace(/\/+$/, "")}/.claude`))
)

const CONCURRENCY = 32

/**
 * The stored sessions of a config folder.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (options: {
  /** The CLI's config folder (`CLAUDE_CONFIG_DIR`, or `~/.claude`). */
  readonly configDir: string
}): Effect.Effect<Service, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const configDir = path.resolve(options.configDir)
    const projects = path.join(configDir, "projects")
    const unreadable = (at: string) => (error: { readonly message: string }) =>
      new TranscriptError({ reason: "Unreadable", path: at, description: error.message })
    const unwritable = (at: string) => (error: { readonly message: string }) =>
      new TranscriptError({ reason: "Unwritable", path: at, description: error.message })
    const invalid = (description: string) => new TranscriptError({ reason: "InvalidArgument", path: projects, description })

    const realpath = (dir: string) => fs.realPath(dir).pipe(Effect.orElseSucceed(() => path.resolve(dir)))
    const readOptional = (file: string) => fs.readFileString(file).pipe(Effect.option)
    const isDirectory = (dir: string) =>
      fs.stat(dir).pipe(Effect.map((info) => info.type === "Directory"), Effect.orElseSucceed(() => false))
    const projectFolders = fs.readDirectory(projects).pipe(
      Effect.flatMap((names) => Effect.filter(names, (name) => isDirectory(path.join(projects, name)), { concurrency: CONCURRENCY })),
      Effect.catchIf((error) => error._tag === "SystemError" && error.reason === "NotFound", () => Effect.succeed([])),
      Effect.mapError(unreadable(projects))
    )

    // the folders of a cwd's project: its name, and for a cut name, folders of the same prefix
    // whose sessions ran in that cwd
    const foldersOf = (dir: string) =>
      Effect.gen(function*() {
        const cwd = yield* realpath(dir)
        const folders: Array<string> = []
        const exact = path.join(projects, Scan.projectKeyOf(cwd))
        if (yield* isDirectory(exact)) folders.push(exact)
        const prefix = Scan.longProjectPrefix(cwd)
        if (prefix === undefined) return { cwd, folders }
        for (const name of yield* projectFolders) {
          const folder = path.join(projects, name)
          if (folder !== exact && name.startsWith(prefix) && (yield* ranIn(folder, cwd))) folders.push(folder)
        }
        return { cwd, folders }
      })
    const ranIn = (folder: string, cwd: string) =>
      Effect.gen(function*() {
        const wanted = Scan.replaceNonAlnum(cwd)
        for (const name of yield* fs.readDirectory(folder).pipe(Effect.orElseSucceed(() => []))) {
          if (!name.endsWith(".jsonl")) continue
          const file = yield* headTail(path.join(folder, name))
          if (Option.isNone(file)) continue
          const ran = Scan.lastFieldOfType(file.value.tail, "relocated", "relocatedCwd") ??
            Scan.firstParsedField(file.value.head, "cwd")
          if (ran !== undefined && Scan.replaceNonAlnum(ran) === wanted) return true
        }
        return false
      })

    const headTail = (file: string): Effect.Effect<Option.Option<Scan.HeadTail>> =>
      Effect.scoped(Effect.gen(function*() {
        const handle = yield* fs.open(file, { flag: "r" })
        const stat = yield* handle.stat
        if (stat.type !== "File") return Option.none()
        const size = Number(stat.size)
        const read = (offset: number) =>
          Effect.zipRight(
            handle.seek(FileSystem.Size(offset), "start"),
            Effect.map(handle.readAlloc(FileSystem.Size(Scan.HEAD_TAIL_BYTES)), (bytes) =>
              Option.match(bytes, {
                onNone: () => "",
                onSome: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")
              }))
          )
        const head = yield* read(0)
        if (head === "") return Option.none()
        const tail = size > Scan.HEAD_TAIL_BYTES ? yield* read(size - Scan.HEAD_TAIL_BYTES) : head
        const mtime = Option.getOrElse(Option.map(stat.mtime, (date) => date.getTime()), () => 0)
        return Option.some({ head, tail, mtime, size })
      })).pipe(Effect.orElseSucceed(() => Option.none()))

    interface Candidate {
      readonly sessionId: string
      readonly file: string
      readonly projectPath: string | undefined
      /** Whether `<id>/` (where sidecars are) exists; unknown: look. */
      readonly sessionFolder?: boolean | undefined
    }
    const candidatesIn = (folder: string, projectPath: string | undefined) =>
      fs.readDirectory(folder).pipe(
        Effect.orElseSucceed(() => []),
        Effect.map((names) => {
          const all = new Set(names)
          return names.flatMap((name): Array<Candidate> => {
            const id = name.endsWith(".jsonl") ? name.slice(0, -".jsonl".length) : ""
            return Scan.isSessionId(id)
              ? [{ sessionId: id, file: path.join(folder, name), projectPath, sessionFolder: all.has(id) }]
              : []
          })
        })
      )

    const infoOf = (candidate: Candidate, includeProgrammatic: boolean) =>
      Effect.gen(function*() {
        const file = yield* headTail(candidate.file)
        if (Option.isNone(file)) return undefined
        if (!includeProgrammatic && Scan.isProgrammatic(file.value.head, file.value.tail)) return undefined
        const next = Scan.continuedIn(file.value.tail)
        if (next !== undefined && (yield* isContinuation(path.join(path.dirname(candidate.file), `${next}.jsonl`)))) {
          return undefined
        }
        const sidecars = path.join(path.dirname(candidate.file), candidate.sessionId)
        // most sessions have no folder of their own: no sidecar to read then
        const readSidecar = (name: string) =>
          candidate.sessionFolder === false ? Effect.succeedNone : readOptional(path.join(sidecars, name))
        const sidecarTitle = Scan.lastTypedField(file.value.tail, "custom-title") === undefined
          ? Option.getOrUndefined(Option.flatMap(
            yield* readSidecar("custom-title.json"),
            (text) => Option.fromNullable(Scan.sidecarTitle(text))
          ))
          : undefined
        const archived = Option.getOrUndefined(Option.flatMap(
          yield* readSidecar("archived.json"),
          (text) => Option.fromNullable(Scan.archivedSidecar(text))
        ))
        return Scan.sessionInfo(candidate.sessionId, file.value, { projectPath: candidate.projectPath, sidecarTitle, archived })
      })
    const isContinuation = (file: string) =>
      Effect.map(headTail(file), (ends) =>
        Option.isSome(ends) &&
        (ends.value.head.includes("\"parentUuid\":") || ends.value.tail.includes("\"parentUuid\":") ||
          ends.value.size > Scan.HEAD_TAIL_BYTES))

    const list = (listOptions: ListOptions = {}) =>
      Effect.gen(function*() {
        const candidates: Array<Candidate> = []
        if (listOptions.dir !== undefined) {
          const { cwd, folders } = yield* foldersOf(listOptions.dir)
          for (const folder of folders) candidates.push(...(yield* candidatesIn(folder, cwd)))
        } else {
          for (const name of yield* projectFolders) candidates.push(...(yield* candidatesIn(path.join(projects, name), undefined)))
        }
        const infos = yield* Effect.forEach(
          candidates,
          (candidate) => infoOf(candidate, listOptions.includeProgrammatic ?? true),
          { concurrency: CONCURRENCY }
        )
        const newest = new Map<string, SessionInfo>()
        for (const info of infos) {
          if (info === undefined) continue
          const seen = newest.get(info.sessionId)
          if (seen === undefined || info.lastModified > seen.lastModified) newest.set(info.sessionId, info)
        }
        const sorted = [...newest.values()].sort(Scan.byNewest)
        const offset = Math.max(0, listOptions.offset ?? 0)
        const limit = listOptions.limit !== undefined && listOptions.limit > 0 ? listOptions.limit : Infinity
        return sorted.slice(offset, offset + limit)
      }).pipe(Effect.withSpan("ClaudeSessions.list", { captureStackTrace: false }))

    // the first non-empty transcript of this id, with its project folder
    const find = (sessionId: string, findOptions: FindOptions = {}) =>
      Effect.gen(function*() {
        if (!Scan.isSessionId(sessionId)) return yield* invalid(`not a session id: ${sessionId}`)
        const found = yield* (findOptions.dir !== undefined
          ? foldersOf(findOptions.dir)
          : Effect.map(projectFolders, (names) => ({
            cwd: undefined,
            folders: names.map((name) => path.join(projects, name))
          })))
        for (const folder of found.folders) {
          const file = path.join(folder, `${sessionId}.jsonl`)
          const size = yield* fs.stat(file).pipe(
            Effect.map((info) => info.type === "File" ? Number(info.size) : 0),
            Effect.orElseSucceed(() => 0)
          )
          if (size > 0) return { file, folder, projectPath: found.cwd }
        }
        return yield* new SessionNotFound({
          sessionId,
          searched: findOptions.dir !== undefined ? `the project of ${findOptions.dir} in ${projects}` : projects
        })
      })

    const info = (sessionId: string, findOptions?: FindOptions) =>
      Effect.gen(function*() {
        const found = yield* find(sessionId, findOptions)
        const summary = yield* infoOf({ sessionId, file: found.file, projectPath: found.projectPath }, true)
        if (summary === undefined) return yield* new SessionNotFound({ sessionId, searched: found.file })
        return summary
      })

    const parsedLines = (file: string) =>
      Jsonl.lines(fs, file).pipe(Stream.map((line) => ({ number: line.number, json: Jsonl.parseObject(file, line) })))

    const entries = (sessionId: string, entriesOptions: EntriesOptions = {}) =>
      Stream.unwrap(Effect.map(find(sessionId, entriesOptions), ({ file }) =>
        Jsonl.lines(fs, file).pipe(
          Stream.mapEffect((line) => {
            const decoded = Either.flatMap(
              Jsonl.parseObject(file, line),
              (json) => Either.mapLeft(ClaudeTranscript.decodeEntry(json), (error) => Jsonl.malformed(file, line, error.message))
            )
            if (Either.isRight(decoded)) return Effect.succeed(Option.some(decoded.right))
            return entriesOptions.onMalformed === "fail"
              ? Effect.fail(decoded.left)
              : Effect.as(Effect.logDebug(decoded.left.message), Option.none())
          }),
          Stream.filterMap((entry) => entry)
        )))

    // Two passes, neither holding the file: the first keeps a small record of each chain entry
    // (links, and the few fields that decide what is shown), the second parses only the lines
    // shown and streams them out.
    const messages = (sessionId: string, messagesOptions: MessagesOptions = {}) =>
      Stream.unwrap(Effect.gen(function*() {
        const { file } = yield* find(sessionId, messagesOptions)
        const links: Array<Chain.Link> = []
        const slims = new Map<number, Record<string, unknown>>()
        const tally = Messages.deliveries()
        yield* Jsonl.lines(fs, file).pipe(Stream.runForEachChunk((chunk) =>
          Effect.sync(() => {
            for (const line of chunk) {
              // only entries with a uuid (and queue operations) matter here: skip parsing the rest
              if (!line.text.includes("\"uuid\"") && !line.text.includes("queue-operation")) continue
              const parsed = Jsonl.parseObject(file, line)
              if (Either.isLeft(parsed)) continue
              const link = Chain.linkOf(parsed.right, line.number)
              if (link !== undefined) {
                links.push(link)
                if (mayBeShown(link)) slims.set(line.number, Messages.slim(parsed.right))
              }
              Messages.noteDelivery(parsed.right, tally)
            }
          })
        ))
        const { chain, trailing } = Chain.conversation(links)
        const rows = [...chain, ...trailing].filter(mayBeShown)
        const slimRows = rows.map((link) => slims.get(link.index)!)
        const decisions = Messages.decide(slimRows, {
          trailing: new Set(trailing.map((link) => link.uuid)),
          delivered: Messages.deliveredCounts(tally),
          uuids: new Set([...chain, ...trailing].map((link) => link.uuid))
        })
        slims.clear()
        const include = messagesOptions.includeSystemMessages === true
        const shown = rows.flatMap((link, at) =>
          Chain.isVisible(Messages.apply(slimRows[at]!, decisions[at]!), include) ? [{ line: link.index, decision: decisions[at]! }] : []
        )
        // limit and offset as the SDK applies them (Array.slice, negative offsets included)
        const offset = messagesOptions.offset ?? 0
        const limit = messagesOptions.limit
        const selected = limit !== undefined && limit > 0
          ? shown.slice(offset, offset + limit)
          : offset > 0
          ? shown.slice(offset)
          : shown
        const byLine = new Map(selected.map((row) => [row.line, row.decision]))
        const toMessage = (line: Jsonl.Line) => {
          const parsed = Jsonl.parseObject(file, line)
          return Either.isRight(parsed)
            ? ClaudeTranscript.toSessionMessage(Messages.apply(parsed.right, byLine.get(line.number)!))
            : undefined
        }
        const picked = Jsonl.lines(fs, file).pipe(
          Stream.filter((line) => byLine.has(line.number)),
          Stream.filterMap((line) => Option.fromNullable(toMessage(line)))
        )
        // the conversation in file order (the usual case) streams; else it is put in order first
        const inFileOrder = selected.every((row, i) => i === 0 || row.line > selected[i - 1]!.line)
        if (inFileOrder) return picked
        const order = new Map(selected.map((row, position) => [row.line, position]))
        return Stream.unwrap(Effect.map(
          Stream.runCollect(Jsonl.lines(fs, file).pipe(
            Stream.filter((line) => byLine.has(line.number)),
            Stream.filterMap((line) => Option.map(Option.fromNullable(toMessage(line)), (message) => ({ line: line.number, message })))
          )),
          (collected) =>
            Stream.fromIterable(
              [...collected].sort((a, b) => order.get(a.line)! - order.get(b.line)!).map((row) => row.message)
            )
        ))
      }).pipe(Effect.withSpan("ClaudeSessions.messages", { attributes: { sessionId }, captureStackTrace: false })))

    const append = (sessionId: string, entry: Record<string, unknown>, findOptions?: FindOptions) =>
      Effect.gen(function*() {
        const { file } = yield* find(sessionId, findOptions)
        yield* fs.writeFileString(file, JSON.stringify(entry) + "\n", { flag: "a" }).pipe(Effect.mapError(unwritable(file)))
      })

    const rename = (sessionId: string, title: string, findOptions?: FindOptions) =>
      title.trim() === ""
        ? Effect.fail(invalid("title must be non-empty"))
        : append(sessionId, { type: "custom-title", customTitle: title.trim(), sessionId }, findOptions)

    const tag = (sessionId: string, value: string | null, findOptions?: FindOptions) => {
      const cleaned = value === null ? "" : value.normalize("NFKC").replace(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, "").trim()
      return value !== null && cleaned === ""
        ? Effect.fail(invalid("tag must be non-empty (use null to clear)"))
        : append(sessionId, { type: "tag", tag: cleaned, sessionId }, findOptions)
    }

    const fork = (sessionId: string, forkOptions: ForkOptions = {}) =>
      Effect.gen(function*() {
        const source = yield* find(sessionId, forkOptions)
        return yield* forkFile(source.file, sessionId, forkOptions)
      }).pipe(Effect.withSpan("ClaudeSessions.fork", { attributes: { sessionId }, captureStackTrace: false }))

    const forkFile = (file: string, sessionId: string, forkOptions: ForkOptions) =>
      Effect.gen(function*() {
        // pass 1: which entries are copied, and what is carried over
        const kept: Array<{ readonly uuid: string; readonly parentUuid: string | null; readonly type: string }> = []
        let atisLatch: string | undefined
        let toolsUsed: Array<string> | undefined
        let relocatedCwd: string | undefined
        yield* parsedLines(file).pipe(Stream.runForEach((parsed) =>
          Effect.sync(() => {
            if (Either.isLeft(parsed.json)) return
            const json = parsed.json.right
            if (forkTypes.has(json.type as string) && typeof json.uuid === "string") {
              if (json.isSidechain !== true) {
                kept.push({ uuid: json.uuid, parentUuid: typeof json.parentUuid === "string" ? json.parentUuid : null, type: json.type as string })
              }
            } else if (json.type === "atis-latch" && json.sessionId === sessionId && typeof json.atis === "string" && /^[\x21-\x7e]*$/.test(json.atis)) {
              atisLatch = json.atis
            } else if (json.type === "tools-used" && json.sessionId === sessionId && Array.isArray(json.tools)) {
              toolsUsed = json.tools.filter((tool): tool is string => typeof tool === "string" && tool !== "")
            } else if (json.type === "relocated" && json.sessionId === sessionId && typeof json.relocatedCwd === "string" && json.relocatedCwd !== "") {
              relocatedCwd = json.relocatedCwd
            }
          })
        ))
        let copied = kept
        if (forkOptions.upToMessageId !== undefined) {
          const at = kept.findIndex((entry) => entry.uuid === forkOptions.upToMessageId)
          if (at < 0) return yield* invalid(`message ${forkOptions.upToMessageId} not found in session ${sessionId}`)
          copied = kept.slice(0, at + 1)
        }
        const written = copied.filter((entry) => entry.type !== "progress")
        if (written.length === 0) return yield* invalid(`session ${sessionId} has no messages to fork`)
        const newUuids = new Map(copied.map((entry) => [entry.uuid, crypto.randomUUID()]))
        const writtenUuids = new Map(written.map((entry) => [entry.uuid, newUuids.get(entry.uuid)!]))
        const byUuid = new Map(copied.map((entry) => [entry.uuid, entry]))
        // the parent of a copy skips the progress entries the fork leaves out
        const parentOf = (parentUuid: string | null): string | null => {
          const seen = new Set<string>()
          let current = parentUuid
          while (current !== null) {
            const parent = byUuid.get(current)
            if (parent === undefined) return null
            if (parent.type !== "progress" || seen.has(current)) return newUuids.get(current) ?? null
            seen.add(current)
            current = parent.parentUuid
          }
          return null
        }
        const forkId = crypto.randomUUID()
        const now = new Date().toISOString()
        const lastUuid = written.at(-1)!.uuid
        const copiedUuids = new Set(written.map((entry) => entry.uuid))
        const title = forkOptions.title?.trim() || `${(yield* titleOf(file, sessionId)) || "Forked session"} (fork)`
        const target = path.join(path.dirname(file), `${forkId}.jsonl`)
        const copies = parsedLines(file).pipe(
          Stream.filterMap((parsed) => {
            if (Either.isLeft(parsed.json)) return Option.none()
            const json = parsed.json.right
            if (!forkTypes.has(json.type as string) || typeof json.uuid !== "string" || !copiedUuids.has(json.uuid)) {
              return Option.none()
            }
            copiedUuids.delete(json.uuid)
            const logical = json.logicalParentUuid
            return Option.some({
              ...json,
              ...(json.type === "system" && json.subtype === "model_refusal_fallback" ? { neutralizedByFork: true } : {}),
              ...Fork.remapReferences(json, newUuids, writtenUuids),
              uuid: newUuids.get(json.uuid),
              parentUuid: parentOf(typeof json.parentUuid === "string" ? json.parentUuid : null),
              logicalParentUuid: logical === null || logical === undefined
                ? logical
                : newUuids.get(logical as string) ?? null,
              sessionId: forkId,
              timestamp: json.uuid === lastUuid ? now : json.timestamp,
              ...forkClearedFields,
              requestSessionId: requestSessionIdOf(json),
              forkedFrom: { sessionId, messageUuid: json.uuid }
            })
          })
        )
        const trailer: Array<Record<string, unknown>> = [
          ...(atisLatch !== undefined ? [{ type: "atis-latch", sessionId: forkId, atis: atisLatch }] : []),
          ...(toolsUsed !== undefined ? [{ type: "tools-used", sessionId: forkId, tools: toolsUsed }] : []),
          ...(relocatedCwd !== undefined ? [{ type: "relocated", sessionId: forkId, relocatedCwd }] : []),
          { type: "custom-title", sessionId: forkId, customTitle: title, uuid: crypto.randomUUID(), timestamp: now }
        ]
        yield* Stream.concat(copies, Stream.fromIterable(trailer)).pipe(
          Stream.map((entry) => JSON.stringify(entry) + "\n"),
          Stream.encodeText,
          Stream.run(fs.sink(target, { flag: "wx", mode: 0o600 })),
          Effect.mapError(unwritable(target)),
          Effect.onError(() => Effect.ignore(fs.remove(target, { force: true })))
        )
        return { sessionId: forkId }
      })

    // the source's title (a tail title, even an empty one, wins over the sidecar), else its first prompt
    const titleOf = (file: string, sessionId: string) =>
      Effect.gen(function*() {
        const ends = yield* headTail(file)
        if (Option.isNone(ends)) return ""
        const { head, tail } = ends.value
        const tailTitle = Scan.lastTypedField(tail, "custom-title")
        const sidecar = tailTitle === undefined
          ? Option.getOrUndefined(Option.flatMap(
            yield* readOptional(path.join(path.dirname(file), sessionId, "custom-title.json")),
            (text) => Option.fromNullable(Scan.sidecarTitle(text))
          ))
          : undefined
        return (tailTitle !== undefined ? tailTitle : sidecar ?? Scan.lastTypedField(head, "custom-title")) ||
          Scan.lastTypedField(tail, "ai-title") || Scan.lastTypedField(head, "ai-title") || Scan.firstPromptFromHead(head)
      })

    const remove = (sessionId: string, findOptions?: FindOptions) =>
      Effect.gen(function*() {
        const { file, folder } = yield* find(sessionId, findOptions)
        yield* fs.remove(file, { force: true }).pipe(Effect.mapError(unwritable(file)))
        const dir = path.join(folder, sessionId)
        yield* fs.remove(dir, { recursive: true, force: true }).pipe(Effect.mapError(unwritable(dir)))
      })

    return ClaudeSessions.of({
      configDir,
      list,
      info,
      file: (sessionId, findOptions) => Effect.map(find(sessionId, findOptions), ({ file }) => file),
      entries,
      messages,
      rename,
      tag,
      fork,
      delete: remove
    })
  })

// chain entries that can be shown: all but attachments, except queued prompts
const mayBeShown = (link: Chain.Link) => link.type !== "attachment" || link.attachmentType === "queued_command"

const forkTypes = new Set(["user", "assistant", "attachment", "system", "progress"])

// cleared on every copy: they describe the source session's own run
const forkClearedFields = {
  isSidechain: false,
  teamName: undefined,
  agentName: undefined,
  sessionKind: undefined,
  slug: undefined,
  sourceToolAssistantUUID: undefined,
  summarizedTurnPromptUuids: undefined,
  droppedPromptUuids: undefined,
  sentAsUuid: undefined,
  rowsAheadOfPutBack: undefined,
  turnAttributionKey: undefined
}

const requestSessionIdOf = (json: Record<string, unknown>): string | undefined => {
  if (json.type !== "assistant") return undefined
  const forkedFrom = json.forkedFrom
  const fromFork = typeof forkedFrom === "object" && forkedFrom !== null
    ? (forkedFrom as { sessionId?: unknown }).sessionId
    : undefined
  return [json.requestSessionId, fromFork, json.sessionId].find((id): id is string => typeof id === "string")
}

/**
 * The stored sessions of a config folder, as a Layer.
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (options: {
  readonly configDir: string
}): Layer.Layer<ClaudeSessions, never, FileSystem.FileSystem | Path.Path> => Layer.effect(ClaudeSessions, make(options))

/**
 * The stored sessions of the config folder the CLI uses here (`CLAUDE_CONFIG_DIR`, else
 * `$HOME/.claude`).
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerConfig = (
  configDir: Config.Config<string> = configDirConfig
): Layer.Layer<ClaudeSessions, ConfigError.ConfigError, FileSystem.FileSystem | Path.Path> =>
  Layer.effect(ClaudeSessions, Effect.flatMap(configDir, (dir) => make({ configDir: dir })))
