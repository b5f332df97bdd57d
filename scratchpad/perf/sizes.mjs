import { NodeContext } from "@effect/platform-node"
import { Effect, Stream } from "effect"
import { Command } from "@effect/platform"
const sizes = []
await Effect.gen(function*() {
  const proc = yield* Command.start(Command.make("bench/replay-claude.mjs").pipe(Command.env({ REPLAY_FILE: "/tmp/ab/t.jsonl", REPLAY_TIMES: "4" }), Command.feed(JSON.stringify({ type: "user", message: { role: "user", content: "go" } }) + "\n")))
  yield* Stream.runForEachChunk(proc.stdout, (c) => Effect.sync(() => { for (const b of c) sizes.push(b.length) }))
}).pipe(Effect.scoped, Effect.provide(NodeContext.layer), Effect.runPromise)
sizes.sort((a, b) => a - b)
console.log("items", sizes.length, "p50", sizes[sizes.length >> 1], "p90", sizes[Math.floor(sizes.length * .9)], "max", sizes.at(-1), "over128k", sizes.filter((s) => s > 131072).length)
