/**
 * ClaudeSessionPool against the real claude CLI (2.1.330) and the scripted Messages API.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import fs from "node:fs"
import path from "node:path"
import * as ClaudeSessionPool from "../src/ClaudeSessionPool.js"
import * as McpTool from "../src/McpTool.js"
import * as Api from "../src/ScriptedMessagesApi.js"
import { claudeBin, claudeChildren, isAlive, platform, tempDir } from "./utils.js"

const pool = (api: Api.Service, options: Omit<ClaudeSessionPool.Options, "session"> = {}) =>
  ClaudeSessionPool.make({
    ...options,
    session: { executable: claudeBin, closeGracePeriod: "3 seconds", terminateGracePeriod: "3 seconds", env: { ...api.env } }
  })

describe("ClaudeSessionPool with the real CLI", { timeout: 90_000 }, () => {
  it.scopedLive("a claimed spare answers in the caller's cwd and writes its transcript under that cwd's project", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.turn("warm hello", Api.text("warm answer"))])
      const warm = yield* pool(api, { spares: 1 })
      assert.strictEqual((yield* warm.stats).mode, "claim")
      const dir = fs.realpathSync(tempDir())
      const session = yield* warm.session({ cwd: dir })
      const outcome = yield* session.turn("warm hello")
      assert.strictEqual(outcome.text, "warm answer")
      const sessionId = outcome.result.session_id
      // the CLI's project folder is the cwd with every non-alphanumeric character as "-"
      const project = path.join(api.env.HOME!, ".claude", "projects", dir.replace(/[^a-zA-Z0-9]/g, "-"))
      assert.isTrue(fs.existsSync(path.join(project, `${sessionId}.jsonl`)), `no transcript in ${project}`)
    }).pipe(Effect.provide(platform)))

  it.scopedLive("a claim with a missing cwd is a ClaimRefused and the same spare then serves a good claim", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.text("after the refusal")])
      const warm = yield* pool(api, { spares: 1, maxSessions: 1 })
      const refused = yield* Effect.flip(Effect.scoped(warm.session({ cwd: "/no/such/folder" })))
      assert.strictEqual(refused._tag, "ClaimRefused")
      assert.strictEqual((refused as { reason?: string }).reason, "cwd_not_found")
      const [spare] = claudeChildren()
      const session = yield* warm.session({ cwd: tempDir() })
      assert.strictEqual(session.pid, spare)
      assert.strictEqual((yield* session.turn("go on")).text, "after the refusal")
    }).pipe(Effect.provide(platform)))

  it.scopedLive("two sessions of one pool never see each other's conversation", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.turn("remember the word papaya", Api.text("I will remember PAPAYA.")),
        Api.turn("what word", Api.text("No word was given."))
      ])
      const warm = yield* pool(api, { spares: 2 })
      yield* warm.withSession((first) => first.turn("remember the word papaya"), { cwd: tempDir() })
      const before = (yield* api.messageRequests).length
      const second = yield* warm.session({ cwd: tempDir() })
      assert.strictEqual((yield* second.turn("what word did I give?")).text, "No word was given.")
      const requests = (yield* api.messageRequests).slice(before)
      assert.isAbove(requests.length, 0)
      for (const request of requests) assert.notInclude(JSON.stringify(request.raw).toLowerCase(), "papaya")
    }).pipe(Effect.provide(platform)))

  it.scopedLive("20 concurrent acquires with maxSessions 4: never more than 4 claude processes, all served, none left", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([], { fallback: Api.text("served") })
      const before = claudeChildren().length
      let most = 0
      const sampler = yield* Effect.fork(
        Effect.sync(() => {
          most = Math.max(most, claudeChildren().length - before)
        }).pipe(Effect.repeat(Schedule.spaced("10 millis")))
      )
      const texts = yield* Effect.scoped(Effect.gen(function*() {
        const warm = yield* pool(api, { spares: 2, maxSessions: 4, refillConcurrency: 2 })
        return yield* Effect.forEach(
          Array.from({ length: 20 }, (_, i) => i),
          (i) => warm.withSession((session) => Effect.map(session.turn(`caller ${i}`), (outcome) => outcome.text), { cwd: tempDir() }),
          { concurrency: "unbounded" }
        )
      }))
      yield* Fiber.interrupt(sampler)
      assert.deepStrictEqual(texts, Array.from({ length: 20 }, () => "served"))
      assert.isAtMost(most, 4)
      assert.strictEqual(claudeChildren().filter(isAlive).length, before)
    }).pipe(Effect.provide(platform)))

  it.scopedLive("a claimed spare serves the pool's in-process MCP tools", () =>
    Effect.gen(function*() {
      const add = McpTool.make({
        name: "add",
        description: "Adds two numbers",
        parameters: Schema.Struct({ a: Schema.Number, b: Schema.Number }),
        handler: (input) => Effect.succeed(`${input.a + input.b}`)
      })
      const api = yield* Api.make([
        Api.turn("add", Api.toolCall("mcp__calc__add", { a: 2, b: 40 })),
        Api.turn({ toolResult: true }, Api.text("The sum is 42."))
      ])
      const warm = yield* ClaudeSessionPool.make({
        spares: 1,
        session: {
          executable: claudeBin,
          env: { ...api.env },
          mcpServers: [McpTool.server("calc", [add])],
          allowedTools: ["mcp__calc__add"]
        }
      })
      const session = yield* warm.session({ cwd: tempDir() })
      assert.strictEqual((yield* warm.stats).mode, "claim")
      assert.strictEqual((yield* session.turn("add 2 and 40")).text, "The sum is 42.")
      const requests = yield* api.messageRequests
      assert.include(JSON.stringify(requests.at(-1)!.toolResults), "42")
    }).pipe(Effect.provide(platform)))
})
