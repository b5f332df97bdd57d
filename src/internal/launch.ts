/**
 * What the process is started with: argv (MCP configs and settings objects go through private
 * 0600 temp files that end with the scope, so no secret reaches argv), the hook callback
 * table and the hook configuration sent with `initialize`.
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type * as Scope from "effect/Scope"
import { InvalidOption, IoError } from "../ClaudeError.js"
import type * as ClaudeControl from "../ClaudeControl.js"
import * as ClaudeOptions from "../ClaudeOptions.js"
import type * as McpTool from "../McpTool.js"

/** The hooks: callback id → the event and matcher, and the `hooks` field of `initialize`. */
export interface HookTable<R> {
  readonly handlers: ReadonlyMap<string, { readonly event: string; readonly matcher: ClaudeControl.HookMatcher<R> }>
  readonly config: Readonly<Record<string, ReadonlyArray<Record<string, unknown>>>>
}

const hookTimeoutSeconds = (timeout: Duration.DurationInput | undefined) =>
  timeout === undefined ? undefined : Math.max(1, Math.ceil(Duration.toSeconds(Duration.decode(timeout))))

/**
 * Gives each hook matcher a callback id, remembering its event (a key that is no typed event,
 * a newer CLI's, is registered as it is; its handler gets the generic input).
 */
export const hookTable = <R>(hooks: ClaudeControl.Hooks<R> | undefined): HookTable<R> => {
  const handlers = new Map<string, { readonly event: string; readonly matcher: ClaudeControl.HookMatcher<R> }>()
  const config: Record<string, Array<Record<string, unknown>>> = {}
  for (const [event, matchers] of Object.entries(hooks ?? {})) {
    config[event] = (matchers ?? []).map((matcher) => {
      const id = `hook_${handlers.size}`
      handlers.set(id, { event, matcher })
      const timeout = hookTimeoutSeconds(matcher.timeout)
      return {
        ...(matcher.matcher !== undefined ? { matcher: matcher.matcher } : {}),
        hookCallbackIds: [id],
        ...(timeout !== undefined ? { timeout } : {}),
        ...(matcher.onFailure !== undefined ? { onFailure: matcher.onFailure } : {})
      }
    })
  }
  return { handlers, config }
}

/** The argv of the CLI for these options. */
export const args = (
  options: ClaudeOptions.Options,
  extra: {
    readonly controlProtocol: boolean
    readonly permissionPrompts: boolean
    readonly mcpServers: ReadonlyArray<McpTool.McpServer<unknown>>
  }
): Effect.Effect<Array<string>, IoError | InvalidOption, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const privateFile = (name: string, value: unknown) =>
      Effect.gen(function*() {
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "claude-session-" })
        const file = `${dir}/${name}`
        yield* fs.writeFileString(file, JSON.stringify(value), { mode: 0o600 })
        return file
      }).pipe(Effect.mapError((error) => IoError.fromCause("write a private config file", error.message)))
    const mcpConfigs: Array<string> = []
    if (typeof options.mcpConfig === "string") mcpConfigs.push(options.mcpConfig)
    const sdkServers = Object.fromEntries(
      extra.mcpServers.map((server) => [server.name, { type: "sdk", name: server.name }])
    )
    if (Predicate.isRecord(options.mcpConfig) || extra.mcpServers.length > 0) {
      const userConfig = Predicate.isRecord(options.mcpConfig) ? options.mcpConfig : {}
      const userServers = Predicate.isRecord(userConfig.mcpServers) ? userConfig.mcpServers : {}
      mcpConfigs.push(
        yield* privateFile("mcp.json", { ...userConfig, mcpServers: { ...userServers, ...sdkServers } })
      )
    }
    if (options.sandbox !== undefined && typeof options.settings === "string") {
      return yield* new InvalidOption({
        option: "sandbox",
        rule: "must come with settings given as an object (it is merged into them), not a settings file",
        value: JSON.stringify(options.sandbox).slice(0, 200)
      })
    }
    const settingsObject = options.sandbox !== undefined
      ? { ...(Predicate.isRecord(options.settings) ? options.settings : {}), sandbox: options.sandbox }
      : options.settings
    const settings = Predicate.isRecord(settingsObject)
      ? yield* privateFile("settings.json", settingsObject)
      : settingsObject
    const argv = ClaudeOptions.toArgs({
      ...options,
      mcpConfig: undefined,
      settings,
      ...(extra.permissionPrompts && options.permissionPromptTool === undefined && options.permissionPrompts !== "none"
        ? { permissionPromptTool: "stdio" }
        : {})
    }, { viaInitialize: extra.controlProtocol })
    for (const config of mcpConfigs) argv.push("--mcp-config", config)
    return argv
  })
