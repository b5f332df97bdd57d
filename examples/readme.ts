/**
 * The README's snippets, compiled by `npm test` (tsc) so that they stay true. Not run.
 */
import { NodeContext } from "@effect/platform-node"
import { Config, Console, Effect, Layer, Schedule, Schema } from "effect"
import { ClaudeControl, ClaudeSession, ClaudeSessionPool, ClaudeTurn, McpTool } from "effect-claude-session"
import { ClaudeSessionTest, ScriptedMessagesApi } from "effect-claude-session/testing"

export const useIt = () => {
  const program = Effect.gen(function*() {
    const session = yield* ClaudeSession.ClaudeSession
    const outcome = yield* session.turn("What is 2 + 2?")
    yield* Console.log(outcome.text, `($${outcome.costUsd})`)
  })

  return program.pipe(
    Effect.provide(ClaudeSession.layer({ model: "claude-sonnet-4-5", maxTurns: 3 })),
    Effect.provide(NodeContext.layer),
    Effect.runPromise
  )
}

export const retry = Effect.gen(function*() {
  const session = yield* ClaudeSession.ClaudeSession
  return yield* session.turn("summarize the logs").pipe(
    Effect.retry({ while: ClaudeTurn.isRetryable, schedule: Schedule.exponential("1 second"), times: 3 })
  )
})

export const structured = Effect.gen(function*() {
  const City = Schema.Struct({ city: Schema.String, population: Schema.Number })
  const { value } = yield* ClaudeSession.queryStructured("Biggest city in France?", City)
  const session = yield* ClaudeSession.make({ outputSchema: City })
  const { value: answer } = yield* session.turnStructured(City)("And in Italy?")
  return [value, answer]
})

declare const askAHuman: (request: ClaudeControl.PermissionRequest) => Effect.Effect<ClaudeControl.PermissionDecision>

export const control = () => {
  const policy = ClaudeControl.chain([
    ClaudeControl.denyTools(["WebFetch"]),
    ClaudeControl.pathGuard(["/srv/project"]),
    (request) => askAHuman(request)
  ])
  const Permissions = ClaudeControl.ToolPermissions.layer(policy)
  const hooks = {
    PreToolUse: [{
      matcher: "Bash",
      handler: (input: ClaudeControl.HookInput) =>
        Effect.succeed(JSON.stringify(input.tool_input).includes("rm ") ? ClaudeControl.blockTool("no rm") : {})
    }]
  }
  const add = McpTool.make({
    name: "add",
    description: "Adds two numbers",
    parameters: Schema.Struct({ a: Schema.Number, b: Schema.Number }),
    handler: ({ a, b }) => Effect.succeed(`${a + b}`)
  })
  const Session = ClaudeSession.layer({
    hooks,
    mcpServers: [McpTool.server("calc", [add])],
    allowedTools: ["mcp__calc__add"]
  }).pipe(Layer.provide(Permissions))
  const FromEnv = ClaudeSession.layerConfig()
  const Custom = ClaudeSession.layerConfig(Config.all({ model: Config.string("MY_MODEL") }), { hooks })
  return [Session, FromEnv, Custom]
}

declare const myApp: Effect.Effect<string, never, ClaudeSession.ClaudeSession>

export const testing = Effect.gen(function*() {
  const answer = yield* myApp
  const driver = yield* ClaudeSessionTest.ClaudeSessionTestDriver
  return [answer, yield* driver.sentTexts]
}).pipe(Effect.provide(ClaudeSessionTest.layer([
  ClaudeSessionTest.reply("hello", ClaudeSessionTest.textTurn("Hi!"))
])))

export const offline = Effect.gen(function*() {
  const api = yield* ScriptedMessagesApi.make([
    ScriptedMessagesApi.turn("list", ScriptedMessagesApi.toolCall("Bash", { command: "ls" })),
    ScriptedMessagesApi.turn({ toolResult: true }, ScriptedMessagesApi.text("Done."))
  ])
  const session = yield* ClaudeSession.make({ env: api.env })
  const outcome = yield* session.turn("list the files")
  const requests = yield* api.messageRequests
  return [outcome, requests]
})

export const rerun = (sessionId: string) => ClaudeSession.query(undefined, { resume: sessionId })

export const warm = () => {
  // a chat backend: each request gets a warm session in the user's folder
  const answer = (folder: string, question: string) =>
    Effect.gen(function*() {
      const pool = yield* ClaudeSessionPool.ClaudeSessionPool
      return yield* pool.withSession((session) => session.turn(question), { cwd: folder })
    })

  const Pool = ClaudeSessionPool.layer({ spares: 2, maxSessions: 8, acquireTimeout: "30 seconds" })
  return answer("/srv/checkouts/repo-1", "What does this repo do?").pipe(
    Effect.provide(Pool),
    Effect.provide(NodeContext.layer),
    Effect.runPromise
  )
}

export const warmTest = Effect.gen(function*() {
  const pool = yield* ClaudeSessionPool.ClaudeSessionPool
  return yield* pool.withSession((session) => session.turn("hello"))
}).pipe(Effect.provide(ClaudeSessionTest.poolLayer([ClaudeSessionTest.reply("hello", ClaudeSessionTest.textTurn("Hi!"))])))
