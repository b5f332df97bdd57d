// Experiment 4: two runner processes + this client-only process, all sharing data/cluster.db (SQLite).
// Spawns runners on 127.0.0.1:34501/34502, sends to entity "abc", SIGKILLs the owner, measures the move.
//   node --import tsx failover.ts            (MODE=volatile|persisted, other env: see cluster-config.ts)
import { NodeClusterSocket } from "@effect/platform-node"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { SqlClient } from "@effect/sql"
import { spawn, type ChildProcess } from "node:child_process"
import { mkdirSync, rmSync } from "node:fs"
import { type Duration, Effect, Layer, Logger, LogLevel, Option } from "effect"
import { Counter } from "./entity.js"
import { dbFile, timing } from "./cluster-config.js"

const MODE = process.env.MODE ?? "volatile"
const ENTITY = process.env.ENTITY ?? "abc"
const basePort = Number(process.env.BASE_PORT ?? 34501)
const ports = [basePort, basePort + 1]
const here = new URL(".", import.meta.url).pathname
mkdirSync(here + "data", { recursive: true })
for (const f of [dbFile, dbFile + "-wal", dbFile + "-shm"]) rmSync(f, { force: true })

const t0 = Date.now()
const ts = () => `${((Date.now() - t0) / 1000).toFixed(2)}s`
const children: Array<ChildProcess> = []
const spawnRunner = (port: number) => {
  const child = spawn(process.execPath, ["--import", "tsx", "runner.ts"], {
    cwd: here,
    env: { ...process.env, PORT: String(port), MAX_LIFETIME_MS: "90000" },
    stdio: ["ignore", "pipe", "pipe"]
  })
  const tag = (d: Buffer) =>
    d.toString().split("\n").filter((l) => l.trim()).forEach((l) => console.log(`  ${ts()} <runner ${port}> ${l}`))
  child.stdout!.on("data", tag)
  child.stderr!.on("data", tag)
  children.push(child)
  return child
}
const cleanup = () => children.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill("SIGTERM"))
process.on("exit", cleanup)

// client only: no socket server, does not register as a runner; reads runners/assignments from SQL
const ClientLive = NodeClusterSocket.layer({
  clientOnly: true,
  storage: "sql",
  shardingConfig: { runnerAddress: Option.none(), ...timing }
}).pipe(Layer.provideMerge(SqliteClient.layer({ filename: dbFile })))

const program = Effect.gen(function*() {
  const byPid = new Map<number, ChildProcess>()
  for (const port of ports) {
    const c = spawnRunner(port)
    byPid.set(c.pid!, c)
  }
  // wait (bounded) until BOTH runners hold shard locks, otherwise the rebalance triggered by the
  // second runner joining moves the entity too (graceful handoff) and confuses the measurement
  const sql = yield* SqlClient.SqlClient
  const ready = yield* Effect.gen(function*() {
    for (let i = 0; i < 120; i++) {
      const rows = yield* sql<{ n: number }>`SELECT COUNT(DISTINCT address) AS n FROM cluster_locks`.pipe(
        Effect.orElseSucceed(() => [{ n: 0 }])
      )
      if (rows[0]?.n === 2) return true
      yield* Effect.sleep("250 millis")
    }
    return false
  })
  console.log(`${ts()} both runners hold shard locks: ${ready}`)
  if (!ready) return yield* Effect.dieMessage("runners did not become ready in 30s")
  yield* Effect.sleep("1 second")

  const makeClient = yield* Counter.client
  const client = makeClient(ENTITY)
  const send = (amount: number, timeout: Duration.DurationInput = "30 seconds") =>
    (MODE === "persisted" ? client.IncrementPersisted({ amount }) : client.Increment({ amount })).pipe(
      Effect.timeout(timeout)
    )

  const first = yield* send(1)
  console.log(`${ts()} reply 1:`, first)
  console.log(`${ts()} reply 2:`, yield* send(1))
  const owner = byPid.get(first.pid)
  if (!owner) return yield* Effect.dieMessage(`owner pid ${first.pid} not one of our children`)

  const killedAt = Date.now()
  owner.kill("SIGKILL")
  console.log(`${ts()} SIGKILL runner ${first.runner} (pid ${first.pid})`)
  yield* Effect.sleep("50 millis")

  const sentAt = Date.now()
  const moved = yield* send(1, "100 seconds")
  const doneAt = Date.now()
  console.log(`${ts()} reply 3:`, moved)
  console.log(
    `RESULT mode=${MODE} moved=${moved.pid !== first.pid} from=${first.runner} to=${moved.runner} ` +
      `kill->reply=${doneAt - killedAt}ms send->reply=${doneAt - sentAt}ms value=${moved.value} (state was 2 before)`
  )
  console.log(`${ts()} reply 4:`, yield* send(1))
})

Effect.runPromise(
  program.pipe(
    Effect.provide(ClientLive),
    Logger.withMinimumLogLevel(process.env.DEBUG ? LogLevel.Debug : LogLevel.Info),
    Effect.timeout("150 seconds")
  )
).then(
  () => { cleanup(); console.log("DONE"); setTimeout(() => process.exit(0), 500) },
  (e) => { cleanup(); console.error("FAILED", e); setTimeout(() => process.exit(1), 500) }
)
