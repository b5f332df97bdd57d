/**
 * effect-claude-session: the Effect-TS way to run and drive the `claude` CLI.
 *
 * @since 0.1.0
 */

/**
 * The `ClaudeSession` service: one long-lived claude process as a scoped Layer.
 *
 * @since 0.1.0
 */
export * as ClaudeSession from "./ClaudeSession.js"

/**
 * Warm sessions: a bounded pool that hides the CLI's start-up.
 *
 * @since 0.1.0
 */
export * as ClaudeSessionPool from "./ClaudeSessionPool.js"

/**
 * The conversations the CLI keeps on disk: list, read, rename, tag, fork, delete.
 *
 * @since 0.1.0
 */
export * as ClaudeSessions from "./ClaudeSessions.js"

/**
 * The Schema-decoded entries of a stored transcript.
 *
 * @since 0.1.0
 */
export * as ClaudeTranscript from "./ClaudeTranscript.js"

/**
 * A store for conversations that outlive one machine's disk, fed as the CLI writes.
 *
 * @since 0.1.0
 */
export * as TranscriptStore from "./TranscriptStore.js"

/**
 * The typed, Schema-decoded events of the stream-json protocol.
 *
 * @since 0.1.0
 */
export * as ClaudeEvent from "./ClaudeEvent.js"

/**
 * The tagged errors of a session and their union.
 *
 * @since 0.1.0
 */
export * as ClaudeError from "./ClaudeError.js"

/**
 * Session options, their Schema and their argv mapping.
 *
 * @since 0.1.0
 */
export * as ClaudeOptions from "./ClaudeOptions.js"

/**
 * The control protocol: permissions, hooks, the initialize answer and feature detection.
 *
 * @since 0.1.0
 */
export * as ClaudeControl from "./ClaudeControl.js"

/**
 * In-process MCP tools with Schema-typed inputs and Effect handlers.
 *
 * @since 0.1.0
 */
export * as McpTool from "./McpTool.js"

/**
 * Turn outcomes, the typed errors of a failed turn, and turn metrics.
 *
 * @since 0.1.0
 */
export * as ClaudeTurn from "./ClaudeTurn.js"
