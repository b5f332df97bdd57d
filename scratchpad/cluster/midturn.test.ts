// What a caller sees when the runner dies in the middle of a turn (exploration; run with vitest --dir scratchpad)
import { NodeClusterSocket } from "@effect/platform-node"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { spawn } from "node:child_process"
import fs from "node:fs"
import path from "node:path"
import * as ClaudeSessionEntity from "../../src/ClaudeSessionEntity.js"
import * as Api from "../../src/ScriptedMessagesApi.js"
import { clusterTiming } from "../../test/fixtures/cluster-timing.js"
import { claudeBin, tempDir } from "../../test/utils.js"

it.live("mid-turn kill", () =>
  Effect.gen(function*() {
    const api = yield* Api.make([
      Api.turn("long story", Api.slow("once upon a time there was a very long story that goes on and on and on and on", 400)),
      Api.turn("long story", Api.text("retried answer")),
      Api.turn("next", Api.text("next answer"))
    ])
    const dir = tempDir("ecs-midturn-")
    const clusterDb = path.join(dir, "cluster.db"), storeDb = path.join(dir, "t.db")
    const homes = [path.join(dir, "m1"), path.join(dir, "m2")]
    for (const h of homes) fs.mkdirSync(h)
    const runners = homes.map((home, i) => spawn(process.execPath, ["--conditions=effect-claude-session-source", "--import", "tsx", "test/fixtures/cluster-runner.ts"], {
      cwd: "/work/main", env: { ...process.env, PORT: String(34701 + i), CLUSTER_DB: clusterDb, STORE_DB: storeDb, RUNNER_HOME: home, CLAUDE_BIN: claudeBin, SESSION_ENV: JSON.stringify(api.env) }, stdio: ["ignore", "ignore", "inherit"]
    }))
    yield* Effect.addFinalizer(() => Effect.sync(() => runners.forEach((r) => r.kill("SIGKILL"))))
    const member = yield* Layer.build(NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig: { runnerAddress: Option.none(), ...clusterTiming } }).pipe(Layer.provideMerge(SqliteClient.layer({ filename: clusterDb }))))
    const client = yield* Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* sql<{ n: number }>`SELECT COUNT(DISTINCT address) AS n FROM cluster_locks`.pipe(Effect.flatMap((r) => (r[0]?.n ?? 0) >= 2 ? Effect.void : Effect.fail("no")), Effect.retry({ schedule: Schedule.spaced("250 millis"), times: 160 }))
      return (yield* ClaudeSessionEntity.ClaudeSessionEntity.client)("story")
    }).pipe(Effect.provide(member))
    const seen: Array<string> = []
    const fiber = yield* client.Turn({ prompt: "tell me a long story" }).pipe(
      Stream.runForEach((e) => Effect.sync(() => seen.push(e.type))),
      Effect.timeout("60 seconds"), Effect.either, Effect.fork)
    yield* Effect.sleep("3 seconds")
    const owner = homes.findIndex((h) => fs.existsSync(path.join(h, ".claude")))
    console.log("owner", owner, "events so far", seen.length)
    const t = Date.now()
    runners[owner]!.kill("SIGKILL")
    const outcome = yield* Fiber.join(fiber)
    console.log("first turn outcome after", Date.now() - t, "ms:", JSON.stringify(outcome).slice(0, 400), "events", seen.length, seen.slice(-5))
    const next = yield* client.Turn({ prompt: "next please" }).pipe(Stream.runCollect, Effect.timeout("60 seconds"), Effect.either)
    console.log("next:", JSON.stringify(next).slice(0, 200))
    const reqs = (yield* api.messageRequests).filter((r) => !Api.isSideRequest(r))
    console.log("requests", reqs.length, reqs.map((r) => JSON.stringify(r.raw.messages).length))
    console.log("last request mentions story prompt times:", (JSON.stringify(reqs.at(-1)!.raw).match(/tell me a long story/g) ?? []).length)
  }).pipe(Effect.scoped), { timeout: 150_000 })
