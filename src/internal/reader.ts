/**
 * The stdout reader: one fiber for the session's whole life, reading lines and applying what
 * the router found. It never waits on event readers (delivery only buffers) nor on our
 * callbacks (they run in their own fibers), so control traffic always flows. After the
 * session ended it keeps draining stdout, so the CLI never blocks on a full pipe.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import type { ClaudeError, IoError } from "../ClaudeError.js"
import { BufferOverflow } from "../ClaudeError.js"
import type * as Event from "../ClaudeEvent.js"
import * as ClaudeTurn from "../ClaudeTurn.js"
import { ControlCancelRequest, ControlRequest } from "../ClaudeEvent.js"
import type { Activity } from "./activity.js"
import * as Assembler from "./assembler.js"
import type { ControlClient } from "./controlClient.js"
import type { ControlServer } from "./controlServer.js"
import type { Delivery } from "./delivery.js"
import { splitLines } from "./framing.js"
import type { Lifecycle } from "./lifecycle.js"
import * as Router from "./router.js"
import * as ToolSpans from "./toolSpans.js"

/** What the session learned from the CLI's output. */
export interface SessionInfo {
  init: Option.Option<Event.SystemInit>
  sessionId: Option.Option<string>
}

/** Reports a control message to the `controlMessages` subscribers, if someone subscribed. */
export type Trace = (direction: "in" | "out", message: unknown) => Effect.Effect<void> | undefined

/** Starts the reader; `closed` completes when stdout ends. */
export const start = (options: {
  readonly stdout: Stream.Stream<Uint8Array, IoError>
  readonly maxLineBytes: number | undefined
  readonly skipBadLines: boolean
  readonly debugLines: boolean
  readonly maxBufferedBytes: number
  readonly delivery: Delivery
  readonly activity: Activity
  readonly lifecycle: Lifecycle
  readonly client: ControlClient
  readonly server: ControlServer
  readonly info: SessionInfo
  readonly span: Tracer.Span
  readonly trace: Trace
  /** Takes the `transcript_mirror` frames (also those after the session ended). */
  readonly onMirror?: ((frames: ReadonlyArray<Event.UnknownEvent>) => Effect.Effect<void>) | undefined
}): Effect.Effect<{ readonly closed: Deferred.Deferred<void> }, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { activity, delivery, lifecycle } = options
    const assemble = Assembler.make()
    const toolSpans = ToolSpans.make(options.span)
    const counted = new Map<string, number>()
    const reportCounts = Effect.suspend(() => {
      const counts = [...counted]
      counted.clear()
      return Effect.forEach(counts, ([type, count]) =>
        Metric.incrementBy(Metric.tagged(ClaudeTurn.messages, "type", type), count), { discard: true })
    })
    const closed = yield* Deferred.make<void>()
    const fail = (error: ClaudeError) => Effect.sync(() => lifecycle.terminate({ reason: "Failed", error }))

    const control = (message: Event.ControlMessage): Effect.Effect<void> => {
      if (message instanceof ControlRequest) return options.server.handle(message)
      if (message instanceof ControlCancelRequest) return options.server.cancel(message)
      return options.client.resolve(message)
        ? Effect.void
        : Effect.logWarning(`claude answered an unknown control request ${message.response.request_id}; ignored`)
    }

    const handleLines = (lines: Chunk.Chunk<string>): Effect.Effect<void> =>
      Effect.suspend(() => {
        activity.touch()
        // ended: drain and drop (but for the transcript mirror), so the CLI never blocks on a full pipe
        if (lifecycle.current() !== undefined) {
          if (options.onMirror !== undefined) {
            const mirrored = Router.route(
              Chunk.toReadonlyArray(lines).filter((line) => line.includes("\"transcript_mirror\"")),
              { assemble, skipBadLines: true }
            ).mirror
            if (mirrored !== undefined) return options.onMirror(mirrored)
          }
          return Effect.void
        }
        const array = Chunk.toReadonlyArray(lines)
        const routed = Router.route(array, { assemble, skipBadLines: options.skipBadLines })
        const effects: Array<Effect.Effect<void>> = []
        if (options.debugLines) for (const line of array) effects.push(Effect.logDebug(`claude → ${line}`))
        for (const message of routed.control) {
          const traced = options.trace("in", message)
          if (traced !== undefined) effects.push(traced)
          effects.push(control(message))
        }
        for (const error of routed.skipped) effects.push(Effect.logWarning("skipped a bad line from claude", error.message))
        if (routed.init !== undefined) {
          options.info.init = Option.some(routed.init)
          options.span.attribute("claude.model", routed.init.model)
        }
        if (routed.sessionId !== undefined) {
          options.info.sessionId = Option.some(routed.sessionId)
          options.span.attribute("claude.session_id", routed.sessionId)
        }
        for (let i = 0; i < routed.results; i++) activity.resultSeen()
        // counted here, reported at each result (a tagged metric update builds its key: too
        // dear per read); tool calls and results (rare among the deltas) make spans
        let tools: Array<Event.ClaudeEvent> | undefined
        if (routed.streamEvents > 0) counted.set("stream_event", (counted.get("stream_event") ?? 0) + routed.streamEvents)
        for (const event of routed.others) {
          counted.set(event.type, (counted.get(event.type) ?? 0) + 1)
          if (event.type === "assistant" || event.type === "user") (tools ??= []).push(event)
        }
        if (tools !== undefined) effects.push(toolSpans.observe(tools))
        if (routed.results > 0) effects.push(reportCounts)
        const offered = delivery.offer(routed.events, routed.bytes)
        if (offered === "overHighWater") {
          const { events } = delivery.buffered()
          effects.push(Effect.logWarning(`${events} events are buffered unread; read events or a turn`))
        } else if (offered === "overflow") {
          const { bytes, events } = delivery.buffered()
          effects.push(fail(new BufferOverflow({ events, bytes, limit: options.maxBufferedBytes })))
        }
        if (routed.mirror !== undefined && options.onMirror !== undefined) effects.push(options.onMirror(routed.mirror))
        if (routed.failure !== undefined) effects.push(fail(routed.failure))
        return effects.length === 0 ? Effect.void : Effect.all(effects, { discard: true })
      })

    yield* options.stdout.pipe(
      splitLines(options.maxLineBytes),
      Stream.runForEachChunk(handleLines),
      Effect.catchAll(fail),
      Effect.ensuring(Effect.all([reportCounts, toolSpans.endAll, Deferred.succeed(closed, undefined)], { discard: true })),
      Effect.withSpan("ClaudeSession.read", { parent: options.span, captureStackTrace: false }),
      Effect.forkScoped,
      Effect.interruptible
    )
    return { closed }
  })
