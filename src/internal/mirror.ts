/**
 * The transcript mirror: the CLI's `transcript_mirror` frames (`--session-mirror`) appended to
 * a `TranscriptStore` in order, by one fiber, so the reader never waits on the store. A failed
 * append is retried, then logged, counted and kept for `flush`; the session goes on.
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Either from "effect/Either"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Metric from "effect/Metric"
import * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { TranscriptStoreError } from "../ClaudeError.js"
import type { UnknownEvent } from "../ClaudeEvent.js"
import type * as TranscriptStore from "../TranscriptStore.js"

/** One `transcript_mirror` frame. */
export interface Frame {
  readonly filePath: string
  readonly entries: ReadonlyArray<TranscriptStore.StoredEntry>
}

const FrameSchema = Schema.Struct({
  filePath: Schema.String,
  entries: Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})
const decodeFrame = Schema.decodeUnknownEither(FrameSchema)

/** The frames of `transcript_mirror` lines; a frame of another shape is logged and left out. */
export const frames = (events: ReadonlyArray<UnknownEvent>) =>
  events.reduce<{ frames: Array<Frame>; bad: Array<string> }>((acc, event) => {
    const frame = decodeFrame(event.data)
    if (Either.isRight(frame)) acc.frames.push(frame.right)
    else acc.bad.push(frame.left.message)
    return acc
  }, { frames: [], bad: [] })

/** The mirror of one session. */
export interface Mirror {
  /** Hands frames over (never blocks). */
  readonly offer: (frames: ReadonlyArray<Frame>) => void
  /** Waits until every frame offered so far is stored; fails with failures not yet reported. */
  readonly flush: Effect.Effect<void, TranscriptStoreError>
}

/** Appends that failed after their retries. */
export const failures = Metric.counter("claude_transcript_mirror_failures", {
  description: "transcript mirror batches that could not be stored after their retries"
})

// three tries, 200 ms then 800 ms apart (as the official SDK's mirror)
const retryPolicy = Schedule.intersect(Schedule.exponential("200 millis", 4), Schedule.recurs(2))

/**
 * The store key of a transcript file: `<projectKey>/<sessionId>.jsonl`, or for a subagent
 * `<projectKey>/<sessionId>/subagents/<name>.jsonl`.
 */
export const keyOfPath = (filePath: string): TranscriptStore.Key | undefined => {
  const parts = filePath.split(/[\\/]/)
  const name = parts.at(-1)
  if (name === undefined || !name.endsWith(".jsonl") || parts.length < 2) return undefined
  const base = name.slice(0, -".jsonl".length)
  if (parts.at(-2) === "subagents" && parts.length >= 4) {
    return { projectKey: parts.at(-4)!, sessionId: parts.at(-3)!, subpath: `subagents/${base}` }
  }
  return { projectKey: parts.at(-2)!, sessionId: base }
}

/** Hands the frames of `transcript_mirror` lines to the mirror; a frame of another shape is logged. */
export const offerEvents = (mirror: Mirror, events: ReadonlyArray<UnknownEvent>): Effect.Effect<void> => {
  const { bad, frames: good } = frames(events)
  mirror.offer(good)
  return bad.length === 0 ? Effect.void : Effect.logWarning(`transcript mirror: ${bad.length} frame(s) of an unknown shape`, bad[0])
}

/** Starts the mirror's fiber in the scope. */
export const make = (store: TranscriptStore.Service): Effect.Effect<Mirror, never, Scope.Scope> =>
  Effect.gen(function*() {
    const queue = yield* Queue.unbounded<Frame>()
    let offered = 0
    let stored = 0
    const waiting: Array<{ readonly upTo: number; readonly done: Deferred.Deferred<void> }> = []
    const unreported: Array<TranscriptStoreError> = []

    const store1 = (frame: Frame) => {
      const key = keyOfPath(frame.filePath)
      if (key === undefined) {
        return Effect.logWarning(`transcript mirror frame for an unexpected path ${frame.filePath}; not stored`)
      }
      return store.append(key, frame.entries).pipe(
        Effect.retry(retryPolicy),
        Effect.catchAll((error) => {
          unreported.push(error)
          return Effect.zipRight(
            Metric.increment(failures),
            Effect.logError(`transcript mirror: ${error.message}; the session goes on`)
          )
        }),
        Effect.catchAllDefect((defect) => {
          unreported.push(new TranscriptStoreError({ operation: "append", description: String(defect), cause: defect }))
          return Metric.increment(failures)
        })
      )
    }

    yield* Queue.take(queue).pipe(
      Effect.flatMap(store1),
      Effect.zipRight(Effect.sync(() => {
        stored++
        while (waiting.length > 0 && waiting[0]!.upTo <= stored) Deferred.unsafeDone(waiting.shift()!.done, Effect.void)
      })),
      Effect.forever,
      Effect.withSpan("ClaudeSession.transcriptMirror", { captureStackTrace: false }),
      Effect.forkScoped
    )

    const flush = Effect.suspend(() => {
      const report = Effect.suspend(() => {
        const error = unreported.shift()
        unreported.length = 0
        return error === undefined ? Effect.void : Effect.fail(error)
      })
      if (stored >= offered) return report
      const done = Deferred.unsafeMake<void>(FiberId.none)
      waiting.push({ upTo: offered, done })
      return Effect.zipRight(Deferred.await(done), report)
    })

    return {
      offer: (frames) => {
        offered += frames.length
        for (const frame of frames) Queue.unsafeOffer(queue, frame)
      },
      flush
    }
  })

/** Waits (at most `limit`) for the mirror to store what it was given, at the session's end. */
export const drain = (mirror: Mirror, limit: Duration.DurationInput) =>
  mirror.flush.pipe(
    Effect.timeout(limit),
    Effect.catchAll((error) => Effect.logWarning(`transcript mirror at close: ${error.message}`))
  )
