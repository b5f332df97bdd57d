// getSessionMessages: chain, leaf choice, filters, output shape, limit/offset
import fs from "node:fs"
import path from "node:path"
import { sdk, freshConfig, projectDirName, writeLines, sessionFile, chain, sid, uuid, show, attempt } from "./fx.mjs"
const cfg = freshConfig("msgs1")
const proj = "/tmp/sdkspec-msgs"
const P = projectDirName(proj)
const brief = (l) => l.map((m) => {
  const { message, ...rest } = m
  const c = message?.content
  const text = typeof c === "string" ? c : Array.isArray(c) ? c.map((b) => b.type === "text" ? b.text : b.type === "tool_use" ? `tool_use:${b.id}` : b.type === "tool_result" ? `tool_result:${b.tool_use_id}` : b.type).join("|") : JSON.stringify(message)
  return { ...rest, uuid: rest.uuid.slice(-3), text }
})
const U = (k) => uuid(1000 + k)
const S = sid(1)
const t = (i) => new Date(Date.parse("2025-01-01T00:00:00Z") + i * 1000).toISOString()
const base = (k, parent, type, extra) => ({ parentUuid: parent === null ? null : U(parent), isSidechain: false, cwd: proj, sessionId: S, type, uuid: U(k), timestamp: t(k), ...extra })
const user = (k, parent, content, extra = {}) => base(k, parent, "user", { message: { role: "user", content }, ...extra })
const asst = (k, parent, content, extra = {}) => base(k, parent, "assistant", { message: { id: extra.mid ?? `msg_${k}`, role: "assistant", content: typeof content === "string" ? [{ type: "text", text: content }] : content }, ...extra })
const lines = [
  { type: "summary", summary: "x", leafUuid: U(1) },
  user(1, null, "hello"),
  asst(2, 1, [{ type: "tool_use", id: "tu1", name: "Bash", input: {} }]),
  { type: "progress", uuid: U(3), parentUuid: U(2), sessionId: S, timestamp: t(3), data: {} },
  user(4, 2, [{ type: "tool_result", tool_use_id: "tu1", content: "out" }]),
  base(5, 4, "attachment", { attachment: { type: "file", filename: "x" } }),
  asst(6, 5, "done"),
  user(7, 6, "meta msg", { isMeta: true }),
  base(8, 7, "system", { subtype: "informational", content: "sys note", level: "info" }),
  user(9, 8, "second prompt"),
  asst(10, 9, "answer A"),
  // branch: user edited prompt -> new child of 8
  user(11, 8, "second prompt (edited)"),
  asst(12, 11, "answer B"),
  // sidechain entries (subagent inline) after main
  user(13, 12, "side", { isSidechain: true }),
  // trailing system entry after last message
  base(14, 12, "system", { subtype: "turn_duration", durationMs: 5 }),
  "not json at all",
  "   ",
]
writeLines(sessionFile(cfg, P, S), lines)
await attempt("default", async () => brief(await sdk.getSessionMessages(S)))
await attempt("includeSystemMessages", async () => brief(await sdk.getSessionMessages(S, { includeSystemMessages: true })).map((m) => `${m.type}:${m.uuid}`))
await attempt("limit 2 offset 1", async () => brief(await sdk.getSessionMessages(S, { limit: 2, offset: 1 })).map((m) => m.uuid))
await attempt("offset 3", async () => brief(await sdk.getSessionMessages(S, { offset: 3 })).map((m) => m.uuid))
await attempt("limit 0 offset 0", async () => (await sdk.getSessionMessages(S, { limit: 0 })).length)
await attempt("offset -2 limit 1", async () => brief(await sdk.getSessionMessages(S, { offset: -2, limit: 1 })).map((m) => m.uuid))
await attempt("offset -2", async () => brief(await sdk.getSessionMessages(S, { offset: -2 })).map((m) => m.uuid))
await attempt("raw first message object", async () => (await sdk.getSessionMessages(S))[0])
await attempt("keys of each", async () => (await sdk.getSessionMessages(S)).map((m) => Object.keys(m).join(",")))
await attempt("not a uuid", () => sdk.getSessionMessages("xyz"))
await attempt("unknown", () => sdk.getSessionMessages(sid(77)))
await attempt("uppercase id (file is lowercase)", () => sdk.getSessionMessages(S.toUpperCase()).then((l) => l.length))

// Branch where the latest leaf in file is the older branch: order decides
const S2 = sid(2)
const b = (k, parent, type, content, extra) => ({ ...(type === "user" ? user(k, parent, content, extra) : asst(k, parent, content, extra)), sessionId: S2 })
writeLines(sessionFile(cfg, P, S2), [b(1, null, "user", "q"), b(2, 1, "assistant", "a1"), b(3, 1, "assistant", "a2-retry"), b(4, 2, "user", "follow-up on a1")])
await attempt("leaf = last-in-file main leaf", async () => brief(await sdk.getSessionMessages(S2)).map((m) => m.text))

// Only sidechain & meta
const S3 = sid(3)
writeLines(sessionFile(cfg, P, S3), [{ ...user(1, null, "only side", { isSidechain: true }), sessionId: S3 }])
await attempt("only sidechain", async () => brief(await sdk.getSessionMessages(S3)))
