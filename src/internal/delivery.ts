/**
 * Event delivery: the buffer between the stdout reader and the session's readers. It owns the
 * unread events, who may read them (a turn's exclusive lease), the events of abandoned turns
 * (discarded up to and including their result) and how reading ends (the session's terminal
 * state).
 *
 * Offering never waits: the reader must go on routing control traffic whatever the readers
 * do. The cost is memory, watched by a gauge, a warning past `highWaterMark` events and a hard
 * ceiling (`maxBufferedBytes`) that ends the session.
 *
 * Raw streams (`events`, `turnEvents`) hand out one event per chunk, so that a reader stopping
 * at any point (`Stream.take`, `runHead`, an interrupt) has taken exactly what it was given.
 * A lease holder (a turn helper) pulls whole batches: what it leaves unread is discarded with
 * its turn anyway.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ClaudeError } from "../ClaudeError.js"
import type { ClaudeEvent } from "../ClaudeEvent.js"
import { ResultEvent } from "../ClaudeEvent.js"

/** Events read but not yet delivered, over all sessions of the process. */
export const bufferedEvents = Metric.gauge("claude_session_buffered_events", {
  description: "events read from claude but not yet taken by a reader"
})

/** What an offer did to the buffer. */
export type OfferResult = "ok" | "overHighWater" | "overflow"

/** Exclusive reading, for one turn. */
export interface Lease {
  /** The turn's next events, up to and including its result; fails with `None` after it. */
  readonly pullBatch: Effect.Effect<Chunk.Chunk<ClaudeEvent>, Option.Option<ClaudeError>>
  /** The turn's next event (one per pull); fails with `None` after its result. */
  readonly pullOne: Effect.Effect<ClaudeEvent, Option.Option<ClaudeError>>
}

/** The buffer and its readers. */
export interface Delivery {
  /** Adds the events of one stdout read (`bytes`: the length of their lines). Never waits. */
  readonly offer: (events: ReadonlyArray<ClaudeEvent>, bytes: number) => OfferResult
  /** Ends reading: once the buffer is drained, readers end (or fail with `error`). First call wins. */
  readonly end: (error: ClaudeError | undefined) => void
  /** Discards unread events up to and including the next result, now and as they arrive. */
  readonly discardTurn: () => void
  /** Every event, once, one per chunk; waits while a lease is held by someone else. */
  readonly events: Stream.Stream<ClaudeEvent, ClaudeError>
  /** The events up to and including the next result, one per chunk, under a lease. */
  readonly turnEvents: Stream.Stream<ClaudeEvent, ClaudeError>
  /** Exclusive reading until the scope closes. */
  readonly lease: Effect.Effect<Lease, never, Scope.Scope>
  /** Unread events and the length of their lines. */
  readonly buffered: () => { readonly events: number; readonly bytes: number }
}

interface Batch {
  readonly events: ReadonlyArray<ClaudeEvent>
  readonly bytes: number
}

/** Builds a delivery buffer. */
export const make = (options: {
  readonly highWaterMark: number
  readonly maxBufferedBytes: number
}): Effect.Effect<Delivery> =>
  Effect.map(Effect.makeSemaphore(1), (leaseLock) => {
    const batches: Array<Batch> = []
    let first = 0
    let offset = 0
    let count = 0
    let bytes = 0
    let overHighWater = false
    let discarding = 0
    let ended: { readonly error: ClaudeError | undefined } | undefined
    let leaseHolder: object | undefined
    let signal: Deferred.Deferred<void> | undefined

    const wake = () => {
      if (signal === undefined) return
      const current = signal
      signal = undefined
      Deferred.unsafeDone(current, Effect.void)
    }
    const changed = Effect.suspend(() => Deferred.await(signal ??= Deferred.unsafeMake<void>(FiberId.none)))

    const dropBatch = () => {
      const batch = batches[first]!
      bytes -= batch.bytes
      bufferedEvents.unsafeModify(-batch.events.length, [])
      batches[first] = undefined as unknown as Batch
      first++
      offset = 0
      if (first === batches.length) {
        batches.length = 0
        first = 0
      } else if (first > 64 && first * 2 > batches.length) {
        batches.splice(0, first)
        first = 0
      }
      if (count === 0) overHighWater = false
    }

    // Takes events from the head up to `limit` of them, stopping after a result.
    const takeUpTo = (limit: number): ReadonlyArray<ClaudeEvent> => {
      const batch = batches[first]!
      const events = batch.events
      let end = offset
      while (end < events.length && end - offset < limit) {
        if (events[end++] instanceof ResultEvent) break
      }
      const taken = offset === 0 && end === events.length ? events : events.slice(offset, end)
      count -= end - offset
      offset = end
      if (offset === events.length) dropBatch()
      return taken
    }

    const skipDiscarded = () => {
      while (discarding > 0 && count > 0) {
        const taken = takeUpTo(Number.POSITIVE_INFINITY)
        if (taken[taken.length - 1] instanceof ResultEvent) discarding--
      }
    }

    const endOfStream = (): Effect.Effect<never, Option.Option<ClaudeError>> =>
      Effect.fail(ended?.error === undefined ? Option.none() : Option.some(ended.error))

    // One pull: the events `take` gives, else the end, else wait for a change and retry.
    const pull = <A>(
      owner: object | undefined,
      take: () => A
    ): Effect.Effect<A, Option.Option<ClaudeError>> =>
      Effect.suspend(function loop(): Effect.Effect<A, Option.Option<ClaudeError>> {
        skipDiscarded()
        if (leaseHolder === undefined || leaseHolder === owner) {
          if (count > 0) return Effect.succeed(take())
          if (ended !== undefined) return endOfStream()
        }
        return Effect.zipRight(changed, Effect.suspend(loop))
      })

    const takeOne = () => takeUpTo(1)[0]!

    const lease: Effect.Effect<Lease, never, Scope.Scope> = Effect.gen(function*() {
      yield* Effect.acquireRelease(leaseLock.take(1), () =>
        Effect.zipRight(
          Effect.sync(() => {
            leaseHolder = undefined
            wake()
          }),
          leaseLock.release(1)
        ))
      const owner = {}
      leaseHolder = owner
      let done = false
      const untilResult = <A>(take: () => A, isLast: (a: A) => boolean) =>
        Effect.suspend(() =>
          done ? Effect.fail(Option.none()) : Effect.tap(pull(owner, take), (taken) => {
            if (isLast(taken)) done = true
          })
        )
      return {
        pullBatch: untilResult(
          () => Chunk.unsafeFromArray(takeUpTo(Number.POSITIVE_INFINITY)),
          (chunk) => Chunk.unsafeLast(chunk) instanceof ResultEvent
        ),
        pullOne: untilResult(takeOne, (event) => event instanceof ResultEvent)
      }
    })

    return {
      offer: (events, size) => {
        if (events.length === 0) return "ok"
        batches.push({ events, bytes: size })
        count += events.length
        bytes += size
        bufferedEvents.unsafeModify(events.length, [])
        skipDiscarded()
        wake()
        if (bytes > options.maxBufferedBytes) return "overflow"
        if (!overHighWater && count > options.highWaterMark) {
          overHighWater = true
          return "overHighWater"
        }
        return "ok"
      },
      end: (error) => {
        if (ended !== undefined) return
        ended = { error }
        wake()
      },
      discardTurn: () => {
        discarding++
        skipDiscarded()
      },
      events: Stream.repeatEffectOption(pull(undefined, takeOne)),
      turnEvents: Stream.unwrapScoped(Effect.map(lease, (held) => Stream.repeatEffectOption(held.pullOne))),
      lease,
      buffered: () => ({ events: count, bytes })
    }
  })
