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

// The unread events, as the batches they arrived in (no copy on the way in), and the
// abandoned turns whose events are dropped as they come.
class EventQueue {
  private batches: Array<Batch | undefined> = []
  private first = 0
  private offset = 0
  count = 0
  bytes = 0
  discarding = 0

  push(batch: Batch) {
    this.batches.push(batch)
    this.count += batch.events.length
    this.bytes += batch.bytes
    bufferedEvents.unsafeModify(batch.events.length, [])
    this.skipDiscarded()
  }

  /** Takes events from the head, at most `limit`, stopping after a result. */
  takeUpTo(limit: number): ReadonlyArray<ClaudeEvent> {
    const events = this.batches[this.first]!.events
    const start = this.offset
    let end = start
    while (end < events.length && end - start < limit) {
      if (events[end++] instanceof ResultEvent) break
    }
    const taken = start === 0 && end === events.length ? events : events.slice(start, end)
    this.count -= end - start
    this.offset = end
    if (end === events.length) this.dropBatch()
    return taken
  }

  skipDiscarded() {
    while (this.discarding > 0 && this.count > 0) {
      const taken = this.takeUpTo(Number.POSITIVE_INFINITY)
      if (taken[taken.length - 1] instanceof ResultEvent) this.discarding--
    }
  }

  private dropBatch() {
    const batch = this.batches[this.first]!
    this.bytes -= batch.bytes
    bufferedEvents.unsafeModify(-batch.events.length, [])
    this.batches[this.first] = undefined
    this.first++
    this.offset = 0
    if (this.first === this.batches.length) {
      this.batches = []
      this.first = 0
    } else if (this.first > 64 && this.first * 2 > this.batches.length) {
      this.batches.splice(0, this.first)
      this.first = 0
    }
  }
}

/** Builds a delivery buffer. */
export const make = (options: {
  readonly highWaterMark: number
  readonly maxBufferedBytes: number
}): Effect.Effect<Delivery> =>
  Effect.map(Effect.makeSemaphore(1), (leaseLock) => {
    const queue = new EventQueue()
    let overHighWater = false
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

    const endOfStream = (): Effect.Effect<never, Option.Option<ClaudeError>> =>
      Effect.fail(ended?.error === undefined ? Option.none() : Option.some(ended.error))

    // One pull: the events `take` gives, else the end, else wait for a change and retry.
    const pull = <A>(
      owner: object | undefined,
      take: () => A
    ): Effect.Effect<A, Option.Option<ClaudeError>> =>
      Effect.suspend(function loop(): Effect.Effect<A, Option.Option<ClaudeError>> {
        queue.skipDiscarded()
        if (leaseHolder === undefined || leaseHolder === owner) {
          if (queue.count > 0) {
            const taken = take()
            if (queue.count === 0) overHighWater = false
            return Effect.succeed(taken)
          }
          if (ended !== undefined) return endOfStream()
        }
        return Effect.zipRight(changed, Effect.suspend(loop))
      })

    const takeOne = () => queue.takeUpTo(1)[0]!

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
          () => Chunk.unsafeFromArray(queue.takeUpTo(Number.POSITIVE_INFINITY)),
          (chunk) => Chunk.unsafeLast(chunk) instanceof ResultEvent
        ),
        pullOne: untilResult(takeOne, (event) => event instanceof ResultEvent)
      }
    })

    return {
      offer: (events, bytes) => {
        if (events.length === 0) return "ok"
        queue.push({ events, bytes })
        wake()
        if (queue.bytes > options.maxBufferedBytes) return "overflow"
        if (!overHighWater && queue.count > options.highWaterMark) {
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
        queue.discarding++
        queue.skipDiscarded()
      },
      events: Stream.repeatEffectOption(pull(undefined, takeOne)),
      turnEvents: Stream.unwrapScoped(Effect.map(lease, (held) => Stream.repeatEffectOption(held.pullOne))),
      lease,
      buffered: () => ({ events: queue.count, bytes: queue.bytes })
    }
  })
