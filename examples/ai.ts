/**
 * `npm run example:ai`: an @effect/ai program (Chat, a Toolkit tool, the CLI's Bash reported as
 * a provider-executed call, streamed text, generateObject) served by the claude CLI through
 * ClaudeCodeLanguageModel.
 *
 * With ANTHROPIC_API_KEY set it talks to the real model. Without it, it starts the embedded
 * scripted Messages API on 127.0.0.1 and runs the real claude CLI against it: no key, no network.
 */
import * as Chat from "@effect/ai/Chat"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Tool from "@effect/ai/Tool"
import * as Toolkit from "@effect/ai/Toolkit"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Config, Console, Effect, Layer, Option, Schema, Stream } from "effect"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { ClaudeCodeLanguageModel, ClaudeCodeTool } from "effect-claude-session/ai"
import { ScriptedMessagesApi } from "effect-claude-session/testing"

const GetWeather = Tool.make("GetWeather", {
  description: "The current weather in a city",
  parameters: { city: Schema.String },
  success: Schema.Struct({ city: Schema.String, sky: Schema.String, celsius: Schema.Number })
})

// the app's tool runs in the app; the CLI's own Bash runs in the CLI and is reported
const toolkit = Toolkit.make(GetWeather, ClaudeCodeTool.Bash)
const handlers = toolkit.toLayer({ GetWeather: ({ city }) => Effect.succeed({ city, sky: "sunny", celsius: 21 }) })

const City = Schema.Struct({ city: Schema.String, population: Schema.Number })

const script = [
  ScriptedMessagesApi.turn("my name is", ScriptedMessagesApi.text("Nice to meet you, Ada.")),
  ScriptedMessagesApi.turn("weather", ScriptedMessagesApi.toolCall("mcp__app__GetWeather", { city: "Paris" })),
  ScriptedMessagesApi.turn({ toolResult: true }, ScriptedMessagesApi.text("It is sunny in Paris (21 °C), Ada.")),
  ScriptedMessagesApi.turn(
    "shell",
    ScriptedMessagesApi.toolCall("Bash", { command: "echo hello from the shell", description: "Print a greeting" })
  ),
  ScriptedMessagesApi.turn({ toolResult: true }, ScriptedMessagesApi.slow("The shell said: hello from the shell.", 15)),
  ScriptedMessagesApi.turn("biggest city", ScriptedMessagesApi.toolCall("StructuredOutput", { city: "Paris", population: 2102650 }))
]

const program = Effect.gen(function*() {
  const chat = yield* Chat.empty
  for (const prompt of ["Hi, my name is Ada.", "What is the weather in Paris?"]) {
    yield* Console.log(`> ${prompt}`)
    const response = yield* chat.generateText({ prompt, toolkit })
    for (const call of response.toolCalls) yield* Console.log(`  ⚙ ${call.name} ${JSON.stringify(call.params)}`)
    yield* Console.log(`< ${response.text}`)
  }

  yield* Console.log("> Use the shell to say hello (streamed).")
  yield* Effect.sync(() => process.stdout.write("< "))
  yield* chat.streamText({ prompt: "Use the shell to say hello.", toolkit }).pipe(
    Stream.runForEach((part) =>
      part.type === "text-delta"
        ? Effect.sync(() => process.stdout.write(part.delta))
        : part.type === "tool-call"
        ? Console.log(`⚙ ${part.name} (run by the CLI) ${JSON.stringify(part.params)}`)
        : part.type === "tool-result"
        ? Console.log(`  ↳ ${JSON.stringify(part.result).slice(0, 60)}`)
        : Effect.void
    )
  )
  yield* Console.log("")

  const { value } = yield* LanguageModel.generateObject({ prompt: "What is the biggest city in France?", schema: City })
  yield* Console.log(`> biggest city, as an object\n< ${JSON.stringify(value)}`)
})

const main = Effect.gen(function*() {
  const apiKey = yield* Config.option(Config.redacted("ANTHROPIC_API_KEY"))
  const session = Option.isSome(apiKey)
    ? { apiKey: apiKey.value, allowedTools: ["Bash(echo:*)"] }
    : yield* Effect.gen(function*() {
      yield* Console.log("No ANTHROPIC_API_KEY: using the embedded scripted model on 127.0.0.1 (offline, no key needed).\n")
      const api = yield* ScriptedMessagesApi.make(script)
      return { env: api.env, cwd: fs.mkdtempSync(path.join(os.tmpdir(), "claude-ai-example-")) }
    })
  yield* program.pipe(Effect.provide(Layer.merge(handlers, ClaudeCodeLanguageModel.layer({ session }))))
})

main.pipe(Effect.scoped, Effect.provide(NodeContext.layer), NodeRuntime.runMain)
