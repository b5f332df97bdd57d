// getSessionMessages: compaction, split assistant messages / parallel tool results, queued commands, local commands, output extras
import { sdk, freshConfig, projectDirName, writeLines, sessionFile, sid, uuid, show, attempt } from "./fx.mjs"
const cfg = freshConfig("msgs2")
const proj = "/tmp/sdkspec-msgs2"
const P = projectDirName(proj)
const U = (k) => uuid(2000 + k)
const t = (i) => new Date(Date.parse("2025-01-01T00:00:00Z") + i * 1000).toISOString()
const mk = (S) => {
  const base = (k, parent, type, extra) => ({ parentUuid: parent === null ? null : U(parent), isSidechain: false, cwd: proj, sessionId: S, type, uuid: U(k), timestamp: t(k), ...extra })
  return {
    base,
    user: (k, parent, content, extra = {}) => base(k, parent, "user", { message: { role: "user", content }, ...extra }),
    asst: (k, parent, content, extra = {}) => { const { mid, ...rest } = extra; return base(k, parent, "assistant", { message: { id: mid ?? `msg_${k}`, role: "assistant", content: typeof content === "string" ? [{ type: "text", text: content }] : content }, ...rest }) },
  }
}
const brief = (l) => l.map((m) => {
  const { message, type, uuid: u, session_id, parent_tool_use_id, parent_agent_id, timestamp, ...extra } = m
  const c = message?.content
  const text = typeof c === "string" ? c : Array.isArray(c) ? c.map((b) => b.type === "text" ? b.text : b.type === "tool_use" ? `tool_use:${b.id}` : b.type === "tool_result" ? `tool_result:${b.tool_use_id}` : b.type).join("|") : JSON.stringify(message)
  return `${type}:${u.slice(-2)} ${text}${Object.keys(extra).length ? " " + JSON.stringify(extra) : ""}`
})

// 1. compaction boundary: parentUuid null, logicalParentUuid -> pre-boundary dropped
{
  const S = sid(1), { base, user, asst } = mk(S)
  writeLines(sessionFile(cfg, P, S), [
    user(1, null, "before"), asst(2, 1, "before-answer"),
    base(3, null, "system", { subtype: "compact_boundary", content: "Conversation compacted", logicalParentUuid: U(2), compactMetadata: { trigger: "manual", preTokens: 100 } }),
    user(4, 3, "This session is being continued... summary", { isCompactSummary: true, isVisibleInTranscriptOnly: true }),
    user(5, 4, "after"), asst(6, 5, "after-answer"),
  ])
  await attempt("compaction default", async () => brief(await sdk.getSessionMessages(S)))
  await attempt("compaction includeSystemMessages", async () => brief(await sdk.getSessionMessages(S, { includeSystemMessages: true })))
}
// 2. split assistant message (same message.id across entries) with parallel tool_use; chain only through one
{
  const S = sid(2), { base, user, asst } = mk(S)
  writeLines(sessionFile(cfg, P, S), [
    user(1, null, "run two"),
    asst(2, 1, [{ type: "text", text: "ok" }], { mid: "msg_X" }),
    asst(3, 2, [{ type: "tool_use", id: "A", name: "Bash", input: {} }], { mid: "msg_X" }),
    asst(4, 3, [{ type: "tool_use", id: "B", name: "Bash", input: {} }], { mid: "msg_X" }),
    user(5, 3, [{ type: "tool_result", tool_use_id: "A", content: "a" }], { sourceToolAssistantUUID: U(3) }),
    user(6, 4, [{ type: "tool_result", tool_use_id: "B", content: "b" }], { sourceToolAssistantUUID: U(4) }),
    asst(7, 6, "both done"),
  ])
  await attempt("parallel tools", async () => brief(await sdk.getSessionMessages(S)))
}
// 3. queued_command attachment followed by assistant reply -> becomes user message; local command caveat
{
  const S = sid(3), { base, user, asst } = mk(S)
  writeLines(sessionFile(cfg, P, S), [
    user(1, null, "first"),
    base(2, 1, "attachment", { attachment: { type: "queued_command", prompt: "queued while busy", commandMode: "prompt" } }),
    asst(3, 2, "reply to both"),
    user(4, 3, "<local-command-caveat>Caveat: ...</local-command-caveat>", { isMeta: true }),
    user(5, 4, "<command-name>/model</command-name>\n<command-message>model</command-message>\n<command-args></command-args>"),
    user(6, 5, "<local-command-stdout>Set model</local-command-stdout>"),
    user(7, 6, "next", { origin: { kind: "channel", source: "x" } }),
    user(8, 7, "meta from channel", { isMeta: true, origin: { kind: "channel" } }),
    asst(9, 8, "fine"),
    base(10, 9, "attachment", { attachment: { type: "queued_command", prompt: [{ type: "text", text: "trailing queued" }], source_uuid: U(50) } }),
  ])
  await attempt("queued + local command", async () => brief(await sdk.getSessionMessages(S)))
}
// 4. extras: interruptedByShutdown, toolDenialKind, toolDenialUnanswered, closesQuietTurn
{
  const S = sid(4), { base, user, asst } = mk(S)
  writeLines(sessionFile(cfg, P, S), [
    user(1, null, "go"),
    asst(2, 1, [{ type: "tool_use", id: "T", name: "Bash", input: {} }]),
    user(3, 2, [{ type: "tool_result", tool_use_id: "T", content: "denied", is_error: true }], { toolDenialKind: "user-rejected", toolDenialUnanswered: "stream-closed" }),
    asst(4, 3, "No response requested.", { closesQuietTurn: true }),
    asst(5, 4, "partial", { interruptedByShutdown: true }),
  ])
  await attempt("extras", async () => brief(await sdk.getSessionMessages(S)))
}
// 5. duplicated uuid lines (later line wins content, first position)
{
  const S = sid(5), { base, user, asst } = mk(S)
  writeLines(sessionFile(cfg, P, S), [user(1, null, "v1"), asst(2, 1, "a"), user(1, null, "v2-dup")])
  await attempt("duplicate uuid", async () => brief(await sdk.getSessionMessages(S)))
}
// 6. cycle in parent links
{
  const S = sid(6), { base, user, asst } = mk(S)
  writeLines(sessionFile(cfg, P, S), [user(1, 2, "c1"), asst(2, 1, "c2")])
  await attempt("cycle", async () => brief(await sdk.getSessionMessages(S)))
}
// 7. missing sessionId in entry -> session_id undefined?
{
  const S = sid(7), { base, user, asst } = mk(S)
  const u = user(1, null, "no sid"); delete u.sessionId; delete u.timestamp
  writeLines(sessionFile(cfg, P, S), [u])
  await attempt("no sessionId/timestamp in entry", async () => (await sdk.getSessionMessages(S)).map((m) => Object.entries(m).map(([k, v]) => `${k}=${v === undefined ? "<undefined>" : typeof v === "object" ? "obj" : v}`).join(" ")))
}
