/**
 * The `TranscriptStore` contract (the SDK's `SessionStore` one), run against any store: each test
 * gets a fresh store from the given Effect.
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import fs from "node:fs"
import path from "node:path"
import * as TranscriptStore from "../src/TranscriptStore.js"
import { platform, tempDir } from "./utils.js"

/** Something that gives a new, empty store. */
export type MakeStore = Effect.Effect<
  TranscriptStore.Service,
  unknown,
  Scope.Scope | FileSystem.FileSystem | Path.Path
>

const project = "-home-user-work-app"

/** An entry like the CLI's: a message with a uuid. */
export const message = (
  uuid: string,
  text: string,
  parentUuid: string | null = null
): TranscriptStore.StoredEntry => ({
  type: "user",
  uuid,
  parentUuid,
  sessionId: "s",
  timestamp: "2025-01-01T00:00:00.000Z",
  message: { role: "user", content: [{ type: "text", text }] }
})

/** An entry without a uuid (titles, tags, mode markers). */
export const summary = (text: string): TranscriptStore.StoredEntry => ({
  type: "summary",
  summary: text,
  leafUuid: "x"
})

export const loadAll = (store: TranscriptStore.Service, key: TranscriptStore.Key) =>
  Effect.map(Stream.runCollect(store.load(key)), Chunk.toReadonlyArray)

/** The lines of a JSON-lines file, parsed. */
export const readJsonl = (file: string): Array<unknown> =>
  fs.readFileSync(file, "utf8").split("\n").filter((line) => line.length > 0).map((line) => JSON.parse(line))

/** Waits on the wall clock long enough for two writes to get different times. */
const tick = Effect.sleep("30 millis")

/** The titles of the contract's tests. */
export type Case = (typeof cases)[number]

const cases = [
  "append then load gives the entries back in order, content intact",
  "appends are idempotent by uuid; entries without one are appended again (the SDK's contract)",
  "a batch with the same uuid twice keeps the first",
  "the same uuid in two sessions, or in a session and its subagent, is two entries",
  "a subagent's transcript is kept apart from the main one, and delete removes both",
  "list gives the main transcripts of a project, newest write first, with their mtimes",
  "locate gives the project a session is stored under",
  "load of a key never written is empty",
  "5,000 entries come back complete and in order",
  "restore writes the stored entries as a .jsonl the CLI can resume from",
  "importFile of a local transcript, then restore, gives back the same lines"
] as const

/** Registers the contract's tests for the store `make` gives. */
export const transcriptStoreContract = (name: string, make: MakeStore) =>
  describe(`${name}: TranscriptStore contract`, () => {
    const register = (live: boolean) => (title: Case, body: () => Effect.Effect<void, unknown, Scope.Scope>) =>
      (live ? it.scopedLive : it.scoped)(title, body)
    const test = register(false)
    const testLive = register(true)
    const withStore = <A, E>(
      f: (store: TranscriptStore.Service) => Effect.Effect<A, E, Scope.Scope | FileSystem.FileSystem | Path.Path>
    ) => Effect.flatMap(make, f).pipe(Effect.provide(platform))

    test("append then load gives the entries back in order, content intact", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const key = { projectKey: project, sessionId: "s1" }
          const first = [
            message("u1", "hello"),
            summary("a title"),
            message("u2", "ünïcödé ✓ \"quotes\"\n\u0000", "u1")
          ]
          const second = [
            message("u3", "more", "u2"),
            { type: "tag", nested: { deep: [1, 2.5, null, true, { x: "y" }] } }
          ]
          yield* store.append(key, first)
          yield* store.append(key, second)
          assert.deepStrictEqual(yield* loadAll(store, key), [...first, ...second])
        })
      ))

    test("appends are idempotent by uuid; entries without one are appended again (the SDK's contract)", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const key = { projectKey: project, sessionId: "s1" }
          const batch = [message("u1", "a"), summary("t"), message("u2", "b", "u1")]
          yield* store.append(key, batch)
          // a retried batch: the uuid entries are stored once, the uuid-less one twice
          yield* store.append(key, batch)
          assert.deepStrictEqual(yield* loadAll(store, key), [...batch, summary("t")])
        })
      ))

    test("a batch with the same uuid twice keeps the first", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const key = { projectKey: project, sessionId: "s1" }
          yield* store.append(key, [message("u1", "first"), message("u2", "b"), message("u1", "second")])
          assert.deepStrictEqual(yield* loadAll(store, key), [message("u1", "first"), message("u2", "b")])
        })
      ))

    test("the same uuid in two sessions, or in a session and its subagent, is two entries", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const a = { projectKey: project, sessionId: "s1" }
          const b = { projectKey: project, sessionId: "s2" }
          const sub = { projectKey: project, sessionId: "s1", subpath: "subagents/agent-1" }
          for (const key of [a, b, sub]) yield* store.append(key, [message("u1", key.sessionId)])
          assert.deepStrictEqual(yield* loadAll(store, a), [message("u1", "s1")])
          assert.deepStrictEqual(yield* loadAll(store, b), [message("u1", "s2")])
          assert.deepStrictEqual(yield* loadAll(store, sub), [message("u1", "s1")])
        })
      ))

    test("a subagent's transcript is kept apart from the main one, and delete removes both", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const main = { projectKey: project, sessionId: "s1" }
          const sub = { projectKey: project, sessionId: "s1", subpath: "subagents/agent-abc" }
          const other = { projectKey: project, sessionId: "s2" }
          yield* store.append(main, [message("m1", "main")])
          yield* store.append(sub, [message("a1", "agent"), message("a2", "agent 2")])
          yield* store.append(other, [message("o1", "other")])
          assert.deepStrictEqual(yield* loadAll(store, main), [message("m1", "main")])
          assert.deepStrictEqual(yield* loadAll(store, sub), [message("a1", "agent"), message("a2", "agent 2")])
          // subagent transcripts are not sessions of the project
          assert.deepStrictEqual((yield* store.list(project)).map((s) => s.sessionId).sort(), ["s1", "s2"])

          yield* store.delete(main)
          assert.deepStrictEqual(yield* loadAll(store, main), [])
          assert.deepStrictEqual(yield* loadAll(store, sub), [])
          assert.deepStrictEqual((yield* store.list(project)).map((s) => s.sessionId), ["s2"])
          assert.isTrue(Option.isNone(yield* store.locate("s1")))
          // the other session is untouched
          assert.deepStrictEqual(yield* loadAll(store, other), [message("o1", "other")])
          // a deleted session can be written again from scratch
          yield* store.append(main, [message("m1", "again")])
          assert.deepStrictEqual(yield* loadAll(store, main), [message("m1", "again")])
        })
      ))

    testLive("list gives the main transcripts of a project, newest write first, with their mtimes", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const before = Date.now()
          const key = (sessionId: string) => ({ projectKey: project, sessionId })
          yield* store.append(key("s1"), [message("u1", "a")])
          yield* tick
          yield* store.append(key("s2"), [message("u2", "b")])
          yield* tick
          yield* store.append(key("s3"), [message("u3", "c")])
          yield* tick
          // written again: s1 is now the newest
          yield* store.append(key("s1"), [message("u4", "d")])
          yield* store.append({ projectKey: "-elsewhere", sessionId: "s9" }, [message("u9", "e")])
          const listed = yield* store.list(project)
          assert.deepStrictEqual(listed.map((s) => s.sessionId), ["s1", "s3", "s2"])
          for (const session of listed) {
            assert.isTrue(Number.isInteger(session.mtime))
            // file systems may round mtimes down a little
            assert.isTrue(session.mtime >= before - 1000 && session.mtime <= Date.now() + 1000, `${session.mtime}`)
          }
          assert.isTrue(listed[0]!.mtime > listed[1]!.mtime && listed[1]!.mtime > listed[2]!.mtime)
          assert.deepStrictEqual(yield* store.list("-nothing-here"), [])
        })
      ))

    test("locate gives the project a session is stored under", () =>
      withStore((store) =>
        Effect.gen(function*() {
          yield* store.append({ projectKey: project, sessionId: "s1" }, [message("u1", "a")])
          yield* store.append({ projectKey: "-other-project", sessionId: "s2" }, [message("u2", "b")])
          assert.deepStrictEqual(yield* store.locate("s1"), Option.some(project))
          assert.deepStrictEqual(yield* store.locate("s2"), Option.some("-other-project"))
          assert.deepStrictEqual(yield* store.locate("s3"), Option.none())
        })
      ))

    test("load of a key never written is empty", () =>
      withStore((store) =>
        Effect.gen(function*() {
          assert.deepStrictEqual(yield* loadAll(store, { projectKey: project, sessionId: "missing" }), [])
          yield* store.append({ projectKey: project, sessionId: "s1" }, [message("u1", "a")])
          const subagent = { projectKey: project, sessionId: "s1", subpath: "subagents/x" }
          assert.deepStrictEqual(yield* loadAll(store, subagent), [])
          assert.deepStrictEqual(yield* loadAll(store, { projectKey: "-other", sessionId: "s1" }), [])
        })
      ))

    test("5,000 entries come back complete and in order", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const key = { projectKey: project, sessionId: "big" }
          const entries = Array.from(
            { length: 5000 },
            (_, i) => i % 7 === 0 ? summary(`title ${i}`) : message(`u${i}`, `text ${i} ${"x".repeat(i % 50)}`)
          )
          // one large batch and then many small ones
          yield* store.append(key, entries.slice(0, 3000))
          for (let i = 3000; i < 5000; i += 250) yield* store.append(key, entries.slice(i, i + 250))
          const loaded = yield* loadAll(store, key)
          assert.strictEqual(loaded.length, 5000)
          assert.deepStrictEqual(loaded, entries)
          // a prefix read ends the stream early and well
          const firstTen = yield* Stream.runCollect(Stream.take(store.load(key), 10))
          assert.deepStrictEqual(Chunk.toReadonlyArray(firstTen), entries.slice(0, 10))
        })
      ))

    test("restore writes the stored entries as a .jsonl the CLI can resume from", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const entries = [message("u1", "a"), summary("t"), message("u2", "b", "u1")]
          yield* store.append({ projectKey: project, sessionId: "s1" }, entries)
          const subagent = { projectKey: project, sessionId: "s1", subpath: "subagents/agent-1" }
          yield* store.append(subagent, [message("x", "y")])
          const projects = tempDir()
          const file = yield* TranscriptStore.restore(store, { sessionId: "s1", projectsDirectory: projects })
          assert.strictEqual(file, path.join(projects, project, "s1.jsonl"))
          assert.deepStrictEqual(readJsonl(file), entries)
          const stored = yield* loadAll(store, { projectKey: project, sessionId: "s1" })
          assert.deepStrictEqual(readJsonl(file), [...stored])
          assert.isFalse(fs.existsSync(`${file}.restoring`))
          // the subagent's transcript comes back beside it
          assert.deepStrictEqual(yield* store.subpaths({ projectKey: project, sessionId: "s1" }), ["subagents/agent-1"])
          assert.deepStrictEqual(readJsonl(path.join(projects, project, "s1", "subagents", "agent-1.jsonl")), [message("x", "y")])
        })
      ))

    test("importFile of a local transcript, then restore, gives back the same lines", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const lines = [
            ...Array.from({ length: 1200 }, (_, i) => message(`u${i}`, `line ${i}`, i === 0 ? null : `u${i - 1}`)),
            summary("the title")
          ].map((entry) => JSON.stringify(entry))
          const source = path.join(tempDir(), "local.jsonl")
          fs.writeFileSync(source, lines.join("\n") + "\n")
          const key = { projectKey: project, sessionId: "imported" }
          assert.strictEqual(yield* TranscriptStore.importFile(store, { file: source, key }), lines.length)
          const projects = tempDir()
          const file = yield* TranscriptStore.restore(store, { sessionId: "imported", projectsDirectory: projects })
          assert.deepStrictEqual(fs.readFileSync(file, "utf8").split("\n").slice(0, -1), lines)

          // imported again: the uuid entries are skipped, the uuid-less one is appended again
          assert.strictEqual(yield* TranscriptStore.importFile(store, { file: source, key }), lines.length)
          yield* TranscriptStore.restore(store, { sessionId: "imported", projectsDirectory: projects, overwrite: true })
          assert.deepStrictEqual(fs.readFileSync(file, "utf8").split("\n").slice(0, -1), [...lines, lines.at(-1)!])
        })
      ))
  })
