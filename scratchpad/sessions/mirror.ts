import { NodeContext } from "@effect/platform-node"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Chunk from "effect/Chunk"
import fs from "node:fs"
import * as ClaudeSession from "../../src/ClaudeSession.js"
import * as TranscriptStore from "../../src/TranscriptStore.js"
import * as Api from "../../src/ScriptedMessagesApi.js"
import { realOptions } from "../../test/sessionsCorpus.js"
import { tempDir } from "../../test/utils.js"
const program = Effect.gen(function*() {
  const api = yield* Api.make([Api.turn("one", Api.text("first")), Api.turn("two", Api.text("second"))])
  const store = yield* TranscriptStore.makeMemory
  const cwd = fs.realpathSync(tempDir())
  const id = yield* Effect.scoped(Effect.gen(function*() {
    const s = yield* ClaudeSession.make(realOptions(api, { cwd, transcriptStore: store }))
    yield* s.turn("one")
    const r = yield* s.turn("two")
    yield* s.flushTranscript
    return r.result.session_id
  }))
  const pk = (yield* store.locate(id))
  console.log("located", pk)
  const entries = Chunk.toArray(yield* Stream.runCollect(store.load({ projectKey: pk._tag === "Some" ? pk.value : "", sessionId: id })))
  const file = `${api.env.HOME}/.claude/projects/${pk._tag === "Some" ? pk.value : ""}/${id}.jsonl`
  const lines = fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l))
  console.log("store", entries.length, "file", lines.length)
  console.log("store types", entries.map((e) => e.type).join(","))
  console.log("file  types", lines.map((e) => e.type).join(","))
})
await Effect.runPromise(Effect.scoped(program).pipe(Effect.provide(NodeContext.layer)))
