/**
 * Spans for the tool calls the CLI runs itself (Bash, Read, MCP tools, …): one span per call,
 * opened when the assistant message asks for it and ended by its tool result, named and
 * attributed as the OpenTelemetry GenAI conventions say (`execute_tool`). Calls still open when
 * the session ends are ended then.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Tracer from "effect/Tracer"
import type { ClaudeEvent } from "../ClaudeEvent.js"
import { AssistantEvent, isToolResultBlock, UserEvent } from "../ClaudeEvent.js"

/** Where a tool comes from: an MCP server (`mcp__server__tool`) or the CLI's own set. */
const sourceOf = (name: string): { readonly source: string; readonly server?: string } => {
  const parts = name.split("__")
  return parts.length >= 3 && parts[0] === "mcp" ? { source: "mcp", server: parts[1]! } : { source: "builtin" }
}

/** The tool spans of one session. */
export interface ToolSpans {
  /** Opens and ends spans for the tool calls and results among these events. */
  readonly observe: (events: ReadonlyArray<ClaudeEvent>) => Effect.Effect<void>
  /** Ends the spans still open. */
  readonly endAll: Effect.Effect<void>
}

/** Tool spans under `parent`. */
export const make = (parent: Tracer.AnySpan): ToolSpans => {
  const open = new Map<string, Tracer.Span>()

  const start = (id: string, name: string) =>
    Effect.flatMap(
      Effect.makeSpan(`execute_tool ${name}`, {
        parent,
        kind: "internal",
        captureStackTrace: false,
        attributes: {
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.name": name,
          "gen_ai.tool.call.id": id,
          "claude.tool.source": sourceOf(name).source,
          ...(sourceOf(name).server !== undefined ? { "claude.mcp.server": sourceOf(name).server } : {})
        }
      }),
      (span) => Effect.sync(() => open.set(id, span))
    )

  const end = (id: string, isError: boolean) =>
    Effect.flatMap(Effect.clockWith((clock) => clock.currentTimeNanos), (now) =>
      Effect.sync(() => {
        const span = open.get(id)
        if (span === undefined) return
        open.delete(id)
        if (isError) span.attribute("error.type", "tool_error")
        span.end(now, isError ? Exit.fail("tool_error") : Exit.void)
      }))

  const observe = (events: ReadonlyArray<ClaudeEvent>): Effect.Effect<void> =>
    Effect.forEach(events, (event) => {
      if (event instanceof AssistantEvent) {
        return Effect.forEach(event.toolUses, (use) => start(use.id, use.name), { discard: true })
      }
      if (event instanceof UserEvent && typeof event.message.content !== "string") {
        return Effect.forEach(event.message.content, (block) =>
          isToolResultBlock(block) ? end(block.tool_use_id, block.is_error === true) : Effect.void, { discard: true })
      }
      return Effect.void
    }, { discard: true })

  const endAll = Effect.suspend(() => Effect.forEach([...open.keys()], (id) => end(id, false), { discard: true }))

  return { observe, endAll }
}
