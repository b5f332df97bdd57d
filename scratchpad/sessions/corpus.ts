// Builds a real-CLI corpus and copies its config dir to /tmp/ecs-corpus/.claude (for inspection)
import { NodeContext } from "@effect/platform-node"
import * as Effect from "effect/Effect"
import fs from "node:fs"
import { makeCorpus } from "../../test/sessionsCorpus.js"
const corpus = await Effect.runPromise(Effect.scoped(makeCorpus.pipe(Effect.tap((c) => Effect.sync(() => {
  fs.rmSync("/tmp/ecs-corpus", { recursive: true, force: true })
  fs.cpSync(c.configDir, "/tmp/ecs-corpus/.claude", { recursive: true })
})))).pipe(Effect.provide(NodeContext.layer)))
const { api: _api, ...rest } = corpus
fs.writeFileSync("/tmp/ecs-corpus/corpus.json", JSON.stringify(rest, null, 1))
console.log(rest)
