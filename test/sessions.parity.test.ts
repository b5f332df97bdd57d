/**
 * ClaudeSessions and the official SDK's session functions on the same hand-made folders: the
 * odd cases (titles in head or tail of big files, prompts that are commands, sidechains,
 * branches, compaction, parallel tool calls, queued prompts, cut lines) give the same results.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import fs from "node:fs"
import path from "node:path"
import * as ClaudeSessions from "../src/ClaudeSessions.js"
import { chain, freshConfig, numbered, projectDirName, raw, sessionFile, sid, type Spec, writeLines } from "./fixtures/transcripts.js"
import { platform } from "./utils.js"

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

const official = (config: string) =>
  Effect.promise(async () => {
    process.env.CLAUDE_CONFIG_DIR = config
    return await import("@anthropic-ai/claude-agent-sdk")
  })

const sessionIds = (config: string) =>
  fs.readdirSync(path.join(config, "projects")).flatMap((project) =>
    fs.readdirSync(path.join(config, "projects", project)).filter((name) => name.endsWith(".jsonl")).map((name) =>
      name.slice(0, -".jsonl".length)
    )
  )

/** Compares list (with each option) and messages (of every file, with each option) with the SDK's. */
const compare = (
  config: string,
  lists: ReadonlyArray<ClaudeSessions.ListOptions>,
  messageOptions: ReadonlyArray<ClaudeSessions.MessagesOptions> = [{}]
) =>
  Effect.gen(function*() {
    const sessions = yield* ClaudeSessions.make({ configDir: config })
    const sdk = yield* official(config)
    for (const options of lists) {
      const ours = yield* sessions.list(options)
      const theirs = yield* Effect.promise(() => sdk.listSessions(options as Parameters<typeof sdk.listSessions>[0]))
      assert.deepStrictEqual(plain(ours), plain(theirs), `list ${JSON.stringify(options)}`)
    }
    let compared = 0
    for (const id of sessionIds(config)) {
      for (const options of messageOptions) {
        const ours = yield* Stream.runCollect(sessions.messages(id, options)).pipe(
          Effect.map(Chunk.toArray),
          Effect.catchTag("SessionNotFound", () => Effect.succeed([])),
          Effect.catchTag("TranscriptError", () => Effect.succeed([]))
        )
        const theirs = yield* Effect.promise(() => sdk.getSessionMessages(id, options as Parameters<typeof sdk.getSessionMessages>[1]))
        assert.deepStrictEqual(plain(ours), plain(theirs), `messages of ${id} ${JSON.stringify(options)}`)
        compared++
      }
    }
    return compared
  }).pipe(Effect.provide(platform))

const T = 1_700_000_000

describe("ClaudeSessions agrees with the official SDK on hand-made transcripts", () => {
  it.effect("list: prompts, commands, meta, media, titles, tags, sidechains, SDK sessions, escapes, sidecars", () =>
    Effect.gen(function*() {
      const config = freshConfig("list1")
      const project = "/tmp/nonexistent-proj-a"
      const name = projectDirName(project)
      const write = (k: number, specs: ReadonlyArray<Spec>, mtime: number) =>
        writeLines(sessionFile(config, name, sid(k)), chain(sid(k), specs, { cwd: project }), T + mtime)
      write(1, [{ type: "user", content: "Hello world" }, { type: "assistant", content: "Hi" }], 1)
      write(2, [{ type: "user", content: "line one\nline two\n" + "x".repeat(300) }, { type: "assistant", content: "ok" }], 2)
      write(3, [{ type: "user", content: "<command-name>/review</command-name>\n<command-message>review</command-message>" }], 3)
      write(4, [
        { type: "user", content: "meta caveat", isMeta: true },
        { type: "user", content: "<command-name>/clear</command-name>" },
        { type: "user", content: [{ type: "text", text: "<system-reminder>x</system-reminder>" }, { type: "text", text: "  real   prompt  " }] }
      ], 4)
      write(5, [
        { type: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "r" }] },
        { type: "user", content: "[Request interrupted by user]" },
        { type: "user", content: "after interrupt" }
      ], 5)
      write(6, [{ type: "user", content: "<bash-input>  ls -la </bash-input>" }], 6)
      write(7, [{ type: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } }] }], 7)
      write(8, [
        { type: "user", content: "p8" },
        raw({ type: "custom-title", customTitle: "Head Title", sessionId: sid(8) }),
        raw({ type: "ai-title", aiTitle: "AI T", sessionId: sid(8) }),
        raw({ type: "tag", tag: "t1", sessionId: sid(8) }),
        raw({ type: "last-prompt", lastPrompt: "LP", sessionId: sid(8) })
      ], 8)
      write(9, [raw({ type: "summary", summary: "Sum9", leafUuid: "x" }), raw({ type: "last-prompt", lastPrompt: "LP9", sessionId: sid(9) })], 9)
      write(10, [raw({ type: "summary", summary: "Sum10", leafUuid: "x" })], 10)
      write(11, [{ type: "user", content: "side", isSidechain: true }], 11)
      write(12, [{ type: "assistant", content: "only assistant" }], 12)
      write(13, [{ type: "user", content: "sdk prompt", entrypoint: "sdk-ts" }], 13)
      write(14, [{ type: "user", content: "p14" }, raw({ type: "tag", tag: "old", sessionId: sid(14) }), raw({ type: "tag", tag: "", sessionId: sid(14) })], 14)
      write(15, [{
        raw: `{"type": "user", "cwd": "C:\\\\x\\u00e9", "gitBranch": "feat/\\"q\\"", "timestamp": "2024-02-02T00:00:00Z", "message": {"role": "user", "content": "spaced json"}, "uuid": "u15", "sessionId": "${sid(15)}"}`
      }], 15)
      writeLines(path.join(config, "projects", name, "not-a-uuid.jsonl"), chain("x", [{ type: "user", content: "nope" }]), T + 20)
      fs.writeFileSync(sessionFile(config, name, sid(16)), "")
      write(17, [{ type: "user", content: "   \n  " }, { type: "user", content: "compact summary text", isCompactSummary: true }, { type: "user", content: "final" }], 17)
      write(18, [{ type: "user", content: "a".repeat(199) + "😀" + "tail" }], 18)
      write(19, [{ type: "user", content: "p19" }], 19)
      fs.mkdirSync(path.join(config, "projects", name, sid(19)), { recursive: true })
      fs.writeFileSync(path.join(config, "projects", name, sid(19), "custom-title.json"), JSON.stringify({ customTitle: "  Side\u0007car\ttitle  " }))
      write(20, [{ type: "user", content: "archived then untouched" }], 21)
      fs.mkdirSync(path.join(config, "projects", name, sid(20)), { recursive: true })
      fs.writeFileSync(path.join(config, "projects", name, sid(20), "archived.json"), JSON.stringify({ archived: true, at: "2030-01-01T00:00:00.000Z" }))
      const compared = yield* compare(config, [{ dir: project }, { dir: project, includeProgrammatic: false }, {}])
      assert.isAbove(compared, 18)
      const listed = yield* Effect.provide(Effect.flatMap(ClaudeSessions.make({ configDir: config }), (s) => s.list()), platform)
      assert.strictEqual(listed.find((info) => info.sessionId === sid(2))!.firstPrompt, `line one line two ${"x".repeat(182)}…`)
      assert.isTrue(listed.find((info) => info.sessionId === sid(20))!.archived)
    }))

  it.effect("list: big files read at head and tail only, titles by precedence, a cut line recovered, paging and duplicates", () =>
    Effect.gen(function*() {
      const config = freshConfig("list2")
      const project = "/tmp/nonexistent-proj-b"
      const name = projectDirName(project)
      const filler = (n: number): Array<Spec> => Array.from({ length: n }, (_, i) => ({ type: "assistant", content: "f".repeat(1000) + i }))
      const write = (k: number, specs: ReadonlyArray<Spec>, mtime: number) =>
        writeLines(sessionFile(config, name, sid(k)), chain(sid(k), specs, { cwd: project }), T + mtime)
      write(1, [{ type: "user", content: "first" }, ...filler(70), raw({ type: "custom-title", customTitle: "MIDDLE", sessionId: sid(1) }), ...filler(70)], 1)
      write(2, [
        { type: "user", content: "first" },
        raw({ type: "custom-title", customTitle: "HEAD", sessionId: sid(2) }),
        ...filler(100),
        raw({ type: "ai-title", aiTitle: "AI-TAIL", sessionId: sid(2) }),
        raw({ type: "custom-title", customTitle: "TAIL", sessionId: sid(2) }),
        { type: "assistant", content: "x", gitBranch: "tailbranch" }
      ], 2)
      write(3, [
        { type: "user", content: "first3" },
        raw({ type: "ai-title", aiTitle: "AI-HEAD", sessionId: sid(3) }),
        ...filler(100),
        raw({ type: "relocated", relocatedCwd: "/moved/here", sessionId: sid(3) }),
        { type: "assistant", content: "x", gitBranch: "b-tail" }
      ], 3)
      write(4, [{ type: "user", content: "p4" }, raw({ type: "custom-title", customTitle: "OLDER", sessionId: sid(4) }), raw({ type: "custom-title", customTitle: "", sessionId: sid(4) })], 4)
      write(5, [{ type: "user", content: "p5" }, "{\"type\":\"assistant\",\"message\":{\"content\":\"trunc" + JSON.stringify({ type: "custom-title", customTitle: "RECOVERED", sessionId: sid(5) })], 5)
      write(6, [{ type: "user", content: "first6" }, raw({ type: "last-prompt", lastPrompt: "latest prompt", sessionId: sid(6) })], 6)
      write(7, [{ type: "user", content: "first7" }, raw({ type: "summary", summary: "Summary7", leafUuid: "x" })], 7)
      yield* compare(config, [{ dir: project }, {}])

      const paged = freshConfig("list2b")
      const short = (k: number, mtime: number, folder = name) =>
        writeLines(sessionFile(paged, folder, sid(k)), chain(sid(k), [{ type: "user", content: `s${k}` }], { cwd: project }), T + mtime)
      short(1, 5)
      short(2, 5)
      short(3, 7)
      short(4, 1)
      short(5, 9)
      short(3, 100, projectDirName("/other/proj"))
      short(4, 0, projectDirName("/other/proj"))
      writeLines(sessionFile(paged, name, sid(6)), chain(sid(6), [{ type: "assistant", content: "x" }], { cwd: project }), T + 8)
      yield* compare(paged, [
        {},
        { limit: 2 },
        { limit: 2, offset: 2 },
        { offset: 1 },
        { limit: 0 },
        { limit: -1, offset: -1 },
        { dir: project, limit: 10 },
        { dir: "/other/proj" }
      ])
    }))

  it.effect("messages: branches, tool results, progress, meta, system entries, sidechains, bad lines, limit and offset", () =>
    Effect.gen(function*() {
      const config = freshConfig("msgs1")
      const project = "/tmp/ecs-parity-msgs"
      const name = projectDirName(project)
      const entry = numbered(project, 1000)
      const { at, U } = entry
      {
        const { assistant, base, user } = entry(sid(1))
        writeLines(sessionFile(config, name, sid(1)), [
          { type: "summary", summary: "x", leafUuid: U(1) },
          user(1, null, "hello"),
          assistant(2, 1, [{ type: "tool_use", id: "tu1", name: "Bash", input: {} }]),
          { type: "progress", uuid: U(3), parentUuid: U(2), sessionId: sid(1), timestamp: at(3), data: {} },
          user(4, 2, [{ type: "tool_result", tool_use_id: "tu1", content: "out" }]),
          base(5, 4, "attachment", { attachment: { type: "file", filename: "x" } }),
          assistant(6, 5, "done"),
          user(7, 6, "meta msg", { isMeta: true }),
          base(8, 7, "system", { subtype: "informational", content: "sys note", level: "info" }),
          user(9, 8, "second prompt"),
          assistant(10, 9, "answer A"),
          user(11, 8, "second prompt (edited)"),
          assistant(12, 11, "answer B"),
          user(13, 12, "side", { isSidechain: true }),
          base(14, 12, "system", { subtype: "turn_duration", durationMs: 5 }),
          "not json at all",
          "   "
        ])
      }
      {
        const { assistant, user } = entry(sid(2))
        writeLines(sessionFile(config, name, sid(2)), [user(1, null, "q"), assistant(2, 1, "a1"), assistant(3, 1, "a2-retry"), user(4, 2, "follow-up on a1")])
      }
      writeLines(sessionFile(config, name, sid(3)), [entry(sid(3)).user(1, null, "only side", { isSidechain: true })])
      {
        // compaction: the summary and what follows
        const { assistant, base, user } = entry(sid(4))
        writeLines(sessionFile(config, name, sid(4)), [
          user(21, null, "before"),
          assistant(22, 21, "before-answer"),
          base(23, null, "system", { subtype: "compact_boundary", content: "Conversation compacted", logicalParentUuid: U(22), compactMetadata: { trigger: "manual", preTokens: 100 } }),
          user(24, 23, "This session is being continued... summary", { isCompactSummary: true, isVisibleInTranscriptOnly: true }),
          user(25, 24, "after"),
          assistant(26, 25, "after-answer")
        ])
      }
      {
        // parallel tool calls: one message written as three entries, results on two of them
        const { assistant, user } = entry(sid(5))
        writeLines(sessionFile(config, name, sid(5)), [
          user(31, null, "run two"),
          assistant(32, 31, [{ type: "text", text: "ok" }], { mid: "msg_X" }),
          assistant(33, 32, [{ type: "tool_use", id: "A", name: "Bash", input: {} }], { mid: "msg_X" }),
          assistant(34, 33, [{ type: "tool_use", id: "B", name: "Bash", input: {} }], { mid: "msg_X" }),
          user(35, 33, [{ type: "tool_result", tool_use_id: "A", content: "a" }], { sourceToolAssistantUUID: U(33) }),
          user(36, 34, [{ type: "tool_result", tool_use_id: "B", content: "b" }], { sourceToolAssistantUUID: U(34) }),
          assistant(37, 36, "both done")
        ])
      }
      {
        // a prompt queued while busy, a local command, channel messages, a trailing queued prompt
        const { assistant, base, user } = entry(sid(6))
        writeLines(sessionFile(config, name, sid(6)), [
          user(41, null, "first"),
          base(42, 41, "attachment", { attachment: { type: "queued_command", prompt: "queued while busy", commandMode: "prompt" } }),
          assistant(43, 42, "reply to both"),
          user(44, 43, "<local-command-caveat>Caveat: ...</local-command-caveat>", { isMeta: true }),
          user(45, 44, "<command-name>/model</command-name>\n<command-message>model</command-message>\n<command-args></command-args>"),
          user(46, 45, "<local-command-stdout>Set model</local-command-stdout>"),
          user(47, 46, "next", { origin: { kind: "channel", source: "x" } }),
          user(48, 47, "meta from channel", { isMeta: true, origin: { kind: "channel" } }),
          assistant(49, 48, "fine"),
          base(50, 49, "attachment", { attachment: { type: "queued_command", prompt: [{ type: "text", text: "trailing queued" }], source_uuid: U(99) } })
        ])
      }
      {
        // denials, a quiet turn closer, a reply cut by shutdown
        const { assistant, user } = entry(sid(7))
        writeLines(sessionFile(config, name, sid(7)), [
          user(51, null, "go"),
          assistant(52, 51, [{ type: "tool_use", id: "T", name: "Bash", input: {} }]),
          user(53, 52, [{ type: "tool_result", tool_use_id: "T", content: "denied", is_error: true }], { toolDenialKind: "user-rejected", toolDenialUnanswered: "stream-closed" }),
          assistant(54, 53, "No response requested.", { closesQuietTurn: true }),
          assistant(55, 54, "partial", { interruptedByShutdown: true })
        ])
      }
      {
        // the same uuid twice (the later content wins), and a cycle
        const { assistant, user } = entry(sid(8))
        writeLines(sessionFile(config, name, sid(8)), [user(61, null, "v1"), assistant(62, 61, "a"), user(61, null, "v2-dup")])
        const cycle = entry(sid(9))
        writeLines(sessionFile(config, name, sid(9)), [cycle.user(71, 72, "c1"), cycle.assistant(72, 71, "c2")])
      }
      const compared = yield* compare(config, [{}], [
        {},
        { includeSystemMessages: true },
        { limit: 2, offset: 1 },
        { offset: 3 },
        { limit: 0 },
        { offset: -2, limit: 1 },
        { offset: -2 }
      ])
      assert.strictEqual(compared, 9 * 7)
      const sessions = yield* Effect.provide(ClaudeSessions.make({ configDir: config }), platform)
      const queued = Chunk.toArray(yield* Effect.provide(Stream.runCollect(sessions.messages(sid(6))), platform))
      assert.isTrue(queued.some((message) => message.isQueuedCommand === true), "a delivered queued prompt is a message")
    }))

  it.effect("fork writes what forkSession writes: same entries, links, bookkeeping kept and dropped, title", () =>
    Effect.gen(function*() {
      const config = freshConfig("fork")
      const project = "/tmp/ecs-parity-fork"
      const name = projectDirName(project)
      const entry = numbered(project, 3000)
      const { at, U } = entry
      const S = sid(1)
      const source = entry(S)
      writeLines(sessionFile(config, name, S), [
        { type: "summary", summary: "s", leafUuid: U(2) },
        source.user(1, null, "hello fork", { slug: "my-slug", agentName: "x" }),
        { type: "progress", uuid: U(2), parentUuid: U(1), sessionId: S, timestamp: at(2), data: { p: 1 } },
        source.assistant(3, 2, "answer", { requestSessionId: "elsewhere" }),
        source.user(4, 3, "side", { isSidechain: true }),
        { type: "file-history-snapshot", messageId: U(3), snapshot: {} },
        { type: "custom-title", customTitle: "Orig Title", sessionId: S },
        { type: "atis-latch", atis: "abc", sessionId: S },
        { type: "tools-used", tools: ["Bash", ""], sessionId: S },
        source.base(5, 3, "system", { subtype: "informational", content: "note" }),
        source.user(6, 5, "second"),
        source.assistant(7, 6, "second answer"),
        source.user(8, 5, "a dead branch"),
        source.base(9, 7, "attachment", { attachment: { type: "queued_command", prompt: "queued", source_uuid: U(6) } }),
        source.base(10, null, "system", {
          subtype: "compact_boundary",
          logicalParentUuid: U(7),
          compactMetadata: { trigger: "auto", preservedSegment: { headUuid: U(6), anchorUuid: U(10), tailUuid: U(7) } }
        }),
        source.user(11, 10, "after compaction")
      ])
      const S2 = sid(2)
      writeLines(sessionFile(config, name, S2), [entry(S2).user(21, null, "x".repeat(250))])
      const S3 = sid(3)
      writeLines(sessionFile(config, name, S3), [entry(S3).assistant(31, null, "only assistant")])

      const sessions = yield* Effect.provide(ClaudeSessions.make({ configDir: config }), platform)
      const sdk = yield* official(config)
      const lines = (id: string) =>
        fs.readFileSync(sessionFile(config, name, id), "utf8").split("\n").filter((line) => line.length > 0)
      // new uuids, the fork's id and the fork time differ by design: named by first appearance
      const normalized = (id: string, source: string) => {
        const text = lines(id).join("\n")
        const sourceText = fs.readFileSync(sessionFile(config, name, source), "utf8")
        const names = new Map<string, string>()
        return text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (found) => {
          if (sourceText.includes(found)) return found
          if (!names.has(found)) names.set(found, `NEW${names.size}`)
          return names.get(found)!
        }).replace(/"20[3-9]\d-[^"]+"|"2026-[^"]+"/g, "\"NOW\"")
      }
      const cases: ReadonlyArray<readonly [string, ClaudeSessions.ForkOptions]> = [
        [S, {}],
        [S, { upToMessageId: U(3), title: "  My Fork  " }],
        [S, { upToMessageId: U(2) }],
        [S, { upToMessageId: U(8) }],
        [S2, {}],
        [S3, {}]
      ]
      for (const [source, options] of cases) {
        const ours = yield* Effect.provide(sessions.fork(source, options), platform)
        const theirs = yield* Effect.promise(() => sdk.forkSession(source, options as Parameters<typeof sdk.forkSession>[1]))
        assert.strictEqual(normalized(ours.sessionId, source), normalized(theirs.sessionId, source), `fork of ${source} ${JSON.stringify(options)}`)
        assert.strictEqual(fs.statSync(sessionFile(config, name, ours.sessionId)).mode & 0o777, 0o600)
      }
      const missing = yield* Effect.flip(Effect.provide(sessions.fork(S, { upToMessageId: "nope" }), platform))
      assert.strictEqual(missing._tag, "TranscriptError")
    }))
})
