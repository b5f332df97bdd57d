// The README's single-runner set-up, run for real (offline): node --conditions=effect-claude-session-source --import tsx scratchpad/cluster/single.ts
import * as SingleRunner from "@effect/cluster/SingleRunner"
import { NodeContext } from "@effect/platform-node"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Console, Effect, Layer, Stream } from "effect"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import * as ClaudeSessionEntity from "../../src/ClaudeSessionEntity.js"
import * as Api from "../../src/ScriptedMessagesApi.js"
import * as SqlTranscriptStore from "../../src/SqlTranscriptStore.js"
import { claudeBin } from "../../test/utils.js"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-single-"))
const main = Effect.gen(function*() {
  const api = yield* Api.make([Api.text("We were talking about papayas.")])
  const Sql = SqliteClient.layer({ filename: path.join(dir, "cluster.db") })
  const Runner = ClaudeSessionEntity.layer({ session: { executable: claudeBin, env: api.env, cwd: dir }, maxIdleTime: "10 minutes" }).pipe(
    Layer.provideMerge(SingleRunner.layer()),
    Layer.provide(SqlTranscriptStore.layer()),
    Layer.provide(Sql)
  )
  const t = Date.now()
  yield* Effect.gen(function*() {
    const session = (yield* ClaudeSessionEntity.ClaudeSessionEntity.client)("user-42")
    const events = yield* session.Turn({ prompt: "Where were we?" }).pipe(Stream.runCollect, Effect.timeout("60 seconds"))
    yield* Console.log(`${events.length} events in ${Date.now() - t} ms; last: ${JSON.stringify([...events].at(-1)).slice(0, 120)}`)
  }).pipe(Effect.provide(Runner))
})
await Effect.runPromise(main.pipe(Effect.scoped, Effect.provide(NodeContext.layer)))
