/**
 * The README's snippets, compiled by `npm test` (tsc) so that they stay true. Not run.
 */
import * as Chat from "@effect/ai/Chat"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Tool from "@effect/ai/Tool"
import * as Toolkit from "@effect/ai/Toolkit"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import { NodeContext } from "@effect/platform-node"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Config, Console, Effect, Layer, Schedule, Schema, Stream } from "effect"
import {
  ClaudeControl,
  ClaudeSession,
  ClaudeSessionPool,
  ClaudeSessions,
  ClaudeTurn,
  McpTool,
  TranscriptStore
} from "effect-claude-session"
import { ClaudeCodeLanguageModel, ClaudeCodeTool } from "effect-claude-session/ai"
import { ClaudeSessionEntity } from "effect-claude-session/cluster"
import * as SqlTranscriptStore from "effect-claude-session/sql"
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

export const storedSessions = () => {
  const program = Effect.gen(function*() {
    const sessions = yield* ClaudeSessions.ClaudeSessions
    const [latest] = yield* sessions.list({ dir: "/srv/checkouts/repo-1", limit: 1 })
    if (latest === undefined) return
    yield* Console.log(latest.summary, new Date(latest.lastModified).toISOString(), latest.gitBranch)
    // the conversation, as the CLI rebuilds it (streamed)
    yield* sessions.messages(latest.sessionId).pipe(Stream.runForEach((message) => Console.log(message.type, message.uuid)))
    yield* sessions.rename(latest.sessionId, "Repo tour")
    yield* sessions.tag(latest.sessionId, "onboarding")
    // go on with a copy, keeping the original as it is
    const fork = yield* sessions.fork(latest.sessionId)
    const session = yield* ClaudeSession.make({ resume: fork.sessionId, cwd: latest.cwd })
    yield* session.turn("Now the tests, please.")
  })

  return program.pipe(
    Effect.scoped,
    Effect.provide(ClaudeSessions.layerConfig()), // CLAUDE_CONFIG_DIR, else $HOME/.claude
    Effect.provide(NodeContext.layer),
    Effect.runPromise
  )
}

export const transcriptStore = () => {
  // every machine opens the same database; SQLite here, Postgres through @effect/sql-pg's layer
  const Sql = SqliteClient.layer({ filename: "/var/lib/app/transcripts.db" })
  const conversation = (sessionId: string | undefined, prompt: string) =>
    Effect.gen(function*() {
      const store = yield* TranscriptStore.TranscriptStore
      // with `resume`, a session the CLI's folder lacks is restored from the store first
      const session = yield* ClaudeSession.make({ transcriptStore: store, ...(sessionId ? { resume: sessionId } : {}) })
      const outcome = yield* session.turn(prompt)
      // wait until what the CLI wrote is stored (and see a store failure, if any)
      yield* session.flushTranscript
      return outcome.result.session_id
    }).pipe(Effect.scoped)

  return conversation(undefined, "Remember the word papaya.").pipe(
    Effect.flatMap((id) => conversation(id, "Which word?")),
    Effect.provide(SqlTranscriptStore.layer().pipe(Layer.provide(Sql))),
    Effect.provide(NodeContext.layer),
    Effect.runPromise
  )
}

export const languageModel = () => {
  const program = Effect.gen(function*() {
    const chat = yield* Chat.empty
    const first = yield* chat.generateText({ prompt: "What does this repo do?" })
    const second = yield* chat.generateText({ prompt: "And how is it tested?" }) // same CLI session
    yield* Console.log(first.text, second.text)
    yield* LanguageModel.streamText({ prompt: "Summarize README.md" }).pipe(
      Stream.runForEach((part) => part.type === "text-delta" ? Console.log(part.delta) : Effect.void)
    )
  })

  return program.pipe(
    Effect.provide(ClaudeCodeLanguageModel.layer({ session: { cwd: "/srv/checkouts/repo-1", permissionMode: "plan" } })),
    Effect.provide(NodeContext.layer),
    Effect.runPromise
  )
}

export const languageModelTools = () => {
  const GetWeather = Tool.make("GetWeather", {
    description: "The weather in a city",
    parameters: { city: Schema.String },
    success: Schema.Struct({ sky: Schema.String })
  })
  // the app's tool runs in the app; the CLI's Bash runs in the CLI and is reported
  const toolkit = Toolkit.make(GetWeather, ClaudeCodeTool.Bash)
  const program = Effect.gen(function*() {
    const response = yield* LanguageModel.generateText({ prompt: "Is it sunny in Paris? Then list the files here.", toolkit })
    yield* Console.log(response.text, response.toolCalls.map((call) => call.name))
    const City = Schema.Struct({ city: Schema.String, population: Schema.Number })
    const { value } = yield* LanguageModel.generateObject({ prompt: "Biggest city in France?", schema: City })
    yield* Console.log(value.population)
  })

  return program.pipe(
    Effect.provide(toolkit.toLayer({ GetWeather: () => Effect.succeed({ sky: "sunny" }) })),
    Effect.provide(ClaudeCodeLanguageModel.layer({ session: { allowedTools: ["Bash(ls:*)"] } })),
    Effect.provide(NodeContext.layer),
    Effect.runPromise
  )
}

export const cluster = () => {
  // one machine, no set-up: a single runner, the cluster's tables and the transcripts in one SQLite file
  const Sql = SqliteClient.layer({ filename: "/var/lib/app/cluster.db" })
  const Runner = ClaudeSessionEntity.layer({ session: { cwd: "/srv/work" }, maxIdleTime: "10 minutes" }).pipe(
    Layer.provideMerge(SingleRunner.layer()),
    Layer.provide(SqlTranscriptStore.layer()),
    Layer.provide(Sql)
  )
  const program = Effect.gen(function*() {
    const session = (yield* ClaudeSessionEntity.ClaudeSessionEntity.client)("user-42")
    const events = yield* session.Turn({ prompt: "Where were we?" }).pipe(Stream.runCollect, Effect.timeout("5 minutes"))
    yield* Console.log(`${events.length} events`)
  })
  return program.pipe(Effect.provide(Runner), Effect.provide(NodeContext.layer), Effect.runPromise)
}
