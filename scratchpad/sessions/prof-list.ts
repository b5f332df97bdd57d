// Profiles ClaudeSessions.list / messages on a generated corpus: node --cpu-prof ...
import { NodeContext } from "@effect/platform-node"
import { Effect, Stream } from "effect"
import fs from "node:fs"
import { makeCorpus } from "../../bench/sessions.js"
import { ClaudeSessions } from "../../src/index.js"
const root = "/tmp/ecs-prof-corpus"
if (!fs.existsSync(root)) { fs.mkdirSync(root); fs.writeFileSync(`${root}/c.json`, JSON.stringify(makeCorpus(root, 1000, 100))) }
const corpus = JSON.parse(fs.readFileSync(`${root}/c.json`, "utf8"))
const what = process.argv[2] ?? "list"
const t = performance.now()
const n = await Effect.runPromise(Effect.gen(function*() {
  if (what === "entries") return yield* Stream.runCount((yield* ClaudeSessions.make({ configDir: corpus.bigConfig })).entries(corpus.bigId))
  if (what === "list") return (yield* (yield* ClaudeSessions.make({ configDir: corpus.config })).list()).length
  return yield* Stream.runCount((yield* ClaudeSessions.make({ configDir: corpus.bigConfig })).messages(corpus.bigId))
}).pipe(Effect.provide(NodeContext.layer)))
console.log(what, n, Math.round(performance.now() - t), "ms", Math.round(process.memoryUsage().rss / 1e6), "MB rss")
