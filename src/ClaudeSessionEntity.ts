/**
 * A claude session as an `@effect/cluster` entity (entry point `effect-claude-session/cluster`):
 * an app sends to session `"abc"` and the cluster runs it on whichever runner owns the entity's
 * shard, one CLI process per entity, one message at a time.
 *
 * The entity's CLI session id is derived from its id, and every entry the CLI writes is mirrored
 * to the `TranscriptStore` (`--session-mirror`), flushed after each turn before the turn's stream
 * ends. When the entity starts on a runner (first message, after passivation, or after its shard
 * moved because a runner died or the cluster rebalanced), the CLI is started with `--resume` and
 * the transcript restored from the store first: the conversation goes on where the last answered
 * turn left it, on any machine.
 *
 * @since 0.1.0
 */
import * as Entity from "@effect/cluster/Entity"
import type * as Sharding from "@effect/cluster/Sharding"
import * as Rpc from "@effect/rpc/Rpc"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import { ClaudeError } from "./ClaudeError.js"
import { ClaudeEvent } from "./ClaudeEvent.js"
import * as ClaudeSession from "./ClaudeSession.js"
import * as TranscriptStore from "./TranscriptStore.js"

/**
 * Sends a message and streams the turn's events, ending with its result (after the turn's
 * entries are stored).
 *
 * @since 0.1.0
 * @category Protocol
 */
export const Turn = Rpc.make("Turn", {
  payload: { prompt: Schema.String },
  success: ClaudeEvent,
  error: ClaudeError,
  stream: true
})

/**
 * Interrupts the running turn (its stream ends with an `error_during_execution` result).
 *
 * @since 0.1.0
 * @category Protocol
 */
export const Interrupt = Rpc.make("Interrupt", { error: ClaudeError })

/**
 * Changes the model of the next turns (`undefined`: the default).
 *
 * @since 0.1.0
 * @category Protocol
 */
export const SetModel = Rpc.make("SetModel", { payload: { model: Schema.optional(Schema.String) }, error: ClaudeError })

/**
 * Ends the CLI process now (the conversation stays stored: the next message resumes it).
 *
 * @since 0.1.0
 * @category Protocol
 */
export const End = Rpc.make("End")

/**
 * The entity type of claude sessions.
 *
 * @since 0.1.0
 * @category Entities
 */
export const ClaudeSessionEntity = Entity.make("ClaudeSession", [Turn, Interrupt, SetModel, End])

/**
 * The CLI session id of an entity: a UUID derived from its type and id (the same on every runner).
 *
 * @since 0.1.0
 * @category Utils
 */
export const sessionIdOf = (entityType: string, entityId: string): string => {
  const hex = createHash("sha256").update(`${entityType}/${entityId}`).digest("hex")
  // a version 4 layout, so that every tool takes it as a UUID
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${
    hex.slice(17, 20)
  }-${hex.slice(20, 32)}`
}

/**
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  /** The options of each entity's claude session (`cwd`, `model`, permissions, …). */
  readonly session?: ClaudeSession.MakeOptions | undefined
  /** End an entity (and its CLI process) after this long without messages (default 5 minutes). */
  readonly maxIdleTime?: Duration.DurationInput | undefined
}

/**
 * The entity's handlers on a runner: needs the `TranscriptStore` shared by all runners.
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<never, never, TranscriptStore.TranscriptStore | ClaudeSession.Requirements | Sharding.Sharding> =>
  ClaudeSessionEntity.toLayer(
    Effect.gen(function*() {
      const address = yield* Entity.CurrentAddress
      const store = yield* TranscriptStore.TranscriptStore
      const context = yield* Effect.context<ClaudeSession.Requirements>()
      // the entity's scope: closed when it is passivated, its shard moves or the runner stops
      const entityScope = yield* Effect.scope
      const sessionId = sessionIdOf(address.entityType, address.entityId)
      let current: { readonly session: ClaudeSession.Service; readonly scope: Scope.CloseableScope } | undefined

      const end = Effect.suspend(() => {
        const ending = current
        current = undefined
        return ending === undefined ? Effect.void : Scope.close(ending.scope, Exit.void)
      })
      // a new CLI process for the entity: resumed when the store has the conversation
      const start = Effect.gen(function*() {
        yield* end
        const stored = yield* store.locate(sessionId)
        const scope = yield* Scope.fork(entityScope, ExecutionStrategy.sequential)
        const started = yield* ClaudeSession.make({
          ...options.session,
          transcriptStore: store,
          ...(Option.isSome(stored) ? { resume: sessionId } : { sessionId })
        }).pipe(Scope.extend(scope), Effect.provide(context), Effect.onError(() => Scope.close(scope, Exit.void)))
        current = { session: started, scope }
        return started
      }).pipe(Effect.withSpan("ClaudeSessionEntity.start", {
        attributes: { entityId: address.entityId, sessionId },
        captureStackTrace: false
      }))
      // the running CLI process, started at the first message that needs it (again after End or its death)
      const session = Effect.gen(function*() {
        return current !== undefined && !(yield* current.session.isFinished) ? current.session : yield* start
      })

      // one turn (or model change, or end) at a time; Interrupt goes around the queue to reach a running turn
      const lock = yield* Effect.makeSemaphore(1)
      return ClaudeSessionEntity.of({
        Turn: (envelope) =>
          Stream.unwrapScoped(Effect.gen(function*() {
            yield* Effect.acquireRelease(lock.take(1), () => lock.release(1))
            const claude = yield* session
            return claude.turnStream(envelope.payload.prompt).pipe(
              // answered means stored: the next runner resumes from here
              Stream.concat(Stream.drain(Stream.fromEffect(claude.flushTranscript)))
            )
          })),
        Interrupt: () => current === undefined ? Effect.void : Effect.asVoid(current.session.interrupt),
        SetModel: (envelope) => lock.withPermits(1)(Effect.flatMap(session, (claude) => claude.setModel(envelope.payload.model))),
        End: () => lock.withPermits(1)(end)
      })
    }),
    { maxIdleTime: options.maxIdleTime ?? Duration.minutes(5), concurrency: "unbounded" }
  )
