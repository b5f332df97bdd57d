/**
 * effect-claude-session/ai: an `@effect/ai` `LanguageModel` backed by the claude CLI. Needs
 * the optional peer `@effect/ai`; the main entry point never loads this one.
 *
 * @since 0.1.0
 */

/**
 * The `LanguageModel` (and `Model`) over claude CLI sessions.
 *
 * @since 0.1.0
 */
export * as ClaudeCodeLanguageModel from "./ClaudeCodeLanguageModel.js"

/**
 * The CLI's own tools as provider-defined `@effect/ai` tools.
 *
 * @since 0.1.0
 */
export * as ClaudeCodeTool from "./ClaudeCodeTool.js"
