import { listSessions, getSessionMessages } from "@anthropic-ai/claude-agent-sdk"
const list = await listSessions({})
console.log(JSON.stringify(list, null, 1))
const msgs = await getSessionMessages(list[0].sessionId, {})
console.log(msgs.length, JSON.stringify(msgs.map((m) => ({ ...m, message: JSON.stringify(m.message).slice(0, 120) })), null, 1).slice(0, 3000))
