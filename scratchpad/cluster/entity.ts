// Shared Counter entity definition + handler layer (used by all experiments)
import { ClusterSchema, Entity } from "@effect/cluster"
import { Rpc } from "@effect/rpc"
import { Effect, Schedule, Schema, Stream } from "effect"

export const Increment = Rpc.make("Increment", {
  payload: { amount: Schema.Number },
  success: Schema.Struct({ value: Schema.Number, pid: Schema.Number, runner: Schema.String })
})

// Persisted variant: saved to MessageStorage before delivery, so it survives the owner dying
export const IncrementPersisted = Rpc.make("IncrementPersisted", {
  payload: { amount: Schema.Number },
  success: Schema.Struct({ value: Schema.Number, pid: Schema.Number, runner: Schema.String })
}).annotate(ClusterSchema.Persisted, true)

// streaming rpc: success schema is the element schema
export const Countdown = Rpc.make("Countdown", {
  payload: { from: Schema.Number },
  success: Schema.Number,
  stream: true
})

export const WhoAmI = Rpc.make("WhoAmI", {
  success: Schema.Struct({ pid: Schema.Number, runner: Schema.String, startedAt: Schema.Number })
})

export const Counter = Entity.make("Counter", [Increment, IncrementPersisted, Countdown, WhoAmI])

const log = (msg: string) => Effect.sync(() => console.log(`[pid ${process.pid}] ${msg}`))

export const CounterLive = (options?: { maxIdleTime?: number }) =>
  Counter.toLayer(
    Effect.gen(function*() {
      // this generator runs ONCE per entity instance, when the entity is started (first message)
      const address = yield* Entity.CurrentAddress
      const runner = yield* Entity.CurrentRunnerAddress
      const runnerStr = `${runner.host}:${runner.port}`
      const startedAt = Date.now()
      // per-entity "resource": acquired on start, released on passivation / shard move / shutdown
      let value = 0
      yield* Effect.acquireRelease(
        log(`ACQUIRE entity ${address.entityType}/${address.entityId} shard=${address.shardId.toString()} on ${runnerStr}`),
        () => log(`RELEASE entity ${address.entityId} after ${Date.now() - startedAt}ms (value=${value})`)
      )
      return Counter.of({
        Increment: (envelope) =>
          Effect.sync(() => {
            value += envelope.payload.amount
            return { value, pid: process.pid, runner: runnerStr }
          }),
        IncrementPersisted: (envelope) =>
          Effect.sync(() => {
            value += envelope.payload.amount
            return { value, pid: process.pid, runner: runnerStr }
          }),
        Countdown: (envelope) =>
          Stream.iterate(envelope.payload.from, (n) => n - 1).pipe(
            Stream.take(envelope.payload.from + 1),
            Stream.schedule(Schedule.spaced("20 millis"))
          ),
        WhoAmI: () => Effect.succeed({ pid: process.pid, runner: runnerStr, startedAt })
      })
    }),
    { maxIdleTime: options?.maxIdleTime ?? 60_000 }
  )
