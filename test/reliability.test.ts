import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import fs from "node:fs"
import path from "node:path"
import type * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeSession from "../src/ClaudeSession.js"
import { fakeSession, isAlive, platform, readRecord, tempDir } from "./utils.js"

/** Runs `use` on a fake session in its own scope, then closes the scope and checks the bound. */
const closeDuring = (
  scenario: Record<string, unknown>,
  use: (session: ClaudeSession.Service) => Effect.Effect<unknown, unknown>,
  extra: ClaudeSession.MakeOptions = {}
) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const session = yield* fakeSession(scenario, { closeGracePeriod: "300 millis", terminateGracePeriod: "300 millis", ...extra })
      .pipe(Scope.extend(scope), Effect.provide(platform))
    const fiber = yield* Effect.fork(Effect.exit(use(session)))
    yield* Effect.sleep("150 millis")
    const started = Date.now()
    yield* Scope.close(scope, Exit.void)
    const elapsed = Date.now() - started
    assert.isFalse(isAlive(session.pid), "the child is gone")
    assert.isTrue(elapsed < 2000, `release took ${elapsed} ms`)
    // whatever was running ends too, at once, with a result or a typed error: never a hang
    const exit = yield* Fiber.join(fiber).pipe(Effect.timeout("1 second"))
    if (Exit.isFailure(exit)) {
      const error = Chunk.toReadonlyArray(Cause.failures(exit.cause))[0] as { _tag?: string } | undefined
      assert.isDefined(error?._tag, "a typed error")
    }
    return exit
  })

describe("fault matrix (fake CLI)", () => {
  it.scoped("a non-zero exit after a turn: ProcessExited with the code, the finished turn intact", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ steps: [{ echoTurn: true }, { stderr: "late failure\n" }, { exit: 9 }] })
      const outcome = yield* session.turn("first")
      assert.strictEqual(outcome.text, "echo: first")
      const error = yield* Effect.flip(Stream.runDrain(session.events))
      assert.strictEqual(error._tag, "ProcessExited")
      assert.strictEqual((error as { exitCode: number }).exitCode, 9)
      assert.isFalse((error as { turnOpen: boolean }).turnOpen)
      assert.include(error.message, "late failure")
      // sends now fail fast
      const send = yield* Effect.flip(session.sendMessage("anyone?"))
      assert.strictEqual(send._tag, "NotConnected")
    }).pipe(Effect.provide(platform)))

  it.live("the scope closed in the middle of a turn", () =>
    Effect.gen(function*() {
      const exit = yield* closeDuring({ steps: [{ waitForUser: true }, { hang: true }] }, (session) => session.turn("slow"))
      assert.isTrue(Exit.isExit(exit))
    }))

  it.live("the scope closed in the middle of a control request", () =>
    Effect.gen(function*() {
      yield* closeDuring({ control: { set_model: "ignore" } }, (session) => session.setModel("x"))
    }))

  it.live("the scope closed in the middle of a large send", () =>
    Effect.gen(function*() {
      const big = "z".repeat(8 * 1024 * 1024)
      yield* closeDuring({ steps: [{ hang: true }] }, (session) =>
        Effect.forEach(Array.from({ length: 20 }), () => session.sendMessage(big), { discard: true }))
    }))

  it.live("a consumer interrupted while the CLI keeps writing: the session stays usable, then is released", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const session = yield* fakeSession({ steps: [{ waitForUser: true }, { flood: { events: 5000, bytesEach: 100 } }, { emit: { type: "result", subtype: "success", is_error: false, session_id: "s", result: "flooded" } }] }, { eventBufferSize: 8 })
        .pipe(Scope.extend(scope), Effect.provide(platform))
      yield* session.sendMessage("go")
      const reader = yield* Effect.fork(Stream.runDrain(session.events))
      yield* Effect.sleep("20 millis")
      yield* Fiber.interrupt(reader)
      // a new consumer picks up where the old one stopped and reaches the result
      const rest = Chunk.toReadonlyArray(yield* Stream.runCollect(session.turnEvents))
      assert.strictEqual((rest.at(-1) as ClaudeEvent.ResultEvent).result, "flooded")
      yield* Scope.close(scope, Exit.void)
      assert.isFalse(isAlive(session.pid))
    }))
})

describe("security", () => {
  it.scoped("MCP configs with secrets reach the CLI through a private file, never argv; the file goes with the session", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const secret = "mcp-token-0123456789"
      const scope = yield* Scope.make()
      yield* fakeSession({}, {
        record,
        mcpConfig: { mcpServers: { github: { command: "gh-mcp", env: { GITHUB_TOKEN: secret }, headers: { Authorization: `Bearer ${secret}` } } } },
        settings: { env: { SOME_SECRET: secret } }
      }).pipe(Scope.extend(scope))
      const argv = readRecord(record).find((entry) => entry.kind === "start")!.argv as Array<string>
      assert.notInclude(argv.join(" "), secret)
      const file = argv[argv.indexOf("--mcp-config") + 1]!
      assert.include(fs.readFileSync(file, "utf8"), secret)
      assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600)
      const settings = argv[argv.indexOf("--settings") + 1]!
      assert.include(fs.readFileSync(settings, "utf8"), secret)
      yield* Scope.close(scope, Exit.void)
      assert.isFalse(fs.existsSync(file))
      assert.isFalse(fs.existsSync(settings))
    }).pipe(Effect.provide(platform)))

  it.scoped("an oversized line is refused at the configured cap before it is buffered whole", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ steps: [{ waitForUser: true }, { bigLine: 32 * 1024 * 1024 }] }, { maxLineBytes: 1024 * 1024 })
      yield* session.sendMessage("go")
      const before = process.memoryUsage().rss
      const error = yield* Effect.flip(Stream.runDrain(session.turnEvents))
      const grown = process.memoryUsage().rss - before
      assert.strictEqual(error._tag, "ProtocolError")
      assert.include(error.message, "1048576 bytes")
      assert.isTrue(grown < 24 * 1024 * 1024, `rss grew by ${grown} bytes`)
    }).pipe(Effect.provide(platform)))

  it.scoped("input from the CLI is decoded, never evaluated", () =>
    Effect.gen(function*() {
      const marker = path.join(tempDir(), "evaluated")
      const hostile = { type: "assistant", message: { role: "assistant", content: [{ type: "text", text: `require('fs').writeFileSync('${marker}','x')` }] }, __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } }
      const session = yield* fakeSession({ steps: [{ waitForUser: true }, { emitRaw: JSON.stringify(hostile).replace("\"constructor\"", "\"__proto__\"") + "\n" }, { emit: { type: "result", subtype: "success", is_error: false, session_id: "s" } }] })
      yield* session.sendMessage("go")
      yield* Stream.runDrain(session.turnEvents)
      assert.isFalse(fs.existsSync(marker))
      assert.isUndefined(({} as { polluted?: boolean }).polluted)
    }).pipe(Effect.provide(platform)))
})
