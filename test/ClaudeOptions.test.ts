import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as ClaudeControl from "../src/ClaudeControl.js"
import type * as ClaudeError from "../src/ClaudeError.js"
import * as ClaudeOptions from "../src/ClaudeOptions.js"
import * as ClaudeSession from "../src/ClaudeSession.js"
import { platform } from "./utils.js"

const argsFor = (options: ClaudeOptions.Options, viaInitialize = false) =>
  ClaudeOptions.toArgs(options, { viaInitialize }).slice(ClaudeOptions.baseArgs.length)

describe("options → argv", () => {
  it("always starts with the stream-json flags", () => {
    assert.deepStrictEqual(ClaudeOptions.toArgs({}), ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose"])
  })

  const cases: ReadonlyArray<[string, ClaudeOptions.Options, ReadonlyArray<string>]> = [
    ["resume", { resume: "abc" }, ["--resume", "abc"]],
    ["continue", { continueConversation: true }, ["--continue"]],
    ["fork session", { forkSession: true }, ["--fork-session"]],
    ["session id", { sessionId: "0000-1" }, ["--session-id", "0000-1"]],
    ["model", { model: "claude-sonnet-4-5" }, ["--model", "claude-sonnet-4-5"]],
    ["permission prompts", { permissionPrompts: "none" }, ["--permission-prompts", "none"]],
    ["thinking adaptive", { thinking: { type: "adaptive" } }, ["--thinking=adaptive"]],
    ["thinking with a budget", { thinking: { type: "enabled", budgetTokens: 2048 } }, ["--max-thinking-tokens", "2048"]],
    ["thinking enabled, no budget", { thinking: { type: "enabled" } }, ["--thinking=adaptive"]],
    ["thinking off", { thinking: { type: "disabled" } }, ["--thinking=disabled"]],
    ["thinking shown summarized", { thinking: { type: "adaptive", display: "summarized" } }, ["--thinking=adaptive", "--thinking-display", "summarized"]],
    ["thinking left out of the output", { thinking: { type: "enabled", budgetTokens: 1024, display: "omitted" } }, ["--max-thinking-tokens", "1024", "--thinking-display", "omitted"]],
    ["betas", { betas: ["a-2025", "b-2026"] }, ["--betas", "a-2025,b-2026"]],
    ["session name", { sessionName: "nightly triage" }, ["--name", "nightly triage"]],
    ["resume at", { resume: "s1", resumeSessionAt: "m9" }, ["--resume", "s1", "--resume-session-at", "m9"]],
    ["agent", { agent: "reviewer" }, ["--agent", "reviewer"]],
    ["plugins", { plugins: [{ type: "local", path: "/p/one" }, { type: "local", path: "/p/two" }] }, ["--plugin-dir", "/p/one", "--plugin-dir", "/p/two"]],
    ["all skills", { skills: "all" }, ["--allowedTools", "Skill"]],
    ["named skills beside allowed tools", { allowedTools: ["Read"], skills: ["pdf", "xlsx"] }, ["--allowedTools", "Read,Skill(pdf),Skill(xlsx)"]],
    ["hook events", { includeHookEvents: true }, ["--include-hook-events"]],
    ["subagent text", { forwardSubagentText: true }, ["--forward-subagent-text"]],
    ["no filesystem settings", { settingSources: [] }, ["--setting-sources", ""]],
    ["fallback model", { fallbackModel: "claude-haiku-4-5" }, ["--fallback-model", "claude-haiku-4-5"]],
    ["max budget", { maxBudgetUsd: 1.5 }, ["--max-budget-usd", "1.5"]],
    ["max turns", { maxTurns: 3 }, ["--max-turns", "3"]],
    ["system prompt", { systemPrompt: "be brief" }, ["--system-prompt", "be brief"]],
    ["append system prompt", { appendSystemPrompt: "and kind" }, ["--append-system-prompt", "and kind"]],
    ["tools", { tools: ["Bash", "Read"] }, ["--tools", "Bash,Read"]],
    ["allowed tools", { allowedTools: ["Bash(git *)", "Edit"] }, ["--allowedTools", "Bash(git *),Edit"]],
    ["disallowed tools", { disallowedTools: ["WebFetch"] }, ["--disallowedTools", "WebFetch"]],
    ["permission mode", { permissionMode: "acceptEdits" }, ["--permission-mode", "acceptEdits"]],
    ["skip permissions", { dangerouslySkipPermissions: true }, ["--dangerously-skip-permissions"]],
    ["mcp config path", { mcpConfig: "/etc/mcp.json" }, ["--mcp-config", "/etc/mcp.json"]],
    ["mcp config object", { mcpConfig: { mcpServers: {} } }, ["--mcp-config", "{\"mcpServers\":{}}"]],
    ["strict mcp config", { strictMcpConfig: true }, ["--strict-mcp-config"]],
    ["add dirs", { addDirs: ["/a", "/b"] }, ["--add-dir", "/a", "--add-dir", "/b"]],
    ["partial messages", { includePartialMessages: true }, ["--include-partial-messages"]],
    ["effort", { effort: "high" }, ["--effort", "high"]],
    ["no session persistence", { noSessionPersistence: true }, ["--no-session-persistence"]],
    ["json schema", { jsonSchema: { type: "object" } }, ["--json-schema", "{\"type\":\"object\"}"]],
    ["agents", { agents: { reviewer: { description: "r", prompt: "p" } } }, ["--agents", "{\"reviewer\":{\"description\":\"r\",\"prompt\":\"p\"}}"]],
    ["settings path", { settings: "/s.json" }, ["--settings", "/s.json"]],
    ["settings object", { settings: { model: "x" } }, ["--settings", "{\"model\":\"x\"}"]],
    ["setting sources", { settingSources: ["user", "project"] }, ["--setting-sources", "user,project"]],
    ["max thinking tokens", { maxThinkingTokens: 2048 }, ["--max-thinking-tokens", "2048"]],
    ["permission prompt tool", { permissionPromptTool: "stdio" }, ["--permission-prompt-tool", "stdio"]],
    ["extra args", { extraArgs: { "--debug": null, "betas": "x" } }, ["--debug", "--betas", "x"]],
    ["working directory is not argv", { cwd: "/tmp" }, []],
    ["env is not argv", { env: { A: "1" } }, []],
    ["the API key is never argv", { apiKey: Redacted.make("sk-secret") }, []]
  ]
  for (const [name, options, expected] of cases) {
    it(name, () => assert.deepStrictEqual(argsFor(options), expected))
  }

  it("with the control protocol, prompts, agents and the JSON schema go in initialize, not argv", () => {
    const args = argsFor({ systemPrompt: "secret prompt", appendSystemPrompt: "x", jsonSchema: { type: "object" }, agents: { a: {} }, model: "m" }, true)
    assert.deepStrictEqual(args, ["--model", "m"])
  })
})

describe("options → env", () => {
  it("parent env kept, CLAUDECODE removed, entrypoint set, user env wins, key only in env", () => {
    const env = ClaudeOptions.toEnv(
      { env: { USER_VAR: "u", PATH: "/mine", CLAUDECODE: "1" }, apiKey: Redacted.make("sk-secret") },
      { PATH: "/usr/bin", HOME: "/home/x", CLAUDECODE: "1", EMPTY: undefined }
    )
    assert.deepStrictEqual(env, {
      PATH: "/mine",
      HOME: "/home/x",
      CLAUDE_CODE_ENTRYPOINT: "sdk-ts",
      USER_VAR: "u",
      ANTHROPIC_API_KEY: "sk-secret"
    })
  })
})

describe("options schema", () => {
  const decode = Schema.decodeUnknownEither(ClaudeOptions.Options)
  it("rejects invalid values", () => {
    for (const bad of [{ maxTurns: 0 }, { maxTurns: -1 }, { maxTurns: 1.5 }, { permissionMode: "yolo" }, { effort: "huge" }, { maxBudgetUsd: -1 }, { closeGracePeriod: "soon" }]) {
      assert.isTrue(Either.isLeft(decode(bad)), JSON.stringify(bad))
    }
  })
  it("a session is not made with an invalid option: InvalidOption names it, its rule and the value", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [ClaudeOptions.Options, string, string, string]> = [
        [{ maxTurns: -1 }, "maxTurns", "must be a positive integer", "-1"],
        [{ maxTurns: 1.5 }, "maxTurns", "must be a positive integer", "1.5"],
        [{ maxBudgetUsd: -1 }, "maxBudgetUsd", "must be a non-negative number", "-1"],
        [{ model: "" }, "model", "must be a non empty string", "\"\""],
        [{ permissionMode: "yolo" as "plan" }, "permissionMode", "must be \"default\" or \"acceptEdits\"", "\"yolo\""],
        [{ closeGracePeriod: "soon" } as unknown as ClaudeOptions.Options, "closeGracePeriod", "must be DurationInput", "\"soon\""],
        [{ stderrTailBytes: Number.NaN }, "stderrTailBytes", "must be a positive integer", "NaN"]
      ]
      for (const [options, option, rule, value] of cases) {
        const error = yield* Effect.flip(ClaudeSession.make({ ...options, executable: "/nope/never-spawned" }))
        assert.strictEqual(error._tag, "InvalidOption", JSON.stringify(options))
        const invalid = error as ClaudeError.InvalidOption
        assert.strictEqual(invalid.option, option)
        assert.include(invalid.rule, rule)
        assert.strictEqual(invalid.value, value)
        assert.include(invalid.message, `invalid option ${option}`)
      }
      const nobodyAsks = yield* Effect.flip(ClaudeSession.make({
        permissionPrompts: "none",
        canUseTool: () => Effect.succeed(ClaudeControl.allow()),
        executable: "/nope/never-spawned"
      }))
      assert.strictEqual(nobodyAsks._tag, "InvalidOption")
      assert.strictEqual((nobodyAsks as ClaudeError.InvalidOption).option, "permissionPrompts")
    }).pipe(Effect.scoped, Effect.provide(platform), Effect.runPromise))

  it("accepts durations and valid values", () => {
    assert.isTrue(Either.isRight(decode({ closeGracePeriod: "5 seconds", terminateGracePeriod: 100, maxTurns: 2, permissionMode: "plan" })))
  })
  it("derives a JSON schema from a Schema", () => {
    const schema = ClaudeOptions.jsonSchemaOf(Schema.Struct({ a: Schema.Number, b: Schema.optional(Schema.String) }))
    assert.deepStrictEqual(schema, {
      type: "object",
      required: ["a"],
      properties: { a: { type: "number" }, b: { type: "string" } },
      additionalProperties: false
    })
  })
})
