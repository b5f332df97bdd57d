/**
 * A scripted, in-memory `ClaudeSession` for the tests of applications built on it: no
 * process, no network. The test says which events answer which sends, and inspects what
 * was sent through the `Driver`.
 *
 * ```ts
 * const TestSession = ClaudeSessionTest.layer([
 *   ClaudeSessionTest.reply("hello", ClaudeSessionTest.textTurn("Hi there!"))
 * ])
 * it.effect("greets", () => myApp.pipe(Effect.provide(TestSession)))
 * ```
 *
 * @since 0.1.0
 */
import * as Path from "@effect/platform/Path"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { InvalidOption } from "./ClaudeError.js"
import { NotConnected, ProcessExited, Timeout } from "./ClaudeError.js"
import type { ClaudeEvent } from "./ClaudeEvent.js"
import * as Event from "./ClaudeEvent.js"
import * as ClaudeSessionPool from "./ClaudeSessionPool.js"
import type { ExitInfo, Service, UserContent } from "./ClaudeSession.js"
import { ClaudeSession, controlOperations, initializationFields, sendOperations } from "./ClaudeSession.js"
import * as ApiErrors from "./internal/apiErrors.js"
import * as Delivery from "./internal/delivery.js"
import * as Lifecycle from "./internal/lifecycle.js"
import * as Turns from "./internal/turns.js"

/**
 * Which sends a reply answers: a substring or pattern of the message's text, or a predicate
 * on its content. No matcher answers any send.
 *
 * @since 0.1.0
 * @category Models
 */
export type Matcher = string | RegExp | ((content: UserContent) => boolean)

/**
 * A scripted answer: the events printed when a matching message is sent.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Reply {
  readonly match?: Matcher | undefined
  readonly events: ReadonlyArray<ClaudeEvent> | ((content: UserContent) => ReadonlyArray<ClaudeEvent>)
}

/**
 * Inspects and drives a test session.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Driver {
  /** Every user message sent, in order. */
  readonly sent: Effect.Effect<ReadonlyArray<UserContent>>
  /** The text of every user message sent, in order. */
  readonly sentTexts: Effect.Effect<ReadonlyArray<string>>
  /** How many times `interrupt` was called. */
  readonly interrupts: Effect.Effect<number>
  /** Every control request made (`setModel`, `request`, …), in order. */
  readonly controlRequests: Effect.Effect<ReadonlyArray<{ readonly subtype: string; readonly fields: unknown }>>
  /** Adds replies to the script. */
  readonly push: (...replies: ReadonlyArray<Reply>) => Effect.Effect<void>
  /** Prints events now, as if the CLI had printed them. */
  readonly emit: (...events: ReadonlyArray<ClaudeEvent>) => Effect.Effect<void>
  /** Simulates the process exiting with a code (and stderr). */
  readonly exit: (code: number, stderr?: string) => Effect.Effect<void>
}

/**
 * The driver of the test session in the context.
 *
 * @since 0.1.0
 * @category Tags
 */
export class ClaudeSessionTestDriver extends Context.Tag("effect-claude-session/ClaudeSessionTest/Driver")<
  ClaudeSessionTestDriver,
  Driver
>() {}

// ---------------------------------------------------------------------------
// Event builders
// ---------------------------------------------------------------------------

/**
 * The session id used by the builders.
 *
 * @since 0.1.0
 * @category Constants
 */
export const sessionId = "00000000-0000-4000-8000-000000000000"

/**
 * A `system`/`init` event.
 *
 * @since 0.1.0
 * @category Builders
 */
export const init = (fields: Partial<Omit<Event.SystemInit, "type" | "subtype">> = {}): Event.SystemInit =>
  new Event.SystemInit({
    type: "system",
    subtype: "init",
    session_id: sessionId,
    model: "claude-test",
    tools: [],
    cwd: "/",
    permissionMode: "default",
    mcp_servers: [],
    ...fields
  })

/**
 * An assistant message with text.
 *
 * @since 0.1.0
 * @category Builders
 */
export const assistantText = (text: string): Event.AssistantEvent =>
  new Event.AssistantEvent({
    type: "assistant",
    message: { role: "assistant", content: [{ type: "text", text }], stop_reason: null },
    parent_tool_use_id: null,
    session_id: sessionId
  })

/**
 * An assistant message calling a tool.
 *
 * @since 0.1.0
 * @category Builders
 */
export const toolUse = (name: string, input: unknown, id: string = `toolu_${name}`): Event.AssistantEvent =>
  new Event.AssistantEvent({
    type: "assistant",
    message: { role: "assistant", content: [{ type: "tool_use", id, name, input }], stop_reason: null },
    parent_tool_use_id: null,
    session_id: sessionId
  })

/**
 * A user message carrying a tool result, as the CLI echoes it after running a tool.
 *
 * @since 0.1.0
 * @category Builders
 */
export const toolResult = (toolUseId: string, content: string, isError = false): Event.UserEvent =>
  new Event.UserEvent({
    type: "user",
    message: { role: "user", content: [{ type: "tool_result", tool_use_id: toolUseId, content, is_error: isError }] },
    parent_tool_use_id: null,
    session_id: sessionId
  })

/**
 * A result event; `subtype` defaults to `success`.
 *
 * @since 0.1.0
 * @category Builders
 */
export const result = (
  fields: Partial<Omit<Event.ResultEvent, "type" | "isSuccess" | "_tag">> = {}
): Event.ResultEvent => {
  const subtype = fields.subtype ?? "success"
  return new Event.ResultEvent({
    type: "result",
    subtype,
    is_error: subtype !== "success",
    session_id: sessionId,
    duration_ms: 1,
    duration_api_ms: 1,
    num_turns: 1,
    total_cost_usd: 0,
    usage: { input_tokens: 0, output_tokens: 0 },
    permission_denials: [],
    ...fields
  })
}

/**
 * A result as the real CLI prints it when the Messages API failed the turn with `status`:
 * subtype `success`, `is_error`, the status, the API's error type and the terminal reason.
 *
 * @since 0.1.0
 * @category Builders
 */
export const apiErrorResult = (
  status: number,
  fields: Partial<Omit<Event.ResultEvent, "type" | "isSuccess" | "_tag">> = {}
): Event.ResultEvent =>
  result({
    is_error: true,
    result: `API Error: ${status}`,
    api_error_status: status,
    api_error_type: ApiErrors.typeOf(status),
    terminal_reason: ApiErrors.terminalReasonOf(status),
    ...fields
  })

/**
 * A whole text turn: an assistant message and a successful result with the same text.
 *
 * @since 0.1.0
 * @category Builders
 */
export const textTurn = (text: string, fields: Partial<Omit<Event.ResultEvent, "type" | "isSuccess" | "_tag">> = {}) => [
  assistantText(text),
  result({ result: text, ...fields })
]

/**
 * A scripted reply.
 *
 * @since 0.1.0
 * @category Builders
 */
export const reply = (match: Matcher | undefined, events: Reply["events"]): Reply => ({ match, events })

/**
 * The text of a user message's content.
 *
 * @since 0.1.0
 * @category Utils
 */
export const contentText = (content: UserContent): string =>
  typeof content === "string"
    ? content
    : content.map((block) => (block.type === "text" ? block.text : "")).join("")

const matches = (matcher: Matcher | undefined, content: UserContent): boolean => {
  if (matcher === undefined) return true
  if (typeof matcher === "function") return matcher(content)
  const text = contentText(content)
  return typeof matcher === "string" ? text.includes(matcher) : matcher.test(text)
}

// ---------------------------------------------------------------------------
// Parts of a test session
// ---------------------------------------------------------------------------

/** What the parts of a test session share: its buffer, its end, and what the fake CLI did. */
interface State {
  readonly pid: number
  readonly delivery: Delivery.Delivery
  readonly lifecycle: Lifecycle.Lifecycle
  /** `endInput` was called: later sends fail. */
  inputEnded: boolean
  /** Messages sent and not yet answered by a result. */
  openTurns: number
  /** A message was sent: the session has its `init`. */
  sessionStarted: boolean
}

/** The same delivery and terminal state as the real session, ended with the scope. */
const makeState: Effect.Effect<State, never, Scope.Scope> = Effect.gen(function*() {
  const delivery = yield* Delivery.make({
    highWaterMark: Number.POSITIVE_INFINITY,
    maxBufferedBytes: Number.POSITIVE_INFINITY
  })
  const lifecycle = Lifecycle.make()
  lifecycle.onTerminate((terminal) => delivery.end(terminal.error))
  yield* Effect.addFinalizer(() => Effect.sync(() => lifecycle.terminate({ reason: "Closed", error: undefined })))
  return {
    pid: 1_000_000 + Math.floor(Math.random() * 1_000_000),
    delivery,
    lifecycle,
    inputEnded: false,
    openTurns: 0,
    sessionStarted: false
  }
})

/** Owns the replies: the first unused one matching a message answers it, and is used up. */
const makeScript = (script: ReadonlyArray<Reply>) =>
  Effect.map(Ref.make(script), (replies) => ({
    push: (more: ReadonlyArray<Reply>) => Ref.update(replies, (all) => [...all, ...more]),
    answer: (content: UserContent): Effect.Effect<ReadonlyArray<ClaudeEvent>> =>
      Effect.map(
        Ref.modify(replies, (all): [Reply | undefined, ReadonlyArray<Reply>] => {
          const index = all.findIndex((candidate) => matches(candidate.match, content))
          return index === -1 ? [undefined, all] : [all[index], [...all.slice(0, index), ...all.slice(index + 1)]]
        }),
        (chosen) =>
          chosen === undefined
            ? [result({
              subtype: "error_during_execution",
              errors: [`ClaudeSessionTest: no scripted reply matches ${JSON.stringify(contentText(content))}`]
            })]
            : typeof chosen.events === "function"
            ? chosen.events(content)
            : chosen.events
      )
  }))

type Script = Effect.Effect.Success<ReturnType<typeof makeScript>>

/** Owns the process's end: the exit info, `exit`, `endInput`, `kill` and `awaitExit`. */
const makeExits = (state: State) =>
  Effect.gen(function*() {
    const stderr = yield* Ref.make("")
    const exited = yield* Ref.make(Option.none<ExitInfo>())
    const exitedSignal = yield* Deferred.make<void>()

    // the first exit's info stays; the lifecycle keeps the first terminal state
    const setExited = (info: ExitInfo, terminal: Lifecycle.Terminal) =>
      Effect.zipRight(
        Ref.update(exited, Option.orElseSome(() => info)),
        Effect.zipRight(
          Deferred.succeed(exitedSignal, undefined),
          Effect.sync(() => state.lifecycle.terminate(terminal))
        )
      )

    const exitInfo = Effect.map(Ref.get(exited), Option.getOrElse((): ExitInfo => ({
      exitCode: 0,
      signal: null,
      stderr: ""
    })))

    const exit = (code: number, text = "") =>
      Effect.gen(function*() {
        yield* Ref.set(stderr, text)
        const turnOpen = state.openTurns > 0
        yield* setExited(
          { exitCode: code, signal: null, stderr: text },
          code !== 0 || turnOpen
            ? {
              reason: "ProcessExited",
              error: new ProcessExited({ pid: state.pid, exitCode: code, signal: null, turnOpen, stderrTail: text })
            }
            : { reason: "ProcessExited", error: undefined }
        )
      })

    const endInput = Effect.suspend(() => {
      if (state.inputEnded) return Effect.void
      state.inputEnded = true
      return setExited({ exitCode: 0, signal: null, stderr: "" }, { reason: "ProcessExited", error: undefined })
    })

    const awaitExit: Service["awaitExit"] = (options) =>
      Effect.gen(function*() {
        const millis = Duration.toMillis(Duration.decode(options?.timeout ?? Duration.seconds(60)))
        return yield* Deferred.await(exitedSignal).pipe(
          Effect.zipRight(exitInfo),
          Effect.timeoutFail({
            duration: Duration.millis(millis),
            onTimeout: () => new Timeout({ operation: "awaitExit", millis })
          })
        )
      })

    const kill = Effect.zipRight(
      setExited({ exitCode: null, signal: "SIGKILL", stderr: "" }, { reason: "Closed", error: undefined }),
      exitInfo
    )

    return { stderr: Ref.get(stderr), exitInfo, exit, endInput, awaitExit, kill }
  })

type Exits = Effect.Effect.Success<ReturnType<typeof makeExits>>

/** Prints events as the CLI would; a result closes an open turn. */
const emit = (state: State, events: ReadonlyArray<ClaudeEvent>) =>
  Effect.sync(() => {
    for (const event of events) if (Event.isResult(event) && state.openTurns > 0) state.openTurns--
    state.delivery.offer(events, 0)
  })

/** Owns sending: records the message, opens a turn, and prints the scripted answer. */
const makeSend = (state: State, script: Script, sent: Ref.Ref<ReadonlyArray<UserContent>>) =>
(content: UserContent, onCommitted?: () => void) =>
  Effect.gen(function*() {
    if (state.inputEnded) return yield* new NotConnected({ reason: "InputEnded", operation: "send" })
    yield* state.lifecycle.guard("send")
    yield* Ref.update(sent, (all) => [...all, content])
    state.openTurns++
    onCommitted?.()
    const events = yield* script.answer(content)
    // the first answer starts the session: an init first, unless the script has its own
    if (!state.sessionStarted) {
      state.sessionStarted = true
      if (!events.some(Event.isSystemInit)) yield* emit(state, [init()])
    }
    yield* emit(state, events)
  })

/** Assembles the `ClaudeSession` service from the parts of a test session. */
const makeService = (
  state: State,
  exits: Exits,
  parts: {
    readonly send: ReturnType<typeof makeSend>
    readonly request: (
      subtype: string,
      fields?: Readonly<Record<string, unknown>>
    ) => Effect.Effect<unknown, NotConnected>
    readonly interrupts: Ref.Ref<number>
  }
): Service => {
  const { interrupts, request, send } = parts
  const ended = state.lifecycle.guard

  // like the CLI's interrupt: an open turn ends with an error_during_execution result
  const interruptTurn = Effect.zipRight(
    Ref.update(interrupts, (n) => n + 1),
    Effect.suspend(() =>
      state.openTurns > 0 ? emit(state, [result({ subtype: "error_during_execution", is_error: true })]) : Effect.void
    )
  )

  const helpers = Turns.make({
    send,
    delivery: state.delivery,
    onAbandon: interruptTurn,
    model: Effect.sync(() => state.sessionStarted ? Option.some("claude-test") : Option.none())
  })

  return ClaudeSession.of({
    pid: state.pid,
    events: state.delivery.events,
    turnEvents: state.delivery.turnEvents,
    ...helpers,
    ...sendOperations((content: UserContent) => send(content)),
    interrupt: Effect.zipRight(ended("interrupt"), interruptTurn),
    interruptWithSignal: Effect.zipRight(
      Effect.zipRight(ended("interrupt"), Ref.update(interrupts, (n) => n + 1)),
      exits.exit(0)
    ),
    endInput: exits.endInput,
    awaitExit: exits.awaitExit,
    close: Effect.zipRight(exits.endInput, exits.exitInfo),
    kill: exits.kill,
    isFinished: Effect.sync(() => state.lifecycle.current() !== undefined),
    stderr: exits.stderr,
    sessionId: Effect.sync(() => state.sessionStarted ? Option.some(sessionId) : Option.none()),
    init: Effect.sync(() => state.sessionStarted ? Option.some(init()) : Option.none()),
    ...initializationFields(Option.none()),
    cliVersion: Effect.succeed(Option.some("test")),
    capabilities: Effect.succeed(new Set<string>()),
    request: (subtype, fields) => request(subtype, fields),
    ...controlOperations(request),
    controlMessages: Stream.empty,
    flushTranscript: Effect.void
  })
}

// ---------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------

/**
 * A scripted session and its driver. The first unused reply whose matcher accepts a sent
 * message answers it; a message no reply matches is answered by an error result naming it.
 * `interrupt` ends an open turn with an `error_during_execution` result; `endInput` ends the
 * event stream.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (
  script: ReadonlyArray<Reply> = []
): Effect.Effect<{ readonly session: Service; readonly driver: Driver }, never, Scope.Scope> =>
  Effect.gen(function*() {
    const state = yield* makeState
    const replies = yield* makeScript(script)
    const exits = yield* makeExits(state)
    const sent = yield* Ref.make<ReadonlyArray<UserContent>>([])
    const interrupts = yield* Ref.make(0)
    const controlRequests = yield* Ref.make<ReadonlyArray<{ readonly subtype: string; readonly fields: unknown }>>([])

    const request = (subtype: string, fields: Readonly<Record<string, unknown>> = {}) =>
      Effect.zipRight(
        state.lifecycle.guard(subtype),
        Ref.update(controlRequests, (all) => [...all, { subtype, fields }])
      ).pipe(Effect.as({} as unknown))

    const driver: Driver = {
      sent: Ref.get(sent),
      sentTexts: Effect.map(Ref.get(sent), (all) => all.map(contentText)),
      interrupts: Ref.get(interrupts),
      controlRequests: Ref.get(controlRequests),
      push: (...more) => replies.push(more),
      emit: (...more) => emit(state, more),
      exit: exits.exit
    }
    const session = makeService(state, exits, { send: makeSend(state, replies, sent), request, interrupts })
    return { session, driver }
  })

/**
 * A Layer providing a scripted `ClaudeSession` and its `ClaudeSessionTestDriver`.
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (
  script: ReadonlyArray<Reply> = []
): Layer.Layer<ClaudeSession | ClaudeSessionTestDriver> =>
  Layer.scopedContext(
    Effect.map(make(script), ({ driver, session }) =>
      Context.make(ClaudeSession, session).pipe(Context.add(ClaudeSessionTestDriver, driver)))
  )

/**
 * A `ClaudeSessionPool` for tests: every session it hands out is a scripted session answering
 * from `script` (claims are accepted as they are: a scripted session has no folder).
 *
 * @since 0.1.0
 * @category Layers
 */
export const poolLayer = (
  script: ReadonlyArray<Reply> = [],
  options: Omit<ClaudeSessionPool.Options, "session" | "warm"> = {}
): Layer.Layer<ClaudeSessionPool.ClaudeSessionPool, InvalidOption> =>
  Layer.scoped(
    ClaudeSessionPool.ClaudeSessionPool,
    ClaudeSessionPool.makeWith(() => Effect.map(make(script), ({ session }) => session), {
      ...options,
      warm: "initialized"
    })
  ).pipe(Layer.provide(Path.layer))
