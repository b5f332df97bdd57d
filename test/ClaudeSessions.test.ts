/**
 * ClaudeSessions units: where the transcripts are looked for, and what an empty folder gives.
 */
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import path from "node:path"
import * as ClaudeSession from "../src/ClaudeSession.js"
import * as ClaudeSessions from "../src/ClaudeSessions.js"
import * as ClaudeTranscript from "../src/ClaudeTranscript.js"
import * as TranscriptStore from "../src/TranscriptStore.js"
import { keyOfPath } from "../src/internal/mirror.js"
import { projectKeyOf } from "../src/internal/sessionScan.js"
import { platform, tempDir } from "./utils.js"

const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("ClaudeSessions", () => {
  it.effect("the config folder: CLAUDE_CONFIG_DIR, else $HOME/.claude (an empty CLAUDE_CONFIG_DIR counts as unset)", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* ClaudeSessions.configDirConfig.pipe(withEnv({ CLAUDE_CONFIG_DIR: "/etc/claude", HOME: "/home/a" })), "/etc/claude")
      assert.strictEqual(yield* ClaudeSessions.configDirConfig.pipe(withEnv({ CLAUDE_CONFIG_DIR: "", HOME: "/home/a/" })), "/home/a/.claude")
      assert.strictEqual(yield* ClaudeSessions.configDirConfig.pipe(withEnv({ HOME: "/home/b" })), "/home/b/.claude")
      const layered = yield* Effect.provide(
        Effect.map(ClaudeSessions.ClaudeSessions, (sessions) => sessions.configDir),
        ClaudeSessions.layerConfig().pipe(
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["CLAUDE_CONFIG_DIR", "/srv/claude"]]))))
        )
      ).pipe(Effect.provide(platform))
      assert.strictEqual(layered, "/srv/claude")
      // the embedded transcript store: the CLI's own projects folder
      const folder = yield* Effect.provide(
        Effect.map(TranscriptStore.TranscriptStore, (store) => store.localFolder),
        TranscriptStore.layerConfig().pipe(
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["HOME", "/home/c"]]))))
        )
      ).pipe(Effect.provide(platform))
      assert.strictEqual(folder, "/home/c/.claude/projects")
    }))

  it.effect("a folder without projects lists nothing; an unknown or malformed id is typed", () =>
    Effect.gen(function*() {
      const sessions = yield* ClaudeSessions.make({ configDir: tempDir() })
      assert.deepStrictEqual(yield* sessions.list(), [])
      const missing = yield* Effect.flip(sessions.info("00000000-0000-4000-8000-000000000001"))
      assert.strictEqual(missing._tag, "SessionNotFound")
      const bad = yield* Effect.flip(sessions.file("../../etc/passwd"))
      assert.strictEqual(bad._tag === "TranscriptError" && bad.reason, "InvalidArgument")
    }).pipe(Effect.provide(platform)))

  it("project keys: every non-alphanumeric code unit as '-', cut at 200 with the Java hash of the path", () => {
    assert.strictEqual(projectKeyOf("/tmp/my.proj_dir with space"), "-tmp-my-proj-dir-with-space")
    const long = "/" + "a".repeat(250)
    const key = projectKeyOf(long)
    assert.strictEqual(key.length > 200, true)
    assert.strictEqual(key.slice(0, 201), `${"-" + "a".repeat(199)}-`)
  })

  it("mirror frames: the key of a main transcript and of a subagent's", () => {
    assert.deepStrictEqual(keyOfPath(path.join("/h/.claude/projects", "-p", "abc.jsonl")), { projectKey: "-p", sessionId: "abc" })
    assert.deepStrictEqual(keyOfPath("/h/.claude/projects/-p/abc/subagents/agent-1.jsonl"), {
      projectKey: "-p",
      sessionId: "abc",
      subpath: "subagents/agent-1"
    })
    assert.isUndefined(keyOfPath("/h/.claude/projects/-p/abc.txt"))
  })

  it("entries: a known type must have its shape; an unknown type is kept as data", () => {
    const unknown = ClaudeTranscript.decodeEntry({ type: "brand-new", field: 1 })
    assert.isTrue(Either.isRight(unknown))
    assert.deepStrictEqual(Either.getOrThrow(unknown), { type: "brand-new", field: 1 })
    assert.isTrue(Either.isLeft(ClaudeTranscript.decodeEntry({ type: "user", uuid: "u" })), "a user entry without its message")
    const user = ClaudeTranscript.decodeEntry({
      type: "user",
      uuid: "u1",
      parentUuid: null,
      message: { role: "user", content: "hi" },
      somethingNew: true
    })
    assert.isTrue(Either.isRight(user) && ClaudeTranscript.isChainEntry(user.right))
    assert.strictEqual(Either.isRight(user) && (user.right as ClaudeTranscript.UserEntry).somethingNew, true)
  })

  it.effect("a transcript store with noSessionPersistence is an InvalidOption (the CLI would mirror nothing)", () =>
    Effect.gen(function*() {
      const store = yield* TranscriptStore.makeMemory
      const error = yield* Effect.flip(Effect.scoped(ClaudeSession.make({ executable: "/nonexistent/claude", transcriptStore: store, noSessionPersistence: true })))
      assert.strictEqual(error._tag, "InvalidOption")
      assert.strictEqual(error._tag === "InvalidOption" && error.option, "transcriptStore")
    }).pipe(Effect.provide(platform)))
})
