// Compares ClaudeSessions with the official SDK on /tmp/ecs-corpus/.claude
import { NodeContext } from "@effect/platform-node"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Chunk from "effect/Chunk"
import { isDeepStrictEqual } from "node:util"
import * as ClaudeSessions from "../../src/ClaudeSessions.js"
const dir = process.argv[2] ?? "/tmp/ecs-corpus/.claude"
process.env.CLAUDE_CONFIG_DIR = dir
const sdk = await import("@anthropic-ai/claude-agent-sdk")
const norm = (x: unknown) => JSON.parse(JSON.stringify(x))
const program = Effect.gen(function*() {
  const sessions = yield* ClaudeSessions.make({ configDir: dir })
  const ours = norm(yield* sessions.list())
  const theirs = norm(yield* Effect.promise(() => sdk.listSessions({})))
  console.log("list equal:", isDeepStrictEqual(ours, theirs))
  if (!isDeepStrictEqual(ours, theirs)) console.log(JSON.stringify({ ours, theirs }, null, 1).slice(0, 4000))
  for (const s of theirs) {
    const om = norm(Chunk.toArray(yield* Stream.runCollect(sessions.messages(s.sessionId))))
    const tm = norm(yield* Effect.promise(() => sdk.getSessionMessages(s.sessionId, {})))
    console.log(s.sessionId, "messages", om.length, tm.length, "equal:", isDeepStrictEqual(om, tm))
    if (!isDeepStrictEqual(om, tm)) console.log(JSON.stringify(om.map((m: any) => m.uuid)), JSON.stringify(tm.map((m: any) => m.uuid)), JSON.stringify(tm[0]).slice(0, 600), JSON.stringify(om[0]).slice(0, 600))
    const withDir = norm(yield* sessions.list({ dir: s.cwd }))
    const sdkDir = norm(yield* Effect.promise(() => sdk.listSessions({ dir: s.cwd })))
    console.log(" list dir equal:", isDeepStrictEqual(withDir, sdkDir))
  }
})
await Effect.runPromise(program.pipe(Effect.provide(NodeContext.layer)))
