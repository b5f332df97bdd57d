/**
 * effect-claude-session/cluster: claude sessions as `@effect/cluster` entities. Needs the
 * optional peers `@effect/cluster` and `@effect/rpc`; the main entry point never loads this one.
 *
 * @since 0.1.0
 */

/**
 * The `ClaudeSession` entity: its protocol, and its handlers on a runner.
 *
 * @since 0.1.0
 */
export * as ClaudeSessionEntity from "./ClaudeSessionEntity.js"
