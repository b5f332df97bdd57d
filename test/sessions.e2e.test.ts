/**
 * ClaudeSessions against transcripts the real claude CLI (2.1.330) wrote offline, compared
 * field by field with the official SDK's session functions on the same folder.
 */
import { assert, describe, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import fs from "node:fs"
import path from "node:path"
import * as ClaudeSession from "../src/ClaudeSession.js"
import * as ClaudeSessions from "../src/ClaudeSessions.js"
import * as ClaudeTranscript from "../src/ClaudeTranscript.js"
import * as Api from "../src/ScriptedMessagesApi.js"
import { type Corpus, makeCorpus, realOptions } from "./sessionsCorpus.js"
import { platform } from "./utils.js"

class TheCorpus extends Context.Tag("test/TheCorpus")<TheCorpus, Corpus>() {}

const CorpusLayer = Layer.scoped(TheCorpus, makeCorpus).pipe(Layer.provideMerge(platform))

// the official SDK, reading the corpus's folder (it reads CLAUDE_CONFIG_DIR at each call)
const sdk = (corpus: Corpus) =>
  Effect.promise(async () => {
    process.env.CLAUDE_CONFIG_DIR = corpus.configDir
    return await import("@anthropic-ai/claude-agent-sdk")
  })

// what JSON keeps (the SDK's objects carry `undefined` fields)
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

const sessionsOf = (corpus: Corpus) => ClaudeSessions.make({ configDir: corpus.configDir })
const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toArray)

describe("ClaudeSessions with the real CLI's transcripts", () => {
  layer(CorpusLayer, { timeout: 120_000 })((it) => {
    it.effect("list matches the official SDK's listSessions field by field (all, per project, paged, without SDK sessions)", () =>
      Effect.gen(function*() {
        const corpus = yield* TheCorpus
        const sessions = yield* sessionsOf(corpus)
        const official = yield* sdk(corpus)
        const ours = yield* sessions.list()
        assert.deepStrictEqual(plain(ours), plain(yield* Effect.promise(() => official.listSessions())))
        assert.deepStrictEqual(ours.map((info) => info.sessionId).sort(), [corpus.sessionA, corpus.sessionB, corpus.forkOfA].sort())
        const a = ours.find((info) => info.sessionId === corpus.sessionA)!
        assert.strictEqual(a.cwd, corpus.cwdA)
        assert.strictEqual(a.firstPrompt, "please run echo and tell me")
        assert.strictEqual(a.summary, "resumed question")
        for (const dir of [corpus.cwdA, corpus.cwdB]) {
          assert.deepStrictEqual(
            plain(yield* sessions.list({ dir })),
            plain(yield* Effect.promise(() => official.listSessions({ dir })))
          )
        }
        assert.deepStrictEqual(
          plain(yield* sessions.list({ limit: 1, offset: 1 })),
          plain(yield* Effect.promise(() => official.listSessions({ limit: 1, offset: 1 })))
        )
        // our sessions run with an SDK entrypoint, as the official SDK's do
        assert.deepStrictEqual(yield* sessions.list({ includeProgrammatic: false }), [])
        assert.deepStrictEqual(plain(yield* Effect.promise(() => official.listSessions({ includeProgrammatic: false }))), [])
      }))

    it.effect("messages match getSessionMessages: the chain with the Bash call, its result, the resumed turn", () =>
      Effect.gen(function*() {
        const corpus = yield* TheCorpus
        const sessions = yield* sessionsOf(corpus)
        const official = yield* sdk(corpus)
        for (const id of [corpus.sessionA, corpus.sessionB, corpus.forkOfA]) {
          const ours = yield* collect(sessions.messages(id))
          assert.deepStrictEqual(plain(ours), plain(yield* Effect.promise(() => official.getSessionMessages(id))))
          assert.deepStrictEqual(
            plain(yield* collect(sessions.messages(id, { offset: 1, limit: 2 }))),
            plain(yield* Effect.promise(() => official.getSessionMessages(id, { offset: 1, limit: 2 })))
          )
        }
        const a = yield* collect(sessions.messages(corpus.sessionA))
        // prompt, Bash call, its result, answer, second prompt + answer, resumed prompt + answer
        assert.deepStrictEqual(a.map((message) => message.type), ["user", "assistant", "user", "assistant", "user", "assistant", "user", "assistant"])
        assert.include(JSON.stringify(a[2]!.message), "hi-from-bash")
        assert.include(JSON.stringify(a[7]!.message), "Resumed answer.")
      }))

    it.effect("entries: every line typed, unknown types kept as data, chain entries linked", () =>
      Effect.gen(function*() {
        const corpus = yield* TheCorpus
        const sessions = yield* sessionsOf(corpus)
        const file = yield* sessions.file(corpus.sessionA)
        const lines = fs.readFileSync(file, "utf8").split("\n").filter((line) => line.length > 0)
        const entries = yield* collect(sessions.entries(corpus.sessionA, { onMalformed: "fail" }))
        assert.strictEqual(entries.length, lines.length)
        const types = new Set(entries.map((entry) => entry.type))
        for (const type of ["user", "assistant", "attachment", "last-prompt", "queue-operation", "cost-state"]) {
          assert.isTrue(types.has(type), type)
        }
        const chain = entries.filter(ClaudeTranscript.isChainEntry)
        assert.isNull(chain[0]!.parentUuid)
        const uuids = new Set(chain.map((entry) => entry.uuid))
        for (const entry of chain.slice(1)) assert.isTrue(uuids.has(entry.parentUuid!), "every parent is in the file")
        const costState = entries.find((entry) => entry.type === "cost-state")!
        assert.isNumber((costState as ClaudeTranscript.UnknownEntry).totalCostUSD)
      }))

    it.effect("rename, tag, fork: the official SDK reads our writes, and we read its writes", () =>
      Effect.gen(function*() {
        const corpus = yield* TheCorpus
        const sessions = yield* sessionsOf(corpus)
        const official = yield* sdk(corpus)
        yield* sessions.rename(corpus.sessionB, "  B, renamed  ")
        yield* sessions.tag(corpus.sessionB, "review")
        const info = (yield* Effect.promise(() => official.getSessionInfo(corpus.sessionB)))!
        assert.strictEqual(info.customTitle, "B, renamed")
        assert.strictEqual(info.summary, "B, renamed")
        assert.strictEqual(info.tag, "review")
        yield* sessions.tag(corpus.sessionB, null)
        assert.isUndefined((yield* Effect.promise(() => official.getSessionInfo(corpus.sessionB)))!.tag)

        // the SDK writes, we read
        yield* Effect.promise(() => official.renameSession(corpus.sessionA, "A by the SDK"))
        yield* Effect.promise(() => official.tagSession(corpus.sessionA, "sdk-tag"))
        const a = yield* sessions.info(corpus.sessionA)
        assert.strictEqual(a.customTitle, "A by the SDK")
        assert.strictEqual(a.tag, "sdk-tag")
        assert.deepStrictEqual(plain(yield* sessions.list()), plain(yield* Effect.promise(() => official.listSessions())))

        // our fork, read by the SDK
        const original = yield* collect(sessions.messages(corpus.sessionA))
        const forked = yield* sessions.fork(corpus.sessionA, { upToMessageId: original[3]!.uuid })
        const forkMessages = yield* Effect.promise(() => official.getSessionMessages(forked.sessionId))
        assert.deepStrictEqual(forkMessages.map((message) => plain(message.message)), original.slice(0, 4).map((m) => plain(m.message)))
        assert.deepStrictEqual(plain(yield* collect(sessions.messages(forked.sessionId))), plain(forkMessages))
        const forkInfo = (yield* Effect.promise(() => official.getSessionInfo(forked.sessionId)))!
        assert.strictEqual(forkInfo.customTitle, "A by the SDK (fork)")
        for (const message of forkMessages) assert.notInclude(original.map((m) => m.uuid), message.uuid)
        const forkFile = yield* sessions.file(forked.sessionId)
        assert.strictEqual(fs.statSync(forkFile).mode & 0o777, 0o600)
        const copies = (yield* collect(sessions.entries(forked.sessionId))).filter(ClaudeTranscript.isChainEntry)
        for (const copy of copies) {
          assert.strictEqual(copy.sessionId, forked.sessionId)
          assert.strictEqual((copy.forkedFrom as { sessionId: string }).sessionId, corpus.sessionA)
        }

        // the SDK's fork, read by us
        const theirs = yield* Effect.promise(() => official.forkSession(corpus.sessionB))
        assert.deepStrictEqual(
          plain(yield* collect(sessions.messages(theirs.sessionId))),
          plain(yield* Effect.promise(() => official.getSessionMessages(theirs.sessionId)))
        )
        assert.deepStrictEqual(plain(yield* sessions.list()), plain(yield* Effect.promise(() => official.listSessions())))

        // delete, both ways: each sees the other's delete
        yield* Effect.promise(() => official.deleteSession(forked.sessionId))
        assert.strictEqual((yield* Effect.flip(sessions.info(forked.sessionId)))._tag, "SessionNotFound")
        yield* sessions.delete(theirs.sessionId)
        assert.isUndefined(yield* Effect.promise(() => official.getSessionInfo(theirs.sessionId)))
        assert.deepStrictEqual(plain(yield* sessions.list()), plain(yield* Effect.promise(() => official.listSessions())))
      }))

    it.effect("errors: an unknown id, a blank title or tag, a bad line reported with its number", () =>
      Effect.gen(function*() {
        const corpus = yield* TheCorpus
        const sessions = yield* sessionsOf(corpus)
        const missing = "00000000-0000-4000-8000-000000000000"
        assert.strictEqual((yield* Effect.flip(sessions.delete(missing)))._tag, "SessionNotFound")
        assert.strictEqual((yield* Effect.flip(sessions.rename(missing, "x")))._tag, "SessionNotFound")
        assert.strictEqual((yield* Effect.flip(collect(sessions.messages(missing))))._tag, "SessionNotFound")
        const blank = yield* Effect.flip(sessions.rename(corpus.sessionB, "   "))
        assert.strictEqual(blank._tag === "TranscriptError" && blank.reason, "InvalidArgument")
        assert.strictEqual((yield* Effect.flip(sessions.tag(corpus.sessionB, " ")))._tag, "TranscriptError")
        // a damaged copy of B: skipped by default, a MalformedEntry with its line number on request
        const copy = yield* sessions.fork(corpus.sessionB, { title: "damaged" })
        const file = yield* sessions.file(copy.sessionId)
        const lines = fs.readFileSync(file, "utf8").split("\n")
        lines.splice(1, 0, "{not json")
        fs.writeFileSync(file, lines.join("\n"))
        const skipped = yield* collect(sessions.entries(copy.sessionId))
        assert.strictEqual(skipped.length, lines.filter((line) => line.length > 0).length - 1)
        const failed = yield* Effect.flip(collect(sessions.entries(copy.sessionId, { onMalformed: "fail" })))
        assert.strictEqual(failed._tag, "MalformedEntry")
        assert.strictEqual(failed._tag === "MalformedEntry" && failed.line, 2)
        // and the messages still match the SDK's, which skips such lines too
        const official = yield* sdk(corpus)
        assert.deepStrictEqual(
          plain(yield* collect(sessions.messages(copy.sessionId))),
          plain(yield* Effect.promise(() => official.getSessionMessages(copy.sessionId)))
        )
        yield* sessions.delete(copy.sessionId)
        assert.isFalse(fs.existsSync(file))
        assert.strictEqual((yield* Effect.flip(sessions.info(copy.sessionId)))._tag, "SessionNotFound")
      }))

    it.effect("a listed session resumes, and so does our fork: the model request carries the earlier conversation", () =>
      Effect.gen(function*() {
        const corpus = yield* TheCorpus
        const sessions = yield* sessionsOf(corpus)
        const [info] = (yield* sessions.list({ dir: corpus.cwdB })).filter((s) => s.sessionId === corpus.sessionB)
        yield* corpus.api.push(Api.turn("after resume", Api.text("Resumed B.")), Api.turn("fork goes on", Api.text("Fork answers.")))
        const before = (yield* corpus.api.messageRequests).length
        yield* Effect.scoped(Effect.gen(function*() {
          const session = yield* ClaudeSession.make(realOptions(corpus.api, { resume: info!.sessionId, cwd: info!.cwd! }))
          assert.strictEqual((yield* session.turn("after resume")).text, "Resumed B.")
        }))
        const forked = yield* sessions.fork(corpus.sessionA)
        yield* Effect.scoped(Effect.gen(function*() {
          const session = yield* ClaudeSession.make(realOptions(corpus.api, { resume: forked.sessionId, cwd: corpus.cwdA }))
          assert.strictEqual((yield* session.turn("fork goes on")).text, "Fork answers.")
        }))
        const requests = (yield* corpus.api.messageRequests).slice(before).map((request) => JSON.stringify(request.raw))
        assert.isTrue(requests.some((raw) => raw.includes("after resume") && raw.includes("B answers.")), "B's history resent")
        assert.isTrue(
          requests.some((raw) => raw.includes("fork goes on") && raw.includes("hi-from-bash") && raw.includes("Resumed answer.")),
          "the fork's history resent"
        )
        // the fork's file is the one the CLI appended to
        const forkFile = path.join(path.dirname(yield* sessions.file(corpus.sessionA)), `${forked.sessionId}.jsonl`)
        assert.include(fs.readFileSync(forkFile, "utf8"), "Fork answers.")
      }))
  })
})
