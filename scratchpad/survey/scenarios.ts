import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import * as Api from "../../src/ScriptedMessagesApi.js"
import { type Json, runScenarios, type Scenario } from "./harness.js"

const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `survey-${name}-`))
const filesDir = tmp("files")
const schema = { type: "object", properties: { name: { type: "string" } }, required: ["name"] }

const mcpAnswer = (req: Json): Json | undefined => {
  const r = req.request
  if (r.subtype !== "mcp_message") return undefined
  const msg = r.message
  const id = msg.id
  switch (msg.method) {
    case "initialize":
      return {
        mcp_response: {
          jsonrpc: "2.0",
          id,
          result: { protocolVersion: "2025-06-18", capabilities: { tools: {} }, serverInfo: { name: "calc", version: "1.0.0" } }
        }
      }
    case "tools/list":
      return {
        mcp_response: {
          jsonrpc: "2.0",
          id,
          result: {
            tools: [{
              name: "add",
              description: "Adds two numbers",
              inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] }
            }]
          }
        }
      }
    case "tools/call":
      return { mcp_response: { jsonrpc: "2.0", id, result: { content: [{ type: "text", text: "3" }] } } }
    default:
      return { mcp_response: { jsonrpc: "2.0", id: id ?? 0, result: {} } }
  }
}

const scenarios: Array<Scenario> = [
  {
    name: "text",
    script: [Api.turn("hello", Api.text("Hi! I am scripted.")), Api.turn("second", Api.text("Second answer."))],
    steps: async (ctx) => {
      ctx.user("hello there")
      await ctx.waitResult()
      ctx.user("second turn")
      await ctx.waitResult()
    }
  },
  {
    name: "text_no_partial",
    partial: false,
    script: [Api.text("No partials here.")],
    steps: async (ctx) => {
      ctx.user("hello")
      await ctx.waitResult()
    }
  },
  {
    name: "tool_bash",
    script: [
      Api.turn("run echo", Api.toolCall("Bash", { command: "echo hi-from-bash", description: "say hi" }, { text: "Running it." })),
      Api.turn({ toolResult: true }, Api.text("The command printed hi."))
    ],
    steps: async (ctx) => {
      ctx.user("please run echo")
      await ctx.waitResult()
    }
  },
  {
    name: "tool_bash_error_and_slow",
    script: [
      Api.turn("go", Api.toolCall("Bash", { command: "echo out; echo err 1>&2; exit 3", description: "fail" }, { id: "toolu_fail" })),
      Api.turn({ toolResultFor: "toolu_fail" }, Api.toolCall("Bash", { command: "sleep 4; echo slept", description: "sleep" }, { id: "toolu_sleep" })),
      Api.turn({ toolResultFor: "toolu_sleep" }, Api.text("done"))
    ],
    args: ["--allowedTools", "Bash"],
    timeoutMs: 60_000,
    steps: async (ctx) => {
      ctx.user("go")
      await ctx.waitResult(45_000)
    }
  },
  {
    name: "thinking",
    script: [Api.thinking("let me think about it", "streamed answer in pieces")],
    steps: async (ctx) => {
      ctx.user("think please")
      await ctx.waitResult()
    }
  },
  {
    name: "api_error_529",
    script: [Api.error(529)],
    steps: async (ctx) => {
      ctx.user("hello")
      await ctx.waitResult()
    }
  },
  {
    name: "api_error_400_401_429_500",
    script: [
      Api.turn("a400", Api.error(400)),
      Api.turn("a401", Api.error(401)),
      Api.turn("a429", Api.error(429)),
      Api.turn("a500", Api.error(500))
    ],
    steps: async (ctx) => {
      for (const t of ["a400", "a401", "a429", "a500"]) {
        ctx.user(t)
        await ctx.waitResult()
      }
    }
  },
  {
    name: "api_retry",
    env: { CLAUDE_CODE_MAX_RETRIES: "2" },
    script: [Api.error(529, "busy", { retryable: true }), Api.error(500, "oops", { retryable: true }), Api.text("after retries")],
    timeoutMs: 60_000,
    steps: async (ctx) => {
      ctx.user("hello")
      await ctx.waitResult(45_000)
    }
  },
  {
    name: "structured_output",
    args: ["--json-schema", JSON.stringify(schema)],
    script: [
      Api.turn("structured", Api.toolCall("StructuredOutput", { name: "Ada" })),
      Api.turn({ toolResult: true }, Api.text("done"))
    ],
    steps: async (ctx) => {
      ctx.user("structured please")
      await ctx.waitResult()
    }
  },
  {
    name: "structured_output_retries",
    args: ["--json-schema", JSON.stringify(schema)],
    script: [],
    apiOptions: { fallback: Api.toolCall("StructuredOutput", { wrong: 1 }) },
    timeoutMs: 60_000,
    steps: async (ctx) => {
      ctx.user("structured please")
      await ctx.waitResult(45_000)
    }
  },
  {
    name: "max_turns",
    args: ["--max-turns", "1"],
    script: [
      Api.turn("run", Api.toolCall("Bash", { command: "echo one", description: "one" })),
      Api.turn({ toolResult: true }, Api.text("never reached"))
    ],
    steps: async (ctx) => {
      ctx.user("run it")
      await ctx.waitResult()
    }
  },
  {
    name: "max_budget",
    args: ["--max-budget-usd", "0.001"],
    script: [
      Api.turn("run", Api.toolCall("Bash", { command: "echo one", description: "one" })),
      Api.turn({ toolResult: true }, Api.text("after budget"))
    ],
    steps: async (ctx) => {
      ctx.user("run it")
      await ctx.waitResult()
    }
  },
  {
    name: "control",
    script: [Api.turn("after control", Api.text("answer after control")), Api.turn("second", Api.text("second answer"))],
    steps: async (ctx) => {
      await ctx.control({ subtype: "initialize" })
      await ctx.control({ subtype: "set_model", model: "claude-sonnet-4-5" })
      await ctx.control({ subtype: "set_permission_mode", mode: "acceptEdits" })
      await ctx.control({ subtype: "set_max_thinking_tokens", max_thinking_tokens: 1000 })
      await ctx.control({ subtype: "mcp_status" })
      await ctx.control({ subtype: "get_context_usage" })
      await ctx.control({ subtype: "get_settings" })
      await ctx.control({ subtype: "list_models" }).catch(() => undefined)
      await ctx.control({ subtype: "get_session_cost" }).catch(() => undefined)
      await ctx.control({ subtype: "get_binary_version" }).catch(() => undefined)
      await ctx.control({ subtype: "interrupt" })
      await ctx.control({ subtype: "no_such_subtype_survey" }).catch(() => undefined)
      ctx.user("after control")
      await ctx.waitResult()
      await ctx.control({ subtype: "set_model", model: "default" })
      await ctx.control({ subtype: "initialize" }).catch(() => undefined)
      await ctx.control({ subtype: "mcp_reconnect", serverName: "nope" }).catch(() => undefined)
      await ctx.control({ subtype: "stop_task", task_id: "nope" }).catch(() => undefined)
      await ctx.control({ subtype: "rewind_files", user_message_id: "nope" }).catch(() => undefined)
      await ctx.control({ subtype: "get_usage" }).catch(() => undefined)
      await ctx.control({ subtype: "background_tasks" }).catch(() => undefined)
      await ctx.control({ subtype: "get_context_usage" })
      ctx.user("second")
      await ctx.waitResult()
    }
  },
  {
    name: "control_initialize_full",
    args: ["--permission-prompt-tool", "stdio"],
    script: [
      Api.turn("hooked", Api.toolCall("Bash", { command: "echo hooked", description: "hooked" })),
      Api.turn({ toolResult: true }, Api.text("hooks done"))
    ],
    steps: async (ctx) => {
      await ctx.control({
        subtype: "initialize",
        hooks: {
          PreToolUse: [{ matcher: "Bash", hookCallbackIds: ["h_pre"] }],
          PostToolUse: [{ hookCallbackIds: ["h_post"] }],
          UserPromptSubmit: [{ hookCallbackIds: ["h_ups"] }],
          Stop: [{ hookCallbackIds: ["h_stop"] }]
        },
        systemPrompt: "You are a survey bot.",
        agents: { reviewer: { description: "Reviews code", prompt: "You review code." } }
      })
      ctx.user("hooked")
      await ctx.waitResult()
      await ctx.sleep(500)
    }
  },
  {
    name: "hooks_block",
    onControlRequest: (req) =>
      req.request.subtype === "hook_callback" && req.request.input?.hook_event_name === "PreToolUse"
        ? {
          decision: "block",
          reason: "survey says no",
          hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "deny", permissionDecisionReason: "survey deny" }
        }
        : undefined,
    script: [
      Api.turn("blocked", Api.toolCall("Bash", { command: "echo blocked", description: "blocked" })),
      Api.turn({ toolResult: true }, Api.text("it was blocked"))
    ],
    steps: async (ctx) => {
      await ctx.control({ subtype: "initialize", hooks: { PreToolUse: [{ matcher: "Bash", hookCallbackIds: ["h_pre"] }] } })
      ctx.user("blocked")
      await ctx.waitResult()
    }
  },
  {
    name: "hooks_settings_events",
    args: [
      "--include-hook-events",
      "--settings",
      JSON.stringify({
        hooks: {
          SessionStart: [{ hooks: [{ type: "command", command: "echo session-start-hook" }] }],
          UserPromptSubmit: [{ hooks: [{ type: "command", command: "echo ups-hook" }] }],
          PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "echo pre-hook-ran; echo warn 1>&2" }] }],
          PostToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "echo post-hook-ran" }] }],
          Stop: [{ hooks: [{ type: "command", command: "exit 0" }] }]
        }
      })
    ],
    script: [
      Api.turn("hooks", Api.toolCall("Bash", { command: "echo hooks", description: "hooks" })),
      Api.turn({ toolResult: true }, Api.text("hooks done"))
    ],
    steps: async (ctx) => {
      ctx.user("hooks")
      await ctx.waitResult()
      await ctx.sleep(500)
    }
  },
  {
    name: "hooks_settings_block_progress",
    args: [
      "--include-hook-events",
      "--settings",
      JSON.stringify({
        hooks: {
          UserPromptSubmit: [{ hooks: [{ type: "command", command: "if grep -q blockme; then echo 'blocked by survey' 1>&2; exit 2; fi; exit 0" }] }],
          PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "echo progress1; sleep 1.5; echo progress2" }] }],
          PostToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "echo 'post failed' 1>&2; exit 2" }] }]
        }
      })
    ],
    script: [
      Api.turn("hooks", Api.toolCall("Bash", { command: "echo hooks", description: "hooks" })),
      Api.turn({ toolResult: true }, Api.text("hooks done"))
    ],
    apiOptions: { fallback: "fallback answer" },
    steps: async (ctx) => {
      ctx.user("please blockme now")
      await ctx.waitResult(15_000).catch(() => undefined)
      ctx.user("hooks")
      await ctx.waitResult()
      await ctx.sleep(500)
    }
  },
  {
    name: "session_state",
    env: { CLAUDE_CODE_EMIT_SESSION_STATE_EVENTS: "1" },
    script: [
      Api.turn("state", Api.toolCall("Bash", { command: "echo state", description: "state" })),
      Api.turn({ toolResult: true }, Api.text("state done"))
    ],
    steps: async (ctx) => {
      ctx.user("state")
      await ctx.waitResult()
      await ctx.sleep(1000)
    }
  },
  {
    name: "permission_stdio",
    args: ["--permission-prompt-tool", "stdio"],
    onControlRequest: (req) => {
      const r = req.request
      if (r.subtype !== "can_use_tool") return undefined
      return String(r.input?.command ?? "").includes("denied")
        ? { behavior: "deny", message: "survey denies this" }
        : { behavior: "allow", updatedInput: r.input }
    },
    script: [
      Api.turn("touch", Api.toolCall("Bash", { command: "touch allowed.txt", description: "touch allowed" }, { id: "toolu_allow" })),
      Api.turn({ toolResultFor: "toolu_allow" }, Api.toolCall("Bash", { command: "touch denied.txt", description: "touch denied" }, { id: "toolu_deny" })),
      Api.turn({ toolResultFor: "toolu_deny" }, Api.text("permissions done"))
    ],
    steps: async (ctx) => {
      ctx.user("touch")
      await ctx.waitResult()
    }
  },
  {
    name: "permission_auto_denied",
    args: ["--permission-prompts", "none"],
    script: [
      Api.turn("touch", Api.toolCall("Bash", { command: "touch nope.txt", description: "touch nope" })),
      Api.turn({ toolResult: true }, Api.text("denied done"))
    ],
    steps: async (ctx) => {
      ctx.user("touch")
      await ctx.waitResult()
    }
  },
  {
    name: "file_tools",
    cwd: filesDir,
    args: ["--permission-mode", "acceptEdits"],
    script: [
      Api.turn("files", Api.toolCall("Write", { file_path: path.join(filesDir, "a.txt"), content: "alpha\nbeta\n" })),
      Api.turn({ toolResultFor: "Write" }, Api.toolCall("Read", { file_path: path.join(filesDir, "a.txt") })),
      Api.turn({ toolResultFor: "Read" }, Api.toolCall("Edit", { file_path: path.join(filesDir, "a.txt"), old_string: "beta", new_string: "gamma" })),
      Api.turn({ toolResultFor: "Edit" }, Api.toolCall("Read", { file_path: path.join(filesDir, "missing.txt") }, { id: "toolu_missing" })),
      Api.turn({ toolResultFor: "toolu_missing" }, Api.text("files done"))
    ],
    steps: async (ctx) => {
      ctx.user("files")
      await ctx.waitResult()
    }
  },
  {
    name: "subagent",
    script: [
      Api.turn("spawn", Api.toolCall("Agent", { description: "Sub task", prompt: "SUBPROMPT do the sub task", subagent_type: "general-purpose" })),
      Api.turn("SUBPROMPT", Api.toolCall("Bash", { command: "echo from-sub", description: "sub echo" }, { text: "sub thinking aloud" })),
      Api.turn({ toolResultFor: "Bash" }, Api.text("sub agent result")),
      Api.turn({ toolResultFor: "Agent" }, Api.text("parent done"))
    ],
    timeoutMs: 60_000,
    steps: async (ctx) => {
      ctx.user("spawn")
      await ctx.waitResult(45_000)
      await ctx.sleep(1000)
    }
  },
  {
    name: "subagent_forward",
    args: ["--forward-subagent-text"],
    script: [
      Api.turn("spawn", Api.toolCall("Agent", { description: "Sub task", prompt: "SUBPROMPT do the sub task", subagent_type: "general-purpose" })),
      Api.turn("SUBPROMPT", Api.thinking("sub thinks", "sub agent result")),
      Api.turn({ toolResultFor: "Agent" }, Api.text("parent done"))
    ],
    timeoutMs: 60_000,
    steps: async (ctx) => {
      ctx.user("spawn")
      await ctx.waitResult(45_000)
      await ctx.sleep(1000)
    }
  },
  {
    name: "background_bash",
    script: [
      Api.turn("bg", Api.toolCall("Bash", { command: "sleep 1; echo bg-done", description: "bg", run_in_background: true })),
      Api.turn({ toolResult: true }, Api.text("started in background"))
    ],
    apiOptions: { fallback: "noted the background result" },
    timeoutMs: 60_000,
    steps: async (ctx) => {
      ctx.user("bg")
      await ctx.waitResult()
      await ctx.sleep(4000)
    }
  },
  {
    name: "interrupt",
    script: [
      Api.turn("slow", Api.slow(Array.from({ length: 200 }, (_, i) => `word${i}`).join(" "), 50)),
      Api.turn("after", Api.text("still here"))
    ],
    steps: async (ctx) => {
      ctx.user("slow please")
      await ctx.waitFor((m) => m.type === "stream_event" && m.event?.delta?.type === "text_delta", 15_000)
      await ctx.sleep(500)
      await ctx.control({ subtype: "interrupt" })
      await ctx.waitResult()
      ctx.user("after")
      await ctx.waitResult()
    }
  },
  {
    name: "replay_user",
    args: ["--replay-user-messages"],
    script: [Api.text("replayed")],
    steps: async (ctx) => {
      ctx.send({
        type: "user",
        session_id: "",
        uuid: "11111111-2222-3333-4444-555555555555",
        message: {
          role: "user",
          content: [
            { type: "text", text: "what is this?" },
            {
              type: "image",
              source: {
                type: "base64",
                media_type: "image/png",
                data: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
              }
            }
          ]
        },
        parent_tool_use_id: null
      })
      await ctx.waitResult()
    }
  },
  {
    name: "slash_commands",
    script: [Api.text("first answer")],
    apiOptions: { fallback: "summary of the conversation" },
    timeoutMs: 90_000,
    steps: async (ctx) => {
      ctx.user("hello")
      await ctx.waitResult()
      for (const cmd of ["/context", "/usage", "/compact", "/model", "/effort", "/clear"]) {
        ctx.user(cmd)
        await ctx.waitResult(30_000).catch(() => undefined)
      }
      await ctx.sleep(500)
    }
  },
  {
    name: "prompt_suggestions",
    args: ["--prompt-suggestions", "--debug-file", "/tmp/survey-prompt-suggestions-debug.txt"],
    env: { CLAUDE_CODE_ENABLE_PROMPT_SUGGESTION: "1" },
    script: [
      Api.turn("Reply with ONLY the suggestion", Api.text("run the tests now")),
      Api.turn("Reply with ONLY the suggestion", Api.text("run the tests now")),
      Api.turn("hello", Api.text("a suggestion-worthy answer")),
      Api.turn("and then", Api.text("another answer"))
    ],
    apiOptions: { sideReply: "What else can you do?" },
    steps: async (ctx) => {
      ctx.user("hello")
      await ctx.waitResult()
      await ctx.sleep(2000)
      ctx.user("and then?")
      await ctx.waitResult()
      await ctx.sleep(3000)
    }
  },
  {
    name: "mcp_sdk",
    args: [
      "--mcp-config",
      JSON.stringify({ mcpServers: { calc: { type: "sdk", name: "calc" } } }),
      "--allowedTools",
      "mcp__calc__add"
    ],
    onControlRequest: (req) => mcpAnswer(req),
    script: [
      Api.turn("add", Api.toolCall("mcp__calc__add", { a: 1, b: 2 })),
      Api.turn({ toolResult: true }, Api.text("it is 3"))
    ],
    steps: async (ctx) => {
      await ctx.control({ subtype: "initialize" })
      ctx.user("add")
      await ctx.waitResult()
      await ctx.control({ subtype: "mcp_status" })
    }
  },
  {
    name: "resume_missing",
    args: ["--resume", "11111111-1111-1111-1111-111111111111"],
    script: [Api.text("unused")],
    timeoutMs: 30_000,
    steps: async (ctx) => {
      ctx.user("hello")
      await ctx.waitResult(10_000).catch(() => undefined)
    }
  },
  {
    name: "rate_limit_headers",
    proxyHeaders: {
      "anthropic-ratelimit-unified-status": "allowed_warning",
      "anthropic-ratelimit-unified-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "anthropic-ratelimit-unified-5h-utilization": "0.9",
      "anthropic-ratelimit-unified-5h-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "anthropic-ratelimit-unified-5h-status": "allowed_warning",
      "anthropic-ratelimit-unified-representative-claim": "five_hour",
      "anthropic-ratelimit-unified-fallback": "available"
    },
    script: [Api.text("rate limited answer")],
    steps: async (ctx) => {
      ctx.user("hello")
      await ctx.waitResult()
    }
  }
]

const rl = scenarios.find((s) => s.name === "rate_limit_headers")!
scenarios.push({
  ...rl,
  name: "rate_limit_oauth",
  env: {
    ANTHROPIC_API_KEY: "",
    CLAUDE_CODE_OAUTH_TOKEN: "sk-ant-oat01-survey-offline",
    HTTPS_PROXY: "http://127.0.0.1:9",
    HTTP_PROXY: "http://127.0.0.1:9",
    NO_PROXY: "127.0.0.1,localhost"
  }
})

scenarios.push({
  ...rl,
  name: "rate_limit_oauth_warning",
  proxyHeaders: {
    "anthropic-ratelimit-unified-status": "allowed_warning",
    "anthropic-ratelimit-unified-reset": String(Math.floor(Date.now() / 1000) + 3600),
    "anthropic-ratelimit-unified-7d-utilization": "0.95",
    "anthropic-ratelimit-unified-7d-reset": String(Math.floor(Date.now() / 1000) + 86400),
    "anthropic-ratelimit-unified-7d-status": "allowed_warning",
    "anthropic-ratelimit-unified-7d-surpassed-threshold": "0.9",
    "anthropic-ratelimit-unified-representative-claim": "seven_day",
    "anthropic-ratelimit-unified-overage-status": "allowed",
    "anthropic-ratelimit-unified-overage-reset": String(Math.floor(Date.now() / 1000) + 86400 * 30),
    "anthropic-ratelimit-unified-overage-disabled-reason": "out_of_credits"
  },
  env: scenarios.find((s) => s.name === "rate_limit_oauth")!.env
})

scenarios.push({
  name: "cancel_request",
  args: ["--permission-prompt-tool", "stdio"],
  onControlRequest: (req) => (req.request.subtype === "can_use_tool" ? null : undefined),
  script: [Api.turn("touch", Api.toolCall("Bash", { command: "touch pending.txt", description: "touch pending" })), Api.turn("after", Api.text("after cancel"))],
  apiOptions: { fallback: "fallback" },
  steps: async (ctx) => {
    ctx.user("touch")
    await ctx.waitFor((m) => m.type === "control_request" && m.request?.subtype === "can_use_tool", 15_000)
    await ctx.sleep(300)
    await ctx.control({ subtype: "interrupt" })
    await ctx.waitResult(15_000).catch(() => undefined)
    await ctx.sleep(500)
    ctx.user("after")
    await ctx.waitResult(15_000).catch(() => undefined)
  }
})

const refuse = (body: string, n: number) => n === 0 ? body.replace(/"stop_reason":"end_turn"/g, '"stop_reason":"refusal"') : body
scenarios.push(
  {
    name: "refusal",
    proxyRewrite: refuse,
    script: [Api.text("I refuse partially"), Api.text("second try")],
    steps: async (ctx) => {
      ctx.user("hello")
      await ctx.waitResult()
      await ctx.sleep(300)
    }
  },
  {
    name: "refusal_fallback",
    args: ["--fallback-model", "claude-sonnet-4-5"],
    proxyRewrite: refuse,
    script: [Api.text("I refuse partially"), Api.text("fallback answer")],
    steps: async (ctx) => {
      ctx.user("hello")
      await ctx.waitResult()
      await ctx.sleep(300)
    }
  },
  {
    name: "goal_command",
    script: [],
    apiOptions: { fallback: "working on the goal" },
    timeoutMs: 60_000,
    steps: async (ctx) => {
      ctx.user("/goal say hello once")
      await ctx.waitResult(30_000)
      await ctx.sleep(2000)
    }
  }
)

await runScenarios(scenarios)
