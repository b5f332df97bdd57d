// Experiments 1+2: entity, streaming rpc, passivation via maxIdleTime, Entity.makeTestClient and TestRunner
import { Entity, ShardingConfig, TestRunner } from "@effect/cluster"
import { Chunk, Effect, Layer, Stream } from "effect"
import { Counter, CounterLive } from "./entity.js"

// (a) Entity.makeTestClient: no Sharding / runners at all; needs ShardingConfig in context
const viaTestClient = Effect.gen(function*() {
  const makeClient = yield* Entity.makeTestClient(Counter, CounterLive({ maxIdleTime: 1000 }))
  const client = yield* makeClient("abc")
  console.log("testClient Increment ->", yield* client.Increment({ amount: 1 }))
  console.log("testClient Increment ->", yield* client.Increment({ amount: 2 }))
  const items = yield* client.Countdown({ from: 3 }).pipe(Stream.runCollect)
  console.log("testClient Countdown ->", Chunk.toReadonlyArray(items))
  yield* Effect.sleep("6500 millis") // > maxIdleTime + reaper resolution (min 5s) -> entity passivated (RELEASE log)
  console.log("after idle, Increment ->", yield* client.Increment({ amount: 10 }), "(state reset = new instance)")
}).pipe(Effect.scoped, Effect.provide(ShardingConfig.layer({ entityMaxIdleTime: 1000 })))

// (b) TestRunner.layer: full in-memory Sharding; client obtained via Counter.client
const viaTestRunner = Effect.gen(function*() {
  const makeClient = yield* Counter.client
  const c = makeClient("xyz")
  console.log("TestRunner Increment ->", yield* c.Increment({ amount: 5 }))
  console.log("TestRunner IncrementPersisted ->", yield* c.IncrementPersisted({ amount: 5 }))
  const items = yield* c.Countdown({ from: 2 }).pipe(Stream.runCollect)
  console.log("TestRunner Countdown ->", Chunk.toReadonlyArray(items))
  yield* Effect.sleep("6500 millis")
  console.log("TestRunner after idle ->", yield* c.Increment({ amount: 1 }))
}).pipe(Effect.provide(CounterLive({ maxIdleTime: 1000 }).pipe(Layer.provideMerge(TestRunner.layer))))

Effect.runPromise(
  Effect.gen(function*() {
    console.log("=== Entity.makeTestClient ===")
    yield* viaTestClient
    console.log("=== TestRunner.layer ===")
    yield* viaTestRunner
  }).pipe(Effect.timeout("20 seconds"))
).then(() => console.log("DONE"), (e) => { console.error("FAILED", e); process.exit(1) })
