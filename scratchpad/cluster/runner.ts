// A runner process: NodeClusterSocket.layer with SQL (SQLite) storage, listening on 127.0.0.1:PORT
//   PORT=34501 node --import tsx runner.ts
import { RunnerAddress } from "@effect/cluster"
import { NodeClusterSocket, NodeRuntime } from "@effect/platform-node"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect, Layer, Logger, LogLevel, Option } from "effect"
import { CounterLive } from "./entity.js"
import { dbFile, timing } from "./cluster-config.js"

const port = Number(process.env.PORT ?? 34501)
const maxLifetime = Number(process.env.MAX_LIFETIME_MS ?? 120_000)

const ClusterLive = NodeClusterSocket.layer({
  storage: "sql", // SqlMessageStorage + SqlRunnerStorage on the provided SqlClient
  runnerHealth: "ping", // default; "k8s" needs a cluster
  shardingConfig: {
    runnerAddress: Option.some(RunnerAddress.make("127.0.0.1", port)),
    ...timing
  }
})

const MainLive = CounterLive({ maxIdleTime: Number(process.env.ENTITY_IDLE_MS ?? 30_000) }).pipe(
  Layer.provideMerge(ClusterLive),
  Layer.provide(SqliteClient.layer({ filename: dbFile }))
)

console.log(`[pid ${process.pid}] runner starting on 127.0.0.1:${port}, db=${dbFile}`)
Layer.launch(MainLive).pipe(
  Effect.race(Effect.sleep(maxLifetime)), // bounded lifetime for the experiment (graceful shutdown)
  Logger.withMinimumLogLevel(process.env.DEBUG ? LogLevel.Debug : LogLevel.Info),
  NodeRuntime.runMain
)
