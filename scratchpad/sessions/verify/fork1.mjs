// forkSession / renameSession / tagSession / deleteSession: exact bytes written
import fs from "node:fs"
import path from "node:path"
import { sdk, freshConfig, projectDirName, writeLines, sessionFile, sid, uuid, show, attempt } from "./fx.mjs"
const cfg = freshConfig("fork1")
const proj = "/tmp/sdkspec-fork"
const P = projectDirName(proj)
const U = (k) => uuid(3000 + k)
const t = (i) => new Date(Date.parse("2025-01-01T00:00:00Z") + i * 1000).toISOString()
const S = sid(1)
const base = (k, parent, type, extra) => ({ parentUuid: parent === null ? null : U(parent), isSidechain: false, cwd: proj, sessionId: S, type, uuid: U(k), timestamp: t(k), ...extra })
const user = (k, parent, content, extra = {}) => base(k, parent, "user", { message: { role: "user", content }, ...extra })
const asst = (k, parent, content, extra = {}) => base(k, parent, "assistant", { message: { id: `msg_${k}`, role: "assistant", content: [{ type: "text", text: content }] }, ...extra })
writeLines(sessionFile(cfg, P, S), [
  { type: "summary", summary: "s", leafUuid: U(2) },
  user(1, null, "hello fork", { slug: "my-slug", agentName: "x" }),
  { type: "progress", uuid: U(2), parentUuid: U(1), sessionId: S, timestamp: t(2), data: { p: 1 } },
  asst(3, 2, "answer"),
  user(4, 3, "side", { isSidechain: true }),
  { type: "file-history-snapshot", messageId: U(3), snapshot: {} },
  { type: "custom-title", customTitle: "Orig Title", sessionId: S },
  base(5, 3, "system", { subtype: "informational", content: "note" }),
  user(6, 5, "second"),
  asst(7, 6, "second answer"),
])
const readLines = (id) => fs.readFileSync(sessionFile(cfg, P, id), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l))
const r1 = await sdk.forkSession(S)
show("fork result", r1)
const L1 = readLines(r1.sessionId)
show("fork lines", L1)
show("fork file mode", (fs.statSync(sessionFile(cfg, P, r1.sessionId)).mode & 0o777).toString(8))
const r2 = await sdk.forkSession(S, { upToMessageId: U(3), title: "  My Fork  " })
show("fork upTo U(3) lines (type uuid->forkedFrom parent, title)", readLines(r2.sessionId).map((e) => [e.type, e.uuid, e.parentUuid, e.forkedFrom?.messageUuid?.slice(-2), e.customTitle]))
await attempt("fork upTo progress uuid U(2)", async () => { const r = await sdk.forkSession(S, { upToMessageId: U(2) }); return readLines(r.sessionId).map((e) => [e.type, e.forkedFrom?.messageUuid?.slice(-2), e.customTitle]) })
await attempt("fork upTo unknown", () => sdk.forkSession(S, { upToMessageId: "nope" }))
await attempt("fork bad id", () => sdk.forkSession("bad"))
await attempt("fork unknown id", () => sdk.forkSession(sid(99)))
await attempt("fork unknown id with dir", () => sdk.forkSession(sid(99), { dir: proj }))
// title fallback chain: no titles -> first prompt (shown) + " (fork)"
const S3 = sid(3)
writeLines(sessionFile(cfg, P, S3), [{ ...user(1, null, "x".repeat(250)), sessionId: S3 }])
await attempt("fork title from first prompt", async () => { const r = await sdk.forkSession(S3); return readLines(r.sessionId).at(-1) })
const S4 = sid(4)
writeLines(sessionFile(cfg, P, S4), [{ ...asst(1, null, "only assistant"), sessionId: S4 }])
await attempt("fork title fallback 'Forked session'", async () => { const r = await sdk.forkSession(S4); return readLines(r.sessionId).at(-1).customTitle })
const S5 = sid(5)
writeLines(sessionFile(cfg, P, S5), [{ ...user(1, null, "side only", { isSidechain: true }), sessionId: S5 }, { type: "custom-title", customTitle: "t", sessionId: S5 }])
await attempt("fork with no non-sidechain messages", () => sdk.forkSession(S5))
const S6 = sid(6)
writeLines(sessionFile(cfg, P, S6), [{ type: "progress", uuid: U(1), parentUuid: null, sessionId: S6, timestamp: t(1) }])
await attempt("fork with only progress", () => sdk.forkSession(S6))

// rename / tag
const f = sessionFile(cfg, P, S)
const before = fs.readFileSync(f, "utf8").length
await sdk.renameSession(S, "  New Name  ")
await sdk.tagSession(S, "  urgent\u200b  ")
await sdk.tagSession(S, null)
show("appended by rename+tag+tag(null)", fs.readFileSync(f, "utf8").slice(before))
await attempt("rename blank", () => sdk.renameSession(S, "   "))
await attempt("rename bad id", () => sdk.renameSession("x", "t"))
await attempt("rename unknown", () => sdk.renameSession(sid(98), "t"))
await attempt("rename unknown with dir", () => sdk.renameSession(sid(98), "t", { dir: "/nowhere" }))
await attempt("tag blank", () => sdk.tagSession(S, "  "))
await attempt("tag only zero-width", () => sdk.tagSession(S, "\u200b"))
fs.writeFileSync(sessionFile(cfg, P, sid(7)), "")
await attempt("rename empty file", () => sdk.renameSession(sid(7), "t"))
await attempt("listSessions after rename/tag", async () => (await sdk.listSessions({ dir: proj })).filter((s) => s.sessionId === S).map(({ summary, customTitle, tag }) => ({ summary, customTitle, tag })))

// delete
fs.mkdirSync(path.join(cfg, "projects", P, S, "subagents"), { recursive: true })
fs.writeFileSync(path.join(cfg, "projects", P, S, "subagents", "agent-a1.jsonl"), "{}\n")
await sdk.deleteSession(S)
show("after delete: file/dir exist", [fs.existsSync(f), fs.existsSync(path.join(cfg, "projects", P, S))])
await attempt("delete again", () => sdk.deleteSession(S))
await attempt("delete bad id", () => sdk.deleteSession("x"))
await attempt("delete with dir unknown", () => sdk.deleteSession(sid(55), { dir: proj }))
await attempt("delete empty file", () => sdk.deleteSession(sid(7)))
