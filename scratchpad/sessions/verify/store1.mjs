// SessionStore paths: importSessionToStore, list/info/messages/fork/rename/tag/delete with sessionStore, foldSessionSummary, subagents
import fs from "node:fs"
import path from "node:path"
import { sdk, freshConfig, projectDirName, writeLines, sessionFile, sid, uuid, show, attempt } from "./fx.mjs"
const cfg = freshConfig("store1")
const proj = "/tmp/sdkspec-store"
const P = projectDirName(proj)
const U = (k) => uuid(4000 + k)
const t = (i) => new Date(Date.parse("2025-01-01T00:00:00Z") + i * 1000).toISOString()
const S = sid(1)
const base = (k, parent, type, extra) => ({ parentUuid: parent === null ? null : U(parent), isSidechain: false, cwd: proj, sessionId: S, gitBranch: "dev", type, uuid: U(k), timestamp: t(k), ...extra })
const user = (k, parent, content, extra = {}) => base(k, parent, "user", { message: { role: "user", content }, ...extra })
const asst = (k, parent, content, extra = {}) => base(k, parent, "assistant", { message: { id: `msg_${k}`, role: "assistant", content: [{ type: "text", text: content }] }, ...extra })
const lines = [user(1, null, "<command-name>/init</command-name>"), user(2, 1, "store prompt"), asst(3, 2, "ans"), { type: "custom-title", customTitle: "T1", sessionId: S }, { type: "ai-title", aiTitle: "AI", sessionId: S }, { type: "tag", tag: "tg", sessionId: S }, { type: "last-prompt", lastPrompt: "LP", sessionId: S }]
writeLines(sessionFile(cfg, P, S), [...lines, "garbage line"])
// subagents
const sub = path.join(cfg, "projects", P, S, "subagents")
writeLines(path.join(sub, "agent-abc.jsonl"), [{ ...user(10, null, "sub task"), isSidechain: true, agentId: "abc" }, { ...asst(11, 10, "sub done"), isSidechain: true, agentId: "abc" }])
fs.writeFileSync(path.join(sub, "agent-abc.meta.json"), JSON.stringify({ agentType: "general", toolUseId: "toolu_1", description: "d" }))
writeLines(path.join(sub, "nested", "agent-def.jsonl"), [{ ...user(20, null, "nested"), isSidechain: true }])

await attempt("listSubagents (fs)", () => sdk.listSubagents(S))
await attempt("getSubagentMessages abc (fs)", () => sdk.getSubagentMessages(S, "abc"))
await attempt("getSubagentMessages def nested (fs)", async () => (await sdk.getSubagentMessages(S, "def")).map((m) => m.uuid.slice(-3)))
await attempt("getSessionInfo (fs)", () => sdk.getSessionInfo(S))
await attempt("getSessionInfo unknown", () => sdk.getSessionInfo(sid(9)))
await attempt("getSessionInfo bad id", () => sdk.getSessionInfo("x"))

class LoggingStore extends sdk.InMemorySessionStore {
  calls = []
  async append(key, entries) { this.calls.push([JSON.stringify(key), entries.length]); return super.append(key, entries) }
}
const store = new LoggingStore()
await sdk.importSessionToStore(S, store, { dir: proj, batchSize: 3 })
show("import append calls (key, count)", store.calls)
show("store entries main (types)", store.getEntries({ projectKey: P, sessionId: S }).map((e) => e.type))
show("store subkeys", await store.listSubkeys({ projectKey: P, sessionId: S }))
show("store entries subagent (types)", store.getEntries({ projectKey: P, sessionId: S, subpath: "subagents/agent-abc" }))
show("summary sidecar", await store.listSessionSummaries(P))
await attempt("listSessions({sessionStore, dir})", () => sdk.listSessions({ sessionStore: store, dir: proj }))
await attempt("getSessionInfo({sessionStore, dir})", () => sdk.getSessionInfo(S, { sessionStore: store, dir: proj }))
await attempt("getSessionMessages({sessionStore, dir}) uuids", async () => (await sdk.getSessionMessages(S, { sessionStore: store, dir: proj })).map((m) => m.uuid.slice(-3)))
await attempt("listSubagents({sessionStore})", () => sdk.listSubagents(S, { sessionStore: store, dir: proj }))
await attempt("getSubagentMessages({sessionStore}) abc", async () => (await sdk.getSubagentMessages(S, "abc", { sessionStore: store, dir: proj })).map((m) => [m.uuid.slice(-3), m.parent_tool_use_id, m.parent_agent_id]))
await sdk.renameSession(S, " Store Name ", { sessionStore: store, dir: proj })
await sdk.tagSession(S, null, { sessionStore: store, dir: proj })
show("rename/tag entries appended to store", store.getEntries({ projectKey: P, sessionId: S }).slice(-2))
await attempt("listSessions after rename (store)", async () => (await sdk.listSessions({ sessionStore: store, dir: proj })).map(({ summary, customTitle, tag }) => ({ summary, customTitle, tag })))
await attempt("fork via store", async () => { const r = await sdk.forkSession(S, { sessionStore: store, dir: proj }); return store.getEntries({ projectKey: P, sessionId: r.sessionId }).map((e) => [e.type, e.customTitle]) })
await attempt("archive with store", () => sdk.archiveSession(S, { sessionStore: store }))
await attempt("listSessions store without listSessions", () => sdk.listSessions({ sessionStore: { append() {}, load() {} } }))
await attempt("listSubagents store without listSubkeys", () => sdk.listSubagents(S, { sessionStore: { append() {}, load() {} } }))
await attempt("delete store without delete (no-op)", () => sdk.deleteSession(S, { sessionStore: { append() {}, load() {} } }))
await attempt("fork via store unknown", () => sdk.forkSession(sid(5), { sessionStore: store, dir: proj }))
await attempt("getSessionMessages store unknown", () => sdk.getSessionMessages(sid(5), { sessionStore: store, dir: proj }))
await attempt("importSessionToStore unknown", () => sdk.importSessionToStore(sid(5), store))
await attempt("importSessionToStore bad", () => sdk.importSessionToStore("bad", store))
await sdk.deleteSession(S, { sessionStore: store, dir: proj })
show("after delete keys", [...store.store.keys()])

// foldSessionSummary directly
const f1 = sdk.foldSessionSummary(undefined, { projectKey: "p", sessionId: S }, [
  { type: "user", isSidechain: false, timestamp: "2025-01-01T00:00:00Z", cwd: "/a", message: { content: "<command-name>/x</command-name>" } },
  { type: "user", timestamp: "2025-01-01T00:00:01Z", cwd: "/b", message: { content: "real first" }, gitBranch: "g1" },
  { type: "tag", tag: "t" }, { type: "relocated", relocatedCwd: "/moved" }, { type: "summary", summary: "sm" },
])
show("fold 1", f1)
show("fold 2 (tag cleared, mtime kept)", sdk.foldSessionSummary(f1, { projectKey: "p", sessionId: S }, [{ type: "tag", tag: "" }, { type: "user", message: { content: "later" } }]))
show("fold 3 (mtime option)", sdk.foldSessionSummary(undefined, { projectKey: "p", sessionId: S }, [{ type: "user", isSidechain: true, message: { content: "x" } }], { mtime: 123 }))
