// query() with sessionStore: resume materialization and transcript_mirror batching (fake CLI)
import fs from "node:fs"
import path from "node:path"
import { sdk, freshConfig, projectDirName, show, attempt, sid } from "./fx.mjs"
const cfg = freshConfig("mirror1")
const LOG = path.join(cfg, "fake.log")
process.env.FAKE_LOG = LOG
const cwd = fs.mkdtempSync("/tmp/sdkspec-mirror-cwd-")
const P = projectDirName(cwd)
const S = sid(1)
const store = new sdk.InMemorySessionStore()
const calls = []
const origAppend = store.append.bind(store)
let failFirst = 1
store.append = async (k, e) => { calls.push({ key: k, n: e.length, types: e.map((x) => x.type) }); if (k.subpath === "subagents/agent-bad") throw new Error("store down"); return origAppend(k, e) }
await origAppend({ projectKey: P, sessionId: S }, [{ type: "user", uuid: "u1", parentUuid: null, sessionId: S, message: { role: "user", content: "stored" }, timestamp: "2025-01-01T00:00:00Z" }])
await origAppend({ projectKey: P, sessionId: S, subpath: "subagents/agent-x" }, [{ type: "user", uuid: "s1", isSidechain: true, message: { content: "sub" } }, { type: "agent_metadata", agentType: "general", toolUseId: "toolu_9" }])
await origAppend({ projectKey: P, sessionId: S, subpath: "../escape" }, [{ type: "user", uuid: "bad" }])
const projDir = (base) => path.join(base, "projects", P)
const plan = [
  { type: "transcript_mirror", filePath: path.join("$CFG", "projects", P, `${S}.jsonl`), entries: [{ type: "user", uuid: "m1" }] },
  { type: "transcript_mirror", filePath: path.join("$CFG", "projects", P, S, "subagents", "agent-y.jsonl"), entries: [{ type: "assistant", uuid: "m2" }] },
  { type: "transcript_mirror", filePath: path.join("$CFG", "projects", P, `${S}.jsonl`), entries: [{ type: "assistant", uuid: "m3" }, { type: "custom-title", customTitle: "x" }] },
  { type: "transcript_mirror", filePath: path.join("$CFG", "projects", P, S, "subagents", "agent-bad.jsonl"), entries: [{ type: "user", uuid: "m4" }] },
  { type: "transcript_mirror", filePath: "/elsewhere/x.jsonl", entries: [{ type: "user", uuid: "m5" }] },
  { type: "result", subtype: "success", is_error: false, num_turns: 1, result: "done", session_id: S, duration_ms: 1, duration_api_ms: 1, total_cost_usd: 0, usage: {} },
]
process.env.FAKE_PLAN = JSON.stringify(plan)
const out = []
try {
  const q = sdk.query({ prompt: "hi", options: { cwd, resume: S, sessionStore: store, pathToClaudeCodeExecutable: path.resolve("fakecli.mjs"), env: { ...process.env, CLAUDE_CONFIG_DIR: cfg } } })
  for await (const m of q) { out.push(m.type + (m.subtype ? ":" + m.subtype : "")); if (m.subtype === "mirror_error") out.push(m); }
} catch (e) { out.push("THROW " + e.message) }
show("messages seen", out)
const logs = fs.readFileSync(LOG, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l))
show("fake cli start", logs[0])
show("append calls", calls)
