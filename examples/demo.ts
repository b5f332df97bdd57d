/**
 * `npm start`: a short conversation driven through ClaudeSession, printed as it streams.
 *
 * With ANTHROPIC_API_KEY set it talks to the real model. Without it, it starts the embedded
 * scripted Messages API on 127.0.0.1 and runs the real claude CLI against it: no key, no network.
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Config, Console, Effect, Option, Stream } from "effect"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { ClaudeEvent, ClaudeSession } from "effect-claude-session"
import { ScriptedMessagesApi } from "effect-claude-session/testing"

const prompts = [
  "Hi! Who are you, in one sentence?",
  "Run `echo hello from the shell` and tell me what it printed."
]

const script = [
  ScriptedMessagesApi.turn(
    "Who are you",
    ScriptedMessagesApi.text("Hello! I'm Claude, running offline against a scripted model, driven by Effect.")
  ),
  ScriptedMessagesApi.turn(
    "Run `echo",
    ScriptedMessagesApi.toolCall("Bash", { command: "echo hello from the shell", description: "Print a greeting" }, {
      text: "Let me run that."
    })
  ),
  ScriptedMessagesApi.turn(
    { toolResult: true },
    ScriptedMessagesApi.text("The command printed: \"hello from the shell\". All done!")
  )
]

const render = (event: ClaudeEvent.ClaudeEvent) => {
  if (ClaudeEvent.isStreamEvent(event)) {
    const delta = event.textDelta
    return delta === undefined ? Effect.void : Effect.sync(() => process.stdout.write(delta))
  }
  if (ClaudeEvent.isAssistant(event)) {
    return Effect.forEach(event.toolUses, (call) =>
      Console.log(`\n  ⚙ ${call.name} ${JSON.stringify(call.input)}`), { discard: true })
  }
  if (event instanceof ClaudeEvent.UserEvent) {
    return Effect.forEach(event.toolResults, (result) => {
      const content = typeof result.content === "string" ? result.content : JSON.stringify(result.content)
      return Console.log(`  ↳ ${result.is_error === true ? "error: " : ""}${content.trim()}`)
    }, { discard: true })
  }
  if (ClaudeEvent.isResult(event)) return Console.log("")
  return Effect.void
}

const conversation = Effect.gen(function*() {
  const session = yield* ClaudeSession.ClaudeSession
  const started = Date.now()
  let turns = 0
  let input = 0
  let output = 0
  let cost = 0
  for (const prompt of prompts) {
    yield* Console.log(`\n> ${prompt}`)
    yield* Effect.sync(() => process.stdout.write("< "))
    const events = yield* session.turnStream(prompt).pipe(Stream.tap(render), Stream.runCollect)
    const result = [...events].findLast(ClaudeEvent.isResult)
    if (result !== undefined) {
      turns += result.num_turns
      input += result.usage.input_tokens
      output += result.usage.output_tokens
      cost += result.total_cost_usd
    }
  }
  yield* session.endInput
  yield* Console.log(
    `\n— ${prompts.length} prompts, ${turns} model turns, ${input} input + ${output} output tokens, ` +
      `$${cost.toFixed(4)}, ${((Date.now() - started) / 1000).toFixed(1)} s`
  )
})

const main = Effect.gen(function*() {
  const apiKey = yield* Config.option(Config.redacted("ANTHROPIC_API_KEY"))
  if (Option.isSome(apiKey)) {
    yield* Console.log("Talking to the real model (ANTHROPIC_API_KEY is set).")
    yield* conversation.pipe(
      Effect.provide(ClaudeSession.layer({ apiKey: apiKey.value, includePartialMessages: true, maxTurns: 4 }))
    )
    return
  }
  yield* Console.log("No ANTHROPIC_API_KEY: using the embedded scripted model on 127.0.0.1 (offline, no key needed).")
  const api = yield* ScriptedMessagesApi.make(script)
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), "claude-demo-"))
  yield* conversation.pipe(
    Effect.provide(ClaudeSession.layer({
      env: api.env,
      cwd: workdir,
      includePartialMessages: true,
      maxTurns: 4
    }))
  )
})

main.pipe(Effect.scoped, Effect.provide(NodeContext.layer), NodeRuntime.runMain)
