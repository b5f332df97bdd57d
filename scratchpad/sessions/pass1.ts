// Live memory of messages' first pass on the 100 MB transcript (node --expose-gc)
import { NodeContext } from "@effect/platform-node"
import { FileSystem } from "@effect/platform"
import { Effect, Either, Stream } from "effect"
import fs from "node:fs"
import * as Chain from "../../src/internal/chain.js"
import * as Jsonl from "../../src/internal/jsonl.js"
import * as Messages from "../../src/internal/messages.js"
const corpus = JSON.parse(fs.readFileSync("/tmp/ecs-prof-corpus/c.json", "utf8"))
const file = fs.readdirSync(`${corpus.bigConfig}/projects`).map((d) => `${corpus.bigConfig}/projects/${d}/${corpus.bigId}.jsonl`)[0]!
global.gc!()
const base = process.memoryUsage().heapUsed
const links: Array<Chain.Link> = []
const slims = new Map<number, Record<string, unknown>>()
await Effect.runPromise(Effect.gen(function*() {
  const fsys = yield* FileSystem.FileSystem
  yield* Jsonl.lines(fsys, file).pipe(Stream.runForEachChunk((chunk) => Effect.sync(() => {
    for (const line of chunk) {
      const parsed = Jsonl.parseObject(file, line)
      if (Either.isLeft(parsed)) continue
      const link = Chain.linkOf(parsed.right, line.number)
      if (link !== undefined) { links.push(link); if (link.type !== "attachment") slims.set(line.number, Messages.slim(parsed.right)) }
    }
  })))
}).pipe(Effect.provide(NodeContext.layer)))
global.gc!()
const afterLinks = process.memoryUsage().heapUsed
console.log("links", links.length, "slims", slims.size, "live MB", ((afterLinks - base) / 1e6).toFixed(1))
slims.clear(); global.gc!()
console.log("without slims", ((process.memoryUsage().heapUsed - base) / 1e6).toFixed(1))
