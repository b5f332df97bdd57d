// Experiment 3: SingleRunner.layer with SQLite storage (SqlMessageStorage + SqlRunnerStorage on one file)
import { SingleRunner } from "@effect/cluster"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Chunk, Effect, Layer, Logger, LogLevel, Stream } from "effect"
import { Counter, CounterLive } from "./entity.js"

const dbFile = new URL("./data/single.db", import.meta.url).pathname
import { mkdirSync } from "node:fs"
mkdirSync(new URL("./data/", import.meta.url).pathname, { recursive: true })

const ClusterLive = SingleRunner.layer({
  shardingConfig: { entityMaxIdleTime: 2000 }
  // runnerStorage: "memory"  // alternative: don't persist runner/locks
})

const MainLive = CounterLive().pipe(
  Layer.provideMerge(ClusterLive),
  Layer.provide(SqliteClient.layer({ filename: dbFile }))
)

const program = Effect.gen(function*() {
  const makeClient = yield* Counter.client
  for (const id of ["a", "b", "c"]) {
    const c = makeClient(id)
    console.log(id, "Increment ->", yield* c.Increment({ amount: 1 }))
    console.log(id, "IncrementPersisted ->", yield* c.IncrementPersisted({ amount: 1 }))
  }
  const items = yield* makeClient("a").Countdown({ from: 4 }).pipe(Stream.runCollect)
  console.log("a Countdown ->", Chunk.toReadonlyArray(items))
})

Effect.runPromise(
  program.pipe(
    Effect.provide(MainLive),
    Logger.withMinimumLogLevel(LogLevel.Info),
    Effect.timeout("30 seconds")
  )
).then(() => console.log("DONE"), (e) => { console.error("FAILED", e); process.exit(1) })
