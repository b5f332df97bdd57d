/**
 * A folder of real transcripts, written by the real claude CLI (offline, on the scripted
 * Messages API): two sessions in two temp cwds (one with a Bash tool turn and a second turn),
 * a resume, and a fork.
 */
import * as Effect from "effect/Effect"
import fs from "node:fs"
import * as ClaudeSession from "../src/ClaudeSession.js"
import * as Api from "../src/ScriptedMessagesApi.js"
import { claudeBin, tempDir } from "./utils.js"

/** What the corpus holds. */
export interface Corpus {
  readonly api: Api.Service
  /** The CLI's config folder (`$HOME/.claude`). */
  readonly configDir: string
  readonly cwdA: string
  readonly cwdB: string
  /** Bash turn + a second turn, then resumed for a third. */
  readonly sessionA: string
  readonly sessionB: string
  /** `--resume A --fork-session`, one more turn. */
  readonly forkOfA: string
}

/** Options for the real CLI on a scripted API. */
export const realOptions = (api: Api.Service, options: ClaudeSession.MakeOptions = {}): ClaudeSession.MakeOptions => ({
  executable: claudeBin,
  closeGracePeriod: "3 seconds",
  terminateGracePeriod: "3 seconds",
  ...options,
  env: { ...api.env, ...options.env }
})

/** Builds the corpus with the real CLI (about 10 s). */
export const makeCorpus = Effect.gen(function*() {
  const api = yield* Api.make([
    Api.turn("run echo", Api.toolCall("Bash", { command: "echo hi-from-bash", description: "say hi" })),
    Api.turn({ toolResult: true }, Api.text("The command printed hi.")),
    Api.turn("second question", Api.text("Second answer.")),
    Api.turn("hello from B", Api.text("B answers.")),
    Api.turn("resumed question", Api.text("Resumed answer.")),
    Api.turn("forked question", Api.text("Forked answer."))
  ])
  const cwdA = fs.realpathSync(tempDir("ecs-sessions-a-"))
  const cwdB = fs.realpathSync(tempDir("ecs-sessions-b.x_"))
  const sessionA = yield* Effect.scoped(Effect.gen(function*() {
    const session = yield* ClaudeSession.make(realOptions(api, { cwd: cwdA }))
    yield* session.turn("please run echo\nand tell me")
    return (yield* session.turn("second question")).result.session_id
  }))
  const sessionB = yield* Effect.scoped(Effect.gen(function*() {
    const session = yield* ClaudeSession.make(realOptions(api, { cwd: cwdB }))
    return (yield* session.turn("hello from B")).result.session_id
  }))
  yield* Effect.scoped(Effect.gen(function*() {
    const session = yield* ClaudeSession.make(realOptions(api, { cwd: cwdA, resume: sessionA }))
    yield* session.turn("resumed question")
  }))
  const forkOfA = yield* Effect.scoped(Effect.gen(function*() {
    const session = yield* ClaudeSession.make(realOptions(api, { cwd: cwdA, resume: sessionA, forkSession: true }))
    return (yield* session.turn("forked question")).result.session_id
  }))
  const configDir = `${api.env.HOME!}/.claude`
  return { api, configDir, cwdA, cwdB, sessionA, sessionB, forkOfA } satisfies Corpus
})
