/**
 * The claude CLI's own tools (Bash, Read, Edit, …) declared as `@effect/ai` provider-defined
 * tools. The CLI runs them itself, in its agent loop; put them in a `Toolkit` given to
 * `ClaudeCodeLanguageModel` and their calls and results come back as provider-executed
 * `tool-call` / `tool-result` parts (without them, those calls are not reported: `@effect/ai`
 * decodes a tool call only against the toolkit's tools). Declaring them does not enable or
 * disable anything in the CLI: its session options (`allowedTools`, `tools`, permissions) do.
 *
 * @since 0.1.0
 */
import * as Tool from "@effect/ai/Tool"
import * as Schema from "effect/Schema"

const OptionalString = Schema.optional(Schema.String)
const OptionalNumber = Schema.optional(Schema.Number)
const OptionalBoolean = Schema.optional(Schema.Boolean)

// a CLI tool: its input's main fields typed (others ignored), its result kept as the CLI gave it
const builtin = <const Name extends string, const Fields extends Schema.Struct.Fields>(
  name: Name,
  parameters: Fields
) =>
  Tool.providerDefined({
    id: `claude_code.${name}`,
    toolkitName: `ClaudeCode${name}`,
    providerName: name,
    args: {},
    parameters,
    success: Schema.Unknown,
    failure: Schema.Unknown
  })({})

/**
 * Runs a shell command.
 *
 * @since 0.1.0
 * @category Tools
 */
export const Bash = builtin("Bash", {
  command: Schema.String,
  description: OptionalString,
  timeout: OptionalNumber,
  run_in_background: OptionalBoolean
})

/**
 * Reads a file.
 *
 * @since 0.1.0
 * @category Tools
 */
export const Read = builtin("Read", { file_path: Schema.String, offset: OptionalNumber, limit: OptionalNumber })

/**
 * Writes a file.
 *
 * @since 0.1.0
 * @category Tools
 */
export const Write = builtin("Write", { file_path: Schema.String, content: Schema.String })

/**
 * Replaces text in a file.
 *
 * @since 0.1.0
 * @category Tools
 */
export const Edit = builtin("Edit", {
  file_path: Schema.String,
  old_string: Schema.String,
  new_string: Schema.String,
  replace_all: OptionalBoolean
})

/**
 * Finds files by glob pattern.
 *
 * @since 0.1.0
 * @category Tools
 */
export const Glob = builtin("Glob", { pattern: Schema.String, path: OptionalString })

/**
 * Searches file contents.
 *
 * @since 0.1.0
 * @category Tools
 */
export const Grep = builtin("Grep", { pattern: Schema.String, path: OptionalString, glob: OptionalString })

/**
 * Fetches a web page.
 *
 * @since 0.1.0
 * @category Tools
 */
export const WebFetch = builtin("WebFetch", { url: Schema.String, prompt: OptionalString })

/**
 * Searches the web.
 *
 * @since 0.1.0
 * @category Tools
 */
export const WebSearch = builtin("WebSearch", { query: Schema.String })

/**
 * Updates the session's todo list.
 *
 * @since 0.1.0
 * @category Tools
 */
export const TodoWrite = builtin("TodoWrite", { todos: Schema.Array(Schema.Unknown) })

/**
 * Runs a subagent.
 *
 * @since 0.1.0
 * @category Tools
 */
export const Task = builtin("Task", { description: OptionalString, prompt: Schema.String, subagent_type: OptionalString })

/**
 * Every declared CLI tool, to spread into a `Toolkit.make(...)`.
 *
 * @since 0.1.0
 * @category Tools
 */
export const all = [Bash, Read, Write, Edit, Glob, Grep, WebFetch, WebSearch, TodoWrite, Task] as const

/**
 * Whether a tool is one of these declarations (and which CLI tool it is).
 *
 * @since 0.1.0
 * @category Guards
 */
export const cliToolName = (tool: Tool.Any): string | undefined =>
  Tool.isProviderDefined(tool) && tool.id.startsWith("claude_code.") ? tool.providerName : undefined
