/**
 * The turn helpers (`turn`, `turnStream`, `turnStructured`), shared by the real and the test
 * session. A turn holds the delivery lease from its send to its result, so no other reader
 * sees its events. A turn given up before its result (a timeout, an interrupt, a stream
 * consumer that stops early) is abandoned: its remaining events are discarded up to and
 * including its result, and `onAbandon` (the real session interrupts the CLI's turn) runs,
 * so the next turn sees only its own events.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import type { ClaudeError } from "../ClaudeError.js"
import { NotConnected } from "../ClaudeError.js"
import type { ClaudeEvent } from "../ClaudeEvent.js"
import { ResultEvent } from "../ClaudeEvent.js"
import * as ClaudeTurn from "../ClaudeTurn.js"
import type { Delivery } from "./delivery.js"

/** What the helpers need from a session. */
export interface TurnSource<Content, SendError> {
  /** Sends a user message; `onCommitted` runs once it is certain to reach the CLI. */
  readonly send: (content: Content, onCommitted: () => void) => Effect.Effect<void, SendError>
  readonly delivery: Delivery
  /** Runs (without waiting) when a turn is abandoned. */
  readonly onAbandon: Effect.Effect<void>
  readonly model: Effect.Effect<Option.Option<string>>
  /** The session's span, parent of every turn's span. */
  readonly span?: Tracer.AnySpan | undefined
}

/** Builds the turn helpers of a session. */
export const make = <Content, SendError>(
  source: TurnSource<Content, SendError>
): ClaudeTurn.TurnHelpers<Content, SendError> => {
  const turnStream = (content: Content): Stream.Stream<ClaudeEvent, SendError | ClaudeError> =>
    Stream.unwrapScoped(Effect.gen(function*() {
      const lease = yield* source.delivery.lease
      let awaitingResult = false
      // added after the lease, so it runs before the lease is released
      yield* Effect.addFinalizer(() =>
        Effect.suspend(() => {
          if (!awaitingResult) return Effect.void
          awaitingResult = false
          source.delivery.discardTurn()
          return source.onAbandon
        })
      )
      yield* source.send(content, () => {
        awaitingResult = true
      })
      return Stream.repeatEffectChunkOption(Effect.tap(lease.pullBatch, (chunk) => {
        if (Chunk.unsafeLast(chunk) instanceof ResultEvent) awaitingResult = false
      }))
    }))

  const turn = (content: Content): Effect.Effect<ClaudeTurn.TurnOutcome, ClaudeTurn.TurnError | SendError | ClaudeError> =>
    Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(turnStream(content)))
      const last = events[events.length - 1]
      if (last === undefined || !(last instanceof ResultEvent)) {
        // the stream only ends without a result when the session was closed
        return yield* new NotConnected({ reason: "Closed", operation: "turn" })
      }
      const outcome = ClaudeTurn.outcomeOf(events, last)
      const error = ClaudeTurn.errorOf(last)
      const elapsed = (yield* Clock.currentTimeMillis) - start
      yield* ClaudeTurn.record(outcome, elapsed, Option.isSome(error) ? error.value._tag : "success")
      if (Option.isSome(error)) return yield* error.value
      return outcome
    }).pipe((effect) =>
      Effect.flatMap(source.model, (model) =>
        Effect.withSpan(effect, "ClaudeSession.turn", {
          attributes: { "claude.model": Option.getOrElse(model, () => "default") },
          captureStackTrace: false,
          ...(source.span !== undefined ? { parent: source.span } : {})
        }))
    )

  const turnStructured = <A, I>(schema: Schema.Schema<A, I, never>) => {
    const decode = Schema.decodeUnknown(schema)
    return (content: Content) =>
      Effect.flatMap(turn(content), (outcome) =>
        decode(outcome.structuredOutput).pipe(
          Effect.map((value) => ({ value, outcome })),
          Effect.mapError((error) =>
            new ClaudeTurn.StructuredOutputMismatch({
              output: outcome.structuredOutput,
              description: outcome.structuredOutput === undefined
                ? "the result has no structured_output (was the session started with this schema?)"
                : ParseResult.TreeFormatter.formatErrorSync(error)
            })
          )
        ))
  }

  return { turn, turnStream, turnStructured }
}
