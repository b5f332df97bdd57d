// compaction with preservedSegment relinking; >5MB precompact skip
import fs from "node:fs"
import { sdk, freshConfig, projectDirName, writeLines, sessionFile, sid, uuid, show, attempt } from "./fx.mjs"
const cfg = freshConfig("msgs3")
const proj = "/tmp/sdkspec-msgs3"
const P = projectDirName(proj)
const U = (k) => uuid(5000 + k)
const t = (i) => new Date(Date.parse("2025-01-01T00:00:00Z") + i * 1000).toISOString()
const mk = (S) => {
  const base = (k, parent, type, extra) => ({ parentUuid: parent === null ? null : U(parent), isSidechain: false, sessionId: S, type, uuid: U(k), timestamp: t(k), ...extra })
  return { base, user: (k, p, c, x = {}) => base(k, p, "user", { message: { role: "user", content: c }, ...x }), asst: (k, p, c, x = {}) => base(k, p, "assistant", { message: { id: "m" + k, role: "assistant", content: [{ type: "text", text: c }] }, ...x }) }
}
const brief = (l) => l.map((m) => `${m.type}:${m.uuid.slice(-2)}`)
{
  const S = sid(1), { base, user, asst } = mk(S)
  writeLines(sessionFile(cfg, P, S), [
    user(1, null, "u1"), asst(2, 1, "a2"), user(3, 2, "u3"), asst(4, 3, "a4"),
    base(5, null, "system", { subtype: "compact_boundary", logicalParentUuid: U(4), compactMetadata: { trigger: "auto", preservedSegment: { headUuid: U(3), anchorUuid: U(6), tailUuid: U(4) } } }),
    user(6, 5, "summary", { isCompactSummary: true }),
    user(7, 6, "u7"), asst(8, 7, "a8"),
  ])
  await attempt("preservedSegment", async () => brief(await sdk.getSessionMessages(S, { includeSystemMessages: true })))
}
{
  const S = sid(2), { base, user, asst } = mk(S)
  const big = "B".repeat(100000)
  const pre = []
  let p = null
  for (let i = 1; i <= 60; i++) { pre.push(i % 2 ? user(i, p, big) : asst(i, p, big)); p = i }
  writeLines(sessionFile(cfg, P, S), [...pre,
    base(100, null, "system", { subtype: "compact_boundary", logicalParentUuid: U(60), compactMetadata: { trigger: "auto" } }),
    user(101, 100, "summary", { isCompactSummary: true }), user(102, 101, "after"),
    // an entry re-parented onto a pre-boundary message (only visible if pre-boundary lines are parsed)
    user(103, 60, "late child of pre-boundary"),
  ])
  show("file size", fs.statSync(sessionFile(cfg, P, S)).size)
  await attempt(">5MB default", async () => brief(await sdk.getSessionMessages(S)))
  process.env.CLAUDE_CODE_DISABLE_PRECOMPACT_SKIP = "1"
  await attempt(">5MB with CLAUDE_CODE_DISABLE_PRECOMPACT_SKIP=1", async () => brief(await sdk.getSessionMessages(S)).length)
  delete process.env.CLAUDE_CODE_DISABLE_PRECOMPACT_SKIP
}
