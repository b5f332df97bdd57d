/**
 * Assembles the partial assistant message from `stream_event` deltas.
 *
 * @internal
 */
import * as Predicate from "effect/Predicate"
import type { PartialBlock, PartialMessage } from "../ClaudeEvent.js"
import type { StreamEvent } from "../ClaudeEvent.js"

const empty: PartialMessage = { content: [] }

const str = (u: unknown): string => (typeof u === "string" ? u : "")

const startBlock = (block: unknown): PartialBlock => {
  if (!Predicate.isRecord(block)) return { type: "unknown" }
  switch (block.type) {
    case "text":
      return { type: "text", text: str(block.text) }
    case "thinking":
      return { type: "thinking", thinking: str(block.thinking) }
    case "tool_use":
    case "server_tool_use":
      return { type: "tool_use", id: str(block.id), name: str(block.name), partialJson: "" }
    default:
      return { ...block, type: typeof block.type === "string" ? block.type : "unknown" }
  }
}

const applyDelta = (block: PartialBlock | undefined, delta: Record<string, unknown>): PartialBlock | undefined => {
  if (block === undefined) return undefined
  switch (delta.type) {
    case "text_delta":
      return block.type === "text" ? { type: "text", text: (block.text as string) + str(delta.text) } : block
    case "thinking_delta":
      return block.type === "thinking"
        ? { type: "thinking", thinking: (block.thinking as string) + str(delta.thinking) }
        : block
    case "input_json_delta":
      return block.type === "tool_use"
        ? { ...block, partialJson: (block.partialJson as string) + str(delta.partial_json) }
        : block
    default:
      return block
  }
}

/** Folds one raw Messages API stream event into the message assembled so far. */
export const step = (message: PartialMessage, event: Record<string, unknown>): PartialMessage => {
  switch (event.type) {
    case "message_start": {
      const start = Predicate.isRecord(event.message) ? event.message : {}
      return {
        content: [],
        ...(typeof start.id === "string" ? { id: start.id } : {}),
        ...(typeof start.model === "string" ? { model: start.model } : {})
      }
    }
    case "content_block_start": {
      const index = typeof event.index === "number" ? event.index : message.content.length
      const content = message.content.slice()
      content[index] = startBlock(event.content_block)
      return { ...message, content }
    }
    case "content_block_delta": {
      const index = typeof event.index === "number" ? event.index : message.content.length - 1
      if (!Predicate.isRecord(event.delta)) return message
      const updated = applyDelta(message.content[index], event.delta)
      if (updated === undefined || updated === message.content[index]) return message
      const content = message.content.slice()
      content[index] = updated
      return { ...message, content }
    }
    case "message_delta": {
      const delta = Predicate.isRecord(event.delta) ? event.delta : {}
      return typeof delta.stop_reason === "string" || delta.stop_reason === null
        ? { ...message, stop_reason: delta.stop_reason }
        : message
    }
    default:
      return message
  }
}

/**
 * A stateful assembler: one partial message per `parent_tool_use_id`, so that a sub-agent's
 * stream does not mix with the main one.
 */
export const make = () => {
  const messages = new Map<string, PartialMessage>()
  return (event: StreamEvent): StreamEvent => {
    const key = event.parent_tool_use_id ?? ""
    const next = step(messages.get(key) ?? empty, event.event)
    messages.set(key, next)
    // the event was just decoded and is not shared yet: fill it in rather than copy it
    ;(event as { assembled: PartialMessage }).assembled = next
    return event
  }
}
