/**
 * Test layers for applications built on `ClaudeSession`: a scripted in-memory session, and a
 * scripted Anthropic Messages API server to run the real claude CLI offline.
 *
 * @since 0.1.0
 */

/**
 * A scripted, in-memory `ClaudeSession` and its driver.
 *
 * @since 0.1.0
 */
export * as ClaudeSessionTest from "./ClaudeSessionTest.js"

/**
 * A scripted Anthropic Messages API on 127.0.0.1, to run the real claude CLI offline.
 *
 * @since 0.1.0
 */
export * as ScriptedMessagesApi from "./ScriptedMessagesApi.js"
