/**
 * `ClaudeSession`: one long-lived `claude` CLI process in stream-json mode, as a scoped
 * service. Building the Layer starts the process; closing its scope always ends it.
 *
 * Reading events: `events` is the session's single stream of typed events. Each event is
 * delivered once: several consumers at the same time share (split) the events, and a
 * consumer that stops at a `ResultEvent` leaves the next turn's events for the next reader,
 * because the stream never puts events of two turns in one chunk. `turnEvents` is exactly
 * that: the events of one turn, ending with its result.
 *
 * @since 0.1.0
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ClaudeError, IoError, SpawnError } from "./ClaudeError.js"
import { NotConnected, ProcessExited, Timeout } from "./ClaudeError.js"
import type { ClaudeEvent, ControlResponse } from "./ClaudeEvent.js"
import * as Event from "./ClaudeEvent.js"
import * as ClaudeOptions from "./ClaudeOptions.js"
import * as Assembler from "./internal/assembler.js"
import { splitLines } from "./internal/framing.js"
import * as Process from "./internal/process.js"

// ---------------------------------------------------------------------------
// Input messages
// ---------------------------------------------------------------------------

/**
 * An image to send: its media type (`image/png`, …) and its bytes in base64.
 *
 * @since 0.1.0
 * @category Models
 */
export interface ImageInput {
  readonly mediaType: string
  readonly data: string
}

/**
 * The answer to a tool call the model made.
 *
 * @since 0.1.0
 * @category Models
 */
export interface ToolResultInput {
  readonly toolUseId: string
  readonly content: string | ReadonlyArray<unknown>
  readonly isError?: boolean | undefined
}

/**
 * A content block of a user message, as it goes on the wire.
 *
 * @since 0.1.0
 * @category Models
 */
export type UserContentBlock =
  | { readonly type: "text"; readonly text: string }
  | {
    readonly type: "image"
    readonly source: { readonly type: "base64"; readonly media_type: string; readonly data: string }
  }
  | {
    readonly type: "tool_result"
    readonly tool_use_id: string
    readonly content: string | ReadonlyArray<unknown>
    readonly is_error: boolean
  }

/**
 * A user message's content: plain text or content blocks.
 *
 * @since 0.1.0
 * @category Models
 */
export type UserContent = string | ReadonlyArray<UserContentBlock>

/**
 * How the process ended, with what it wrote to stderr (the last part of it).
 *
 * @since 0.1.0
 * @category Models
 */
export interface ExitInfo {
  readonly exitCode: number | null
  readonly signal: string | null
  readonly stderr: string
}

// ---------------------------------------------------------------------------
// Service
// ---------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  /** The pid of the claude process. */
  readonly pid: number
  /**
   * The session's events, decoded and typed, control messages excluded. Ends when the
   * process exits cleanly; fails with `ProcessExited` if it dies during a turn or with a
   * non-zero code.
   */
  readonly events: Stream.Stream<ClaudeEvent, ClaudeError>
  /** The events of the next (or current) turn, ending with its `ResultEvent`. */
  readonly turnEvents: Stream.Stream<ClaudeEvent, ClaudeError>
  /** Sends a user message (text or content blocks). */
  readonly send: (content: UserContent) => Effect.Effect<void, NotConnected | IoError>
  /** Sends a text message. */
  readonly sendMessage: (text: string) => Effect.Effect<void, NotConnected | IoError>
  /** Sends text with images. */
  readonly sendMessageWithImages: (
    text: string,
    images: ReadonlyArray<ImageInput>
  ) => Effect.Effect<void, NotConnected | IoError>
  /** Answers a tool call. */
  readonly sendToolResult: (result: ToolResultInput) => Effect.Effect<void, NotConnected | IoError>
  /** Interrupts the running turn. */
  readonly interrupt: Effect.Effect<void, NotConnected>
  /** Closes stdin: the CLI finishes the current turn and exits; later sends fail with `NotConnected`. */
  readonly endInput: Effect.Effect<void>
  /** Waits for the process to exit (default limit: 60 s). */
  readonly awaitExit: (options?: { readonly timeout?: Duration.DurationInput }) => Effect.Effect<ExitInfo, Timeout>
  /** Ends input and waits for the exit, escalating to SIGTERM then SIGKILL after the grace periods. */
  readonly close: Effect.Effect<ExitInfo>
  /** Kills the process now (SIGKILL). */
  readonly kill: Effect.Effect<ExitInfo>
  /** Whether the process has exited. */
  readonly isFinished: Effect.Effect<boolean>
  /** The last part of what the process wrote to stderr so far. */
  readonly stderr: Effect.Effect<string>
  /** The session id, once the CLI reported it. */
  readonly sessionId: Effect.Effect<Option.Option<string>>
  /** The `init` message of the current session, once the CLI printed it. */
  readonly init: Effect.Effect<Option.Option<Event.SystemInit>>
}

/**
 * The `ClaudeSession` service.
 *
 * @since 0.1.0
 * @category Tags
 */
export class ClaudeSession extends Context.Tag("effect-claude-session/ClaudeSession")<ClaudeSession, Service>() {}

/**
 * What `make` needs from the platform (`NodeContext.layer` provides all of it).
 *
 * @since 0.1.0
 * @category Models
 */
export type Requirements = CommandExecutor.CommandExecutor | FileSystem.FileSystem | Path.Path

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

const encoder = new TextEncoder()

/**
 * The stdin line of a user message.
 *
 * @since 0.1.0
 * @category Encoding
 */
export const encodeUserMessage = (content: UserContent): string =>
  JSON.stringify({
    type: "user",
    session_id: "",
    message: { role: "user", content },
    parent_tool_use_id: null
  })

/**
 * The content blocks of a text message with images.
 *
 * @since 0.1.0
 * @category Encoding
 */
export const imageContent = (text: string, images: ReadonlyArray<ImageInput>): Array<UserContentBlock> => [
  ...images.map((image): UserContentBlock => ({
    type: "image",
    source: { type: "base64", media_type: image.mediaType, data: image.data }
  })),
  { type: "text", text }
]

/**
 * The content blocks of a tool result.
 *
 * @since 0.1.0
 * @category Encoding
 */
export const toolResultContent = (result: ToolResultInput): Array<UserContentBlock> => [{
  type: "tool_result",
  tool_use_id: result.toolUseId,
  content: result.content,
  is_error: result.isError ?? false
}]

// ---------------------------------------------------------------------------
// Event delivery: chunks never cross a turn boundary
// ---------------------------------------------------------------------------

/**
 * Turns a mailbox of events into a pull that never returns events of two turns in one
 * chunk, so that a consumer stopping at a result leaves the rest for the next consumer.
 *
 * @internal
 */
export const makeEventPull = <E>(mailbox: Mailbox.ReadonlyMailbox<ClaudeEvent, E>) =>
  Effect.gen(function*() {
    let leftover: Array<ClaudeEvent> = []
    const lock = yield* Effect.makeSemaphore(1)
    const cut = (events: Array<ClaudeEvent>): Chunk.Chunk<ClaudeEvent> => {
      const index = events.findIndex(Event.isResult)
      if (index === -1 || index === events.length - 1) {
        leftover = []
        return Chunk.unsafeFromArray(events)
      }
      leftover = events.slice(index + 1)
      return Chunk.unsafeFromArray(events.slice(0, index + 1))
    }
    const pull: Effect.Effect<Chunk.Chunk<ClaudeEvent>, Option.Option<E>> = Effect.suspend(() => {
      if (leftover.length > 0) return Effect.succeed(cut(leftover))
      return mailbox.takeAll.pipe(
        Effect.mapError(Option.some),
        Effect.flatMap(([chunk, done]) =>
          Chunk.isEmpty(chunk)
            ? done ? Effect.fail(Option.none()) : Effect.succeed(Chunk.empty())
            : Effect.succeed(cut(Chunk.toArray(chunk) as Array<ClaudeEvent>))
        )
      )
    }).pipe(lock.withPermits(1))
    const events = Stream.repeatEffectChunkOption(pull)
    return {
      events,
      turnEvents: Stream.takeUntil(events, Event.isResult)
    }
  })

// ---------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------

const defaultCloseGrace = Duration.seconds(5)
const defaultTermGrace = Duration.seconds(5)

/**
 * Starts a claude process and returns the service for it. The process ends when the scope
 * closes: stdin is closed, then SIGTERM after the close grace period, then SIGKILL after the
 * terminate grace period.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (
  options: ClaudeOptions.Options = {}
): Effect.Effect<Service, SpawnError, Requirements | Scope.Scope> =>
  Effect.gen(function*() {
    const grace = {
      close: Duration.decode(options.closeGracePeriod ?? defaultCloseGrace),
      term: Duration.decode(options.terminateGracePeriod ?? defaultTermGrace)
    }
    const child = yield* Process.spawn({
      executable: options.executable,
      args: ClaudeOptions.toArgs(options),
      env: ClaudeOptions.toEnv(options, globalThis.process.env),
      cwd: options.cwd,
      stderrTailBytes: options.stderrTailBytes ?? 64 * 1024,
      grace
    })
    const pid = child.pid
    const debugLines = options.debugLines === true

    const mailbox = yield* Mailbox.make<ClaudeEvent, ClaudeError>({ capacity: options.eventBufferSize ?? 4096 })
    // Set when we end the process ourselves: its exit is then not an error.
    let stopping = false
    let turnOpen = false
    const clock = yield* Effect.clock
    const now = () => clock.unsafeCurrentTimeMillis()
    let lastActivity = now()
    let sessionId = Option.none<string>()
    let init = Option.none<Event.SystemInit>()
    const pendingControl = new Map<string, Deferred.Deferred<ControlResponse>>()

    const exitError = (status: Process.ExitStatus) =>
      Effect.map(child.stderrTail, (stderrTail) =>
        new ProcessExited({
          pid,
          exitCode: status.exitCode,
          signal: status.signal,
          turnOpen,
          stderrTail
        }))

    const assemble = Assembler.make()

    // Reads stdout for the session's whole life, so control requests are answered even when
    // nobody consumes events.
    const handleLines = (lines: Chunk.Chunk<string>) =>
      Effect.suspend(() => {
        lastActivity = now()
        const out: Array<ClaudeEvent> = []
        for (const line of lines) {
          if (line.length === 0) continue
          const decoded = Event.decodeLine(line)
          if (Either.isLeft(decoded)) {
            return Effect.zipRight(mailbox.offerAll(out), Effect.fail(decoded.left))
          }
          const event = decoded.right
          if (event instanceof Event.ControlResponse) {
            const deferred = pendingControl.get(event.response.request_id)
            if (deferred !== undefined) {
              pendingControl.delete(event.response.request_id)
              Deferred.unsafeDone(deferred, Effect.succeed(event))
            }
          } else if (event instanceof Event.ControlRequest || event instanceof Event.ControlCancelRequest) {
            // answered by the control protocol
          } else if (event instanceof Event.ResultEvent) {
            turnOpen = false
            sessionId = Option.some(event.session_id)
            out.push(event)
          } else if (event instanceof Event.StreamEvent) {
            out.push(assemble(event))
          } else {
            if (event instanceof Event.SystemInit) {
              init = Option.some(event)
              sessionId = Option.some(event.session_id)
            }
            out.push(event)
          }
        }
        return debugLines
          ? Effect.zipRight(
            Effect.forEach(lines, (line) => Effect.logDebug("claude → ", line), { discard: true }),
            mailbox.offerAll(out)
          )
          : mailbox.offerAll(out)
      })

    const finishStream = Effect.gen(function*() {
      // stdout closed: the process is exiting; its status decides how the stream ends.
      const status = yield* child.exit.pipe(Effect.timeoutOption(grace.close))
      if (stopping) return yield* mailbox.end
      if (Option.isNone(status)) {
        // stdout closed but the process lives on: treat as gone.
        return yield* mailbox.fail(
          new ProcessExited({ pid, exitCode: null, signal: null, turnOpen, stderrTail: yield* child.stderrTail })
        )
      }
      const { exitCode, signal } = status.value
      if (turnOpen || exitCode !== 0 || signal !== null) {
        return yield* mailbox.fail(yield* exitError(status.value))
      }
      return yield* mailbox.end
    })

    yield* child.stdout.pipe(
      splitLines(options.maxLineBytes),
      Stream.runForEachChunk(handleLines),
      Effect.matchCauseEffect({
        onFailure: (cause) => mailbox.failCause(cause),
        onSuccess: () => finishStream
      }),
      Effect.forkScoped,
      Effect.interruptible
    )

    // Idle watchdog: a turn that sees no output for too long fails with Timeout.
    if (options.idleTimeout !== undefined) {
      const idle = Duration.toMillis(Duration.decode(options.idleTimeout))
      yield* Effect.gen(function*() {
        for (;;) {
          yield* Effect.sleep(Duration.millis(Math.max(10, Math.min(idle / 4, 1000))))
          if (turnOpen && now() - lastActivity > idle) {
            yield* mailbox.fail(new Timeout({ operation: "waiting for claude output during a turn", millis: idle }))
            stopping = true
            yield* Effect.forkDaemon(child.shutdown({ close: Duration.zero, term: grace.term }))
            return
          }
        }
      }).pipe(Effect.forkScoped)
    }

    const exitInfo = (status: Process.ExitStatus | undefined) =>
      Effect.map(child.stderrTail, (stderr): ExitInfo => ({
        exitCode: status?.exitCode ?? null,
        signal: status?.signal ?? null,
        stderr
      }))

    const close = Effect.suspend(() => {
      stopping = true
      return Effect.flatMap(child.shutdown(grace), exitInfo)
    }).pipe(Effect.withSpan("ClaudeSession.close", { attributes: { pid } }))

    // Release: stop delivering events (the reader keeps draining stdout so the CLI never
    // blocks on a full pipe), then end the process within the grace periods.
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        stopping = true
        return Effect.zipRight(mailbox.end, child.shutdown(grace))
      })
    )

    const writeLine = (line: string, operation: string) =>
      Effect.suspend(() => {
        const write = child.write(encoder.encode(line + "\n"), operation)
        return debugLines ? Effect.zipRight(Effect.logDebug("claude ← ", line), write) : write
      })

    const send = (content: UserContent) =>
      writeLine(encodeUserMessage(content), "send").pipe(
        Effect.tap(() =>
          Effect.sync(() => {
            turnOpen = true
            lastActivity = now()
          })
        )
      )

    const { events, turnEvents } = yield* makeEventPull(mailbox)

    const interrupt = Effect.gen(function*() {
      if (Option.isSome(yield* child.exitOption)) {
        return yield* new NotConnected({ reason: "ProcessExited", operation: "interrupt" })
      }
      yield* child.signal("SIGINT")
    })

    yield* Effect.annotateCurrentSpan({ pid, executable: child.executable })

    return ClaudeSession.of({
      pid,
      events,
      turnEvents,
      send,
      sendMessage: (text) => send(text),
      sendMessageWithImages: (text, images) => send(imageContent(text, images)),
      sendToolResult: (result) => send(toolResultContent(result)),
      interrupt,
      endInput: child.endInput,
      awaitExit: (opts) => {
        const millis = Duration.toMillis(Duration.decode(opts?.timeout ?? Duration.seconds(60)))
        return child.exit.pipe(
          Effect.timeoutFail({
            duration: Duration.millis(millis),
            onTimeout: () => new Timeout({ operation: "awaitExit", millis })
          }),
          Effect.flatMap(exitInfo)
        )
      },
      close,
      kill: Effect.suspend(() => {
        stopping = true
        return Effect.zipRight(
          child.signal("SIGKILL"),
          Effect.flatMap(child.exit.pipe(Effect.timeoutOption(Duration.seconds(2))), (status) =>
            exitInfo(Option.getOrUndefined(status)))
        )
      }),
      isFinished: Effect.map(child.exitOption, Option.isSome),
      stderr: child.stderrTail,
      sessionId: Effect.sync(() => sessionId),
      init: Effect.sync(() => init)
    })
  }).pipe(Effect.withSpan("ClaudeSession.make"))

/**
 * A scoped Layer: the process starts when the Layer is built and ends with its scope.
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (options: ClaudeOptions.Options = {}): Layer.Layer<ClaudeSession, SpawnError, Requirements> =>
  Layer.scoped(ClaudeSession, make(options))
