/**
 * Everything about the claude child process: finding the executable, spawning it through
 * `@effect/platform`'s `Command`, the serialized stdin writer, draining stderr into a bounded
 * tail, the exit status (code or signal) and a shutdown that never hangs.
 *
 * @internal
 */
import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import type * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import { createRequire } from "node:module"
import nodePath from "node:path"
import { IoError, NotConnected, SpawnError } from "../ClaudeError.js"
import { LineSplitter } from "./framing.js"

/** How the process ended. */
export interface ExitStatus {
  readonly exitCode: number | null
  readonly signal: string | null
}

/** What the caller decides about the child: argv, environment, working directory, bounds. */
export interface SpawnOptions {
  readonly executable: string | undefined
  readonly args: ReadonlyArray<string>
  readonly env: Record<string, string>
  readonly cwd: string | undefined
  readonly stderrTailBytes: number
  /** Each stderr line as it arrives (run in order, in its own fiber: never slows the reading). */
  readonly onStderrLine?: ((line: string) => Effect.Effect<void>) | undefined
}

/** A running claude process. */
export interface Child {
  readonly pid: number
  readonly executable: string
  /** stdout, single use. */
  readonly stdout: Stream.Stream<Uint8Array, IoError>
  /**
   * Writes one complete line (with its newline) to stdin; lines never interleave. Completes
   * once the bytes were handed to the pipe. `onCommitted` runs when the line is taken for
   * writing: interrupted before that, the line is withdrawn and never written.
   */
  readonly write: (
    line: Uint8Array,
    operation: string,
    onCommitted?: () => void
  ) => Effect.Effect<void, NotConnected | IoError>
  /** Closes stdin once everything queued before it was written. */
  readonly endInput: Effect.Effect<void>
  /** Completes with the error when writing to stdin failed (every later write fails with it). */
  readonly writeFailed: Effect.Effect<IoError>
  readonly exit: Effect.Effect<ExitStatus>
  readonly exitOption: Effect.Effect<Option.Option<ExitStatus>>
  readonly stderrTail: Effect.Effect<string>
  /** Sends a signal to the process group; a no-op once the process exited. */
  readonly signal: (signal: NodeJS.Signals) => Effect.Effect<void>
  /** Close stdin, wait, SIGTERM, wait, SIGKILL: never waits longer than the two graces plus a second. */
  readonly shutdown: (grace: { readonly close: Duration.Duration; readonly term: Duration.Duration }) => Effect.Effect<
    ExitStatus | undefined
  >
}

// ---------------------------------------------------------------------------
// Executable resolution
// ---------------------------------------------------------------------------

// Why a file cannot be run, or undefined when it can.
const unusable = (fs: FileSystem.FileSystem, file: string) =>
  fs.stat(file).pipe(
    Effect.map((info) =>
      info.type !== "File" ? "not a file" : (info.mode & 0o111) === 0 ? "not executable (no x permission)" : undefined
    ),
    Effect.orElseSucceed(() => "missing")
  )

/** Where `@anthropic-ai/claude-code` was looked for through Node's module resolution. */
export interface PackageLocation {
  /** From where it was resolved ("the app (/srv/app)", …). */
  readonly from: string
  /** Its `claude` binary, when the package resolved. */
  readonly binary: string | undefined
}

const packageBinaryFrom = (base: string): { readonly manifest: string; readonly binary: string } | undefined => {
  try {
    const require = createRequire(base)
    const manifest = require.resolve("@anthropic-ai/claude-code/package.json")
    const bin: unknown = require(manifest).bin
    const relative = typeof bin === "string" ? bin : Predicate.isRecord(bin) ? bin.claude : undefined
    return typeof relative === "string"
      ? { manifest, binary: nodePath.join(nodePath.dirname(manifest), relative) }
      : undefined
  } catch {
    return undefined
  }
}

/**
 * `@anthropic-ai/claude-code` as Node resolves it from the app (the process's working
 * directory) and from this library's own location, whatever the session's `cwd`; one entry
 * when both resolve to the same package.
 */
export const packageLocations = (): ReadonlyArray<PackageLocation> => {
  const app = globalThis.process.cwd()
  const fromApp = packageBinaryFrom(nodePath.join(app, "package.json"))
  const fromLibrary = packageBinaryFrom(import.meta.url)
  const locations: Array<PackageLocation> = [{ from: `the app (${app})`, binary: fromApp?.binary }]
  if (fromLibrary === undefined || fromLibrary.manifest !== fromApp?.manifest) {
    locations.push({ from: "effect-claude-session's own location", binary: fromLibrary?.binary })
  }
  return locations
}

/**
 * The claude to run: the `executable` option as given; otherwise `@anthropic-ai/claude-code`
 * resolved from the app, then from this library, then `claude` on PATH. The error lists each
 * place tried with why it failed.
 */
export const resolveExecutable = (
  executable: string | undefined,
  envPath: string | undefined,
  locations: ReadonlyArray<PackageLocation> = packageLocations()
): Effect.Effect<{ readonly path: string; readonly tried: ReadonlyArray<string> }, SpawnError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    if (executable !== undefined) return { path: executable, tried: [executable] }
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const tried: Array<string> = []
    let installed = false
    for (const location of locations) {
      if (location.binary === undefined) {
        tried.push(`@anthropic-ai/claude-code from ${location.from}: not installed`)
        continue
      }
      installed = true
      const why = yield* unusable(fs, location.binary)
      if (why === undefined) return { path: location.binary, tried: [...tried, location.binary] }
      tried.push(`${location.binary}: ${why}`)
    }
    const dirs = (envPath ?? "").split(globalThis.process.platform === "win32" ? ";" : ":").filter((dir) => dir !== "")
    let onPath = false
    for (const dir of dirs) {
      const file = path.join(dir, "claude")
      const why = yield* unusable(fs, file)
      if (why === undefined) return { path: file, tried: [...tried, file] }
      if (why !== "missing") {
        onPath = true
        tried.push(`${file}: ${why}`)
      }
    }
    if (!onPath) tried.push(`claude on PATH (${dirs.length} folders): not found`)
    const denied = tried.some((entry) => entry.includes("not executable"))
    return yield* new SpawnError({
      reason: denied ? "PermissionDenied" : "NotFound",
      tried,
      description: installed || denied ? "no usable claude executable" : "no claude executable was found"
    })
  })

// ---------------------------------------------------------------------------
// Spawning
// ---------------------------------------------------------------------------

const spawnErrorFrom = (error: PlatformError, executable: string, tried: ReadonlyArray<string>): SpawnError => {
  const reason = error.method === "access"
    ? "BadWorkingDirectory"
    : error._tag === "SystemError" && (error.reason === "NotFound" || error.reason === "PermissionDenied")
    ? error.reason
    : "Unknown"
  const why = reason === "NotFound" ? "missing" : reason === "PermissionDenied" ? "not executable" : "failed to start"
  return new SpawnError({
    reason,
    tried: reason === "BadWorkingDirectory" ? tried : [...tried.slice(0, -1), `${executable}: ${why}`],
    description: error.message
  })
}

// The platform's Process reports a death by signal only as a failure whose text names it.
const signalFrom = (error: PlatformError): string =>
  /signal: (SIG[A-Z0-9]+)/.exec(error.message)?.[1] ?? "unknown signal"

const EndOfInput = Symbol("EndOfInput")

interface PendingWrite {
  readonly bytes: Uint8Array
  readonly done: Deferred.Deferred<void, IoError>
  readonly onCommitted: (() => void) | undefined
  state: "queued" | "taken" | "cancelled"
}

// A write error of a pipe is reported through callbacks and nextTicks after `write` returns;
// one macrotask later it has surfaced.
const nextMacrotask = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

const wallClock = Clock.make()

/** Runs an effect on the wall clock: process-level bounds must hold under a `TestClock`. */
export const onWallClock = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withClock(effect, wallClock)

class TailBuffer {
  private chunks: Array<Uint8Array> = []
  private size = 0
  constructor(private readonly cap: number) {}
  push(chunk: Uint8Array) {
    this.chunks.push(chunk)
    this.size += chunk.length
    if (this.size > this.cap * 2) this.compact()
  }
  private compact() {
    const all = Buffer.concat(this.chunks)
    const kept = all.subarray(Math.max(0, all.length - this.cap))
    this.chunks = [kept]
    this.size = kept.length
  }
  text(): string {
    this.compact()
    return new TextDecoder().decode(this.chunks[0] ?? new Uint8Array(0))
  }
}

// stderr is drained from the start, keeping a bounded tail.
const drainStderr = (
  stderr: Stream.Stream<Uint8Array, PlatformError>,
  tailBytes: number,
  onLine: ((line: string) => Effect.Effect<void>) | undefined
) =>
  Effect.gen(function*() {
    const tail = new TailBuffer(tailBytes)
    const stderrDone = yield* Deferred.make<void>()
    const lines = onLine === undefined ? undefined : yield* Queue.unbounded<string>()
    const splitter = new LineSplitter()
    if (lines !== undefined && onLine !== undefined) {
      // the callback's own fiber: a slow callback never stalls stderr (and so the CLI)
      yield* Queue.take(lines).pipe(
        Effect.flatMap((line) => Effect.catchAllCause(onLine(line), (cause) => Effect.logWarning("the stderr callback failed", cause))),
        Effect.forever,
        Effect.forkScoped
      )
    }
    yield* stderr.pipe(
      Stream.runForEachChunk((chunk) =>
        Effect.sync(() => {
          for (const bytes of chunk) {
            tail.push(bytes)
            if (lines !== undefined) for (const line of splitter.push(bytes)) lines.unsafeOffer(line)
          }
        })
      ),
      Effect.catchAll((error) => Effect.logDebug("claude stderr read failed", error.message)),
      Effect.ensuring(Effect.sync(() => {
        if (lines !== undefined) for (const line of splitter.flush()) lines.unsafeOffer(line)
      })),
      Effect.ensuring(Deferred.succeed(stderrDone, undefined)),
      Effect.forkScoped
    )
    const stderrTail = Effect.sync(() => tail.text())
    return { stderrDone, stderrTail }
  })

const startWriter = (
  stdin: Sink.Sink<void, Uint8Array, never, PlatformError>,
  isExited: Effect.Effect<boolean>
) =>
  Effect.gen(function*() {
    // One writer fiber owns stdin: lines are written whole and in order, each write completes
    // once its bytes were handed to the pipe (a failure then surfaces within one turn of the
    // event loop), and a failed pipe fails the write in flight and every queued one.
    const queue = yield* Queue.unbounded<PendingWrite | typeof EndOfInput>()
    let inputEnded = false
    let writeFailure: IoError | undefined
    let inFlight: PendingWrite | undefined
    const writeFailed = yield* Deferred.make<IoError>()
    const failWrites = (error: IoError) =>
      Effect.flatMap(Queue.takeAll(queue), (queued) =>
        Effect.sync(() => {
          const failure = writeFailure ??= error
          if (inFlight !== undefined) Deferred.unsafeDone(inFlight.done, Effect.fail(failure))
          inFlight = undefined
          for (const item of queued) {
            if (item !== EndOfInput) Deferred.unsafeDone(item.done, Effect.fail(failure))
          }
          Deferred.unsafeDone(writeFailed, Effect.succeed(failure))
        }))
    const nextLine: Effect.Effect<Uint8Array, Option.Option<never>> = Effect.suspend(() => {
      const written = inFlight
      const confirm = written === undefined ? Effect.void : Effect.zipRight(
        nextMacrotask,
        Effect.sync(() => {
          inFlight = undefined
          Deferred.unsafeDone(written.done, Effect.void)
        })
      )
      return Effect.zipRight(confirm, Effect.flatMap(Queue.take(queue), (item) => {
        if (item === EndOfInput) return Effect.fail(Option.none())
        if (item.state === "cancelled") return nextLine
        item.state = "taken"
        item.onCommitted?.()
        inFlight = item
        return Effect.succeed(item.bytes)
      }))
    })
    yield* Stream.repeatEffectOption(nextLine).pipe(
      Stream.run(stdin),
      Effect.matchCauseEffect({
        onFailure: (cause) => failWrites(IoError.fromCause("write to claude's stdin", Cause.squash(cause))),
        onSuccess: () => Effect.void
      }),
      Effect.forkScoped
    )

    const write = (
      line: Uint8Array,
      operation: string,
      onCommitted?: () => void
    ): Effect.Effect<void, NotConnected | IoError> =>
      Effect.suspend(() => {
        if (inputEnded) return Effect.fail(new NotConnected({ reason: "InputEnded", operation }))
        if (writeFailure !== undefined) return Effect.fail(writeFailure)
        const item: PendingWrite = {
          bytes: line,
          state: "queued",
          onCommitted,
          done: Deferred.unsafeMake<void, IoError>(FiberId.none)
        }
        return Effect.flatMap(isExited, (done): Effect.Effect<void, NotConnected | IoError> => {
          if (done) return Effect.fail(new NotConnected({ reason: "ProcessExited", operation }))
          Queue.unsafeOffer(queue, item)
          // interrupted while still queued: withdrawn, never written
          return Effect.onInterrupt(
            Deferred.await(item.done),
            () => Effect.sync(() => {
              if (item.state === "queued") item.state = "cancelled"
            })
          )
        })
      })

    const endInput = Effect.sync(() => {
      if (inputEnded) return
      inputEnded = true
      Queue.unsafeOffer(queue, EndOfInput)
    })
    return {
      write,
      endInput,
      writeFailed: Deferred.await(writeFailed)
    }
  })

/** Spawns claude; the scope's close always ends it (see {@link Child.shutdown}). */
export const spawn = (
  options: SpawnOptions & { readonly grace: { readonly close: Duration.Duration; readonly term: Duration.Duration } }
): Effect.Effect<Child, SpawnError, CommandExecutor.CommandExecutor | FileSystem.FileSystem | Path.Path | Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* resolveExecutable(options.executable, options.env.PATH)
    let command = Command.make(resolved.path, ...options.args).pipe(
      Command.env(options.env, { extendEnv: false }),
      Command.stdin("pipe")
    )
    if (options.cwd !== undefined) command = Command.workingDirectory(command, options.cwd)

    const child = yield* Command.start(command).pipe(
      Effect.mapError((error) => spawnErrorFrom(error, resolved.path, resolved.tried))
    )
    const pid = child.pid as number

    // Exit status, watched from the start.
    const exited = yield* Deferred.make<ExitStatus>()
    yield* child.exitCode.pipe(
      Effect.map((code): ExitStatus => ({ exitCode: code, signal: null })),
      Effect.catchAll((error) => Effect.succeed<ExitStatus>({ exitCode: null, signal: signalFrom(error) })),
      Effect.flatMap((status) => Deferred.succeed(exited, status)),
      Effect.forkScoped
    )

    const { stderrDone, stderrTail } = yield* drainStderr(child.stderr, options.stderrTailBytes, options.onStderrLine)
    const isExited = Deferred.isDone(exited)
    const { endInput, write, writeFailed } = yield* startWriter(child.stdin, isExited)


    // The child leads its own process group (Command spawns it detached): signal the group so
    // that tools the CLI started go too, and fall back to the pid alone.
    const signal = (sig: NodeJS.Signals): Effect.Effect<void> =>
      Effect.flatMap(isExited, (done) =>
        done ? Effect.void : Effect.sync(() => {
          try {
            globalThis.process.kill(-pid, sig)
          } catch {
            try {
              globalThis.process.kill(pid, sig)
            } catch {
              // already gone
            }
          }
        }))

    const awaitExitWithin = (duration: Duration.Duration) =>
      Deferred.await(exited).pipe(Effect.interruptible, Effect.timeoutOption(duration))

    const shutdown = (grace: { readonly close: Duration.Duration; readonly term: Duration.Duration }) =>
      Effect.gen(function*() {
        if (yield* isExited) return yield* Deferred.await(exited)
        yield* endInput
        const closed = yield* awaitExitWithin(grace.close)
        if (Option.isSome(closed)) return closed.value
        yield* Effect.logDebug(`claude (pid ${pid}) still running after stdin closed; sending SIGTERM`)
        yield* signal("SIGTERM")
        const terminated = yield* awaitExitWithin(grace.term)
        if (Option.isSome(terminated)) return terminated.value
        yield* Effect.logWarning(`claude (pid ${pid}) ignored SIGTERM; sending SIGKILL`)
        yield* signal("SIGKILL")
        const killed = yield* awaitExitWithin(Duration.seconds(1))
        if (Option.isNone(killed)) {
          yield* Effect.logError(`claude (pid ${pid}) did not exit after SIGKILL`)
          return undefined
        }
        return killed.value
      }).pipe(
        // Always the wall clock: a TestClock must never freeze a release.
        onWallClock,
        Effect.uninterruptible,
        Effect.withSpan("ClaudeSession.shutdown", { attributes: { pid } })
      )

    // Safety net: whatever the caller does, the process ends with the scope.
    yield* Effect.addFinalizer(() => shutdown(options.grace))

    const stdout: Stream.Stream<Uint8Array, IoError> = Stream.mapError(
      child.stdout,
      (error) => IoError.fromCause("read claude's stdout", error.message)
    )

    return {
      pid,
      executable: resolved.path,
      stdout,
      write,
      endInput,
      writeFailed,
      exit: Deferred.await(exited),
      exitOption: Deferred.poll(exited).pipe(
        Effect.flatMap(Option.match({ onNone: () => Effect.succeedNone, onSome: Effect.asSome }))
      ),
      stderrTail: Effect.zipRight(
        // let the last stderr bytes land once the process has exited
        Effect.flatMap(isExited, (done) =>
          done ? Deferred.await(stderrDone).pipe(Effect.timeoutOption(Duration.millis(200)), onWallClock) : Effect.void),
        stderrTail
      ),
      signal,
      shutdown
    } satisfies Child
  })
