// head/tail, titles precedence, big files, pagination, dedupe
import fs from "node:fs"
import path from "node:path"
import { sdk, freshConfig, projectDirName, writeLines, sessionFile, chain, sid, show, attempt } from "./fx.mjs"
const cfg = freshConfig("list2")
const proj = "/tmp/nonexistent-proj-b"
const P = projectDirName(proj)
const T = 1700000000
const filler = (n) => Array.from({ length: n }, (_, i) => ({ type: "assistant", content: "f".repeat(1000) + i }))
const w = (k, specs, mt, p = P) => writeLines(sessionFile(cfg, p, sid(k)), chain(sid(k), specs, { cwd: proj }), T + mt)
const raw = (o) => ({ raw: JSON.stringify(o) })

// 1: big file: custom-title only in the middle (not head nor tail) -> not seen
w(1, [{ type: "user", content: "first" }, ...filler(70), raw({ type: "custom-title", customTitle: "MIDDLE", sessionId: sid(1) }), ...filler(70)], 1)
// 2: big file: custom-title in head and a different one in tail -> tail wins; ai-title in tail lower priority than head custom-title
w(2, [{ type: "user", content: "first" }, raw({ type: "custom-title", customTitle: "HEAD", sessionId: sid(2) }), ...filler(100), raw({ type: "ai-title", aiTitle: "AI-TAIL", sessionId: sid(2) }), raw({ type: "custom-title", customTitle: "TAIL", sessionId: sid(2) }), { type: "assistant", content: "x", gitBranch: "tailbranch" }], 2)
// 3: big file: ai-title only in head, gitBranch differs in tail, cwd relocated in tail
w(3, [{ type: "user", content: "first3" }, raw({ type: "ai-title", aiTitle: "AI-HEAD", sessionId: sid(3) }), ...filler(100), raw({ type: "relocated", relocatedCwd: "/moved/here", sessionId: sid(3) }), { type: "assistant", content: "x", gitBranch: "b-tail" }], 3)
// 4: custom-title with empty string in tail, older non-empty in tail -> '' is a string so stops? 
w(4, [{ type: "user", content: "p4" }, raw({ type: "custom-title", customTitle: "OLDER", sessionId: sid(4) }), raw({ type: "custom-title", customTitle: "", sessionId: sid(4) })], 4)
// 5: garbled line: partial write concatenated with a custom-title entry
w(5, [{ type: "user", content: "p5" }, '{"type":"assistant","message":{"content":"trunc' + JSON.stringify({ type: "custom-title", customTitle: "RECOVERED", sessionId: sid(5) })], 5)
// 6: last-prompt in tail, but first prompt too -> summary = lastPrompt
w(6, [{ type: "user", content: "first6" }, raw({ type: "last-prompt", lastPrompt: "latest prompt", sessionId: sid(6) })], 6)
// 7: summary entry AND firstPrompt -> summary entry wins over firstPrompt
w(7, [{ type: "user", content: "first7" }, raw({ type: "summary", summary: "Summary7", leafUuid: "x" })], 7)
await attempt("list (no pagination)", async () => (await sdk.listSessions({ dir: proj })).map(({ sessionId, summary, customTitle, firstPrompt, gitBranch, cwd, fileSize }) => ({ id: sessionId.slice(-2), summary, customTitle, firstPrompt, gitBranch, cwd, fileSize })))

// pagination and ties
const cfg2 = freshConfig("list2b")
const w2 = (k, mt, p = P) => writeLines(sessionFile(cfg2, p, sid(k)), chain(sid(k), [{ type: "user", content: "s" + k }], { cwd: proj }), T + mt)
w2(1, 5); w2(2, 5); w2(3, 7); w2(4, 1); w2(5, 9)
// same session id in another project dir (older and newer)
w2(3, 100, projectDirName("/other/proj"))
w2(4, 0, projectDirName("/other/proj"))
// a session with no summary (skipped, but counted?) 
writeLines(sessionFile(cfg2, P, sid(6)), chain(sid(6), [{ type: "assistant", content: "x" }], { cwd: proj }), T + 8)
const ids = (l) => l.map((s) => `${s.sessionId.slice(-1)}@${s.lastModified / 1000 - T}${s.cwd === proj ? "" : ":" + s.cwd}`)
await attempt("all (no dir)", async () => ids(await sdk.listSessions()))
await attempt("limit 2", async () => ids(await sdk.listSessions({ limit: 2 })))
await attempt("limit 2 offset 2", async () => ids(await sdk.listSessions({ limit: 2, offset: 2 })))
await attempt("offset 1 (no limit)", async () => ids(await sdk.listSessions({ offset: 1 })))
await attempt("limit 0", async () => ids(await sdk.listSessions({ limit: 0 })))
await attempt("limit -1 offset -1", async () => ids(await sdk.listSessions({ limit: -1, offset: -1 })))
await attempt("dir limit 10", async () => ids(await sdk.listSessions({ dir: proj, limit: 10 })))
