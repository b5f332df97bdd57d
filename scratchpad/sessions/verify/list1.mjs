import fs from "node:fs"
import path from "node:path"
import { sdk, freshConfig, projectDirName, writeLines, sessionFile, chain, sid, show, attempt } from "./fx.mjs"
const cfg = freshConfig("list1")
const proj = "/tmp/nonexistent-proj-a"
const P = projectDirName(proj)
const T = 1700000000 // base mtime (sec)
const w = (k, specs, opt = {}, mt = 0) => writeLines(sessionFile(cfg, P, sid(k)), chain(sid(k), specs, { cwd: proj, ...opt }), T + mt)

// 1 basic
w(1, [{ type: "user", content: "Hello world" }, { type: "assistant", content: "Hi" }], {}, 1)
// 2 long prompt with newlines (300 chars)
const long = "line one\nline two\n" + "x".repeat(300)
w(2, [{ type: "user", content: long }, { type: "assistant", content: "ok" }], {}, 2)
// 3 command only
w(3, [{ type: "user", content: "<command-name>/review</command-name>\n<command-message>review</command-message>\n<command-args>all</command-args>" }, { type: "assistant", content: "ok" }], {}, 3)
// 4 isMeta first then real
w(4, [{ type: "user", content: "meta caveat", isMeta: true }, { type: "user", content: "<command-name>/clear</command-name>" }, { type: "user", content: [{ type: "text", text: "<system-reminder>x</system-reminder>" }, { type: "text", text: "  real   prompt  " }] }], {}, 4)
// 5 tool_result first user then text
w(5, [{ type: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "r" }] }, { type: "user", content: "[Request interrupted by user]" }, { type: "user", content: "after interrupt" }], {}, 5)
// 6 bash input
w(6, [{ type: "user", content: "<bash-input>  ls -la </bash-input>" }], {}, 6)
// 7 image only
w(7, [{ type: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } }] }], {}, 7)
// 8 custom-title in head + ai-title + tag + lastPrompt
w(8, [{ type: "user", content: "p8" }, { raw: JSON.stringify({ type: "custom-title", customTitle: "Head Title", sessionId: sid(8) }) }, { raw: JSON.stringify({ type: "ai-title", aiTitle: "AI T", sessionId: sid(8) }) }, { raw: JSON.stringify({ type: "tag", tag: "t1", sessionId: sid(8) }) }, { raw: JSON.stringify({ type: "last-prompt", lastPrompt: "LP", sessionId: sid(8) }) }], {}, 8)
// 9 only lastPrompt and summary entries, no user message -> summary from lastPrompt
w(9, [{ raw: JSON.stringify({ type: "summary", summary: "Sum9", leafUuid: "x" }) }, { raw: JSON.stringify({ type: "last-prompt", lastPrompt: "LP9", sessionId: sid(9) }) }], {}, 9)
// 10 only summary
w(10, [{ raw: JSON.stringify({ type: "summary", summary: "Sum10", leafUuid: "x" }) }], {}, 10)
// 11 sidechain first line
w(11, [{ type: "user", content: "side", isSidechain: true }], {}, 11)
// 12 nothing usable -> null
w(12, [{ type: "assistant", content: "only assistant" }], {}, 12)
// 13 programmatic entrypoint
w(13, [{ type: "user", content: "sdk prompt", entrypoint: "sdk-ts" }], {}, 13)
// 14 tag cleared after set
w(14, [{ type: "user", content: "p14" }, { raw: JSON.stringify({ type: "tag", tag: "old", sessionId: sid(14) }) }, { raw: JSON.stringify({ type: "tag", tag: "", sessionId: sid(14) }) }], {}, 14)
// 15 escaped strings in cwd / gitBranch / with space variant
w(15, [{ raw: '{"type": "user", "cwd": "C:\\\\x\\u00e9", "gitBranch": "feat/\\"q\\"", "timestamp": "2024-02-02T00:00:00Z", "message": {"role": "user", "content": "spaced json"}, "uuid": "u15", "sessionId": "' + sid(15) + '"}' }], {}, 15)
// non-uuid file and empty file
writeLines(path.join(cfg, "projects", P, "not-a-uuid.jsonl"), chain("x", [{ type: "user", content: "nope" }]), T + 20)
fs.writeFileSync(sessionFile(cfg, P, sid(16)), "")
// 17 isCompactSummary + pasted/whitespace only
w(17, [{ type: "user", content: "   \n  ", }, { type: "user", content: "compact summary text", isCompactSummary: true }, { type: "user", content: "final" }], {}, 17)
// 18 emoji at truncation boundary (200th code unit is high surrogate)
w(18, [{ type: "user", content: "a".repeat(199) + "😀" + "tail" }], {}, 18)
// 19 custom title sidecar file only
w(19, [{ type: "user", content: "p19" }], {}, 19)
fs.mkdirSync(path.join(cfg, "projects", P, sid(19)), { recursive: true })
fs.writeFileSync(path.join(cfg, "projects", P, sid(19), "custom-title.json"), JSON.stringify({ customTitle: "  Side\u0007car\ttitle  " }))

await attempt("listSessions({dir})", () => sdk.listSessions({ dir: proj }))
await attempt("listSessions({dir, includeProgrammatic:false}) ids", async () => (await sdk.listSessions({ dir: proj, includeProgrammatic: false })).map((s) => s.sessionId.slice(-2)))
await attempt("listSessions() no dir ids", async () => (await sdk.listSessions()).map((s) => s.sessionId.slice(-2)))
await attempt("keys of first", async () => Object.keys((await sdk.listSessions())[0]))
