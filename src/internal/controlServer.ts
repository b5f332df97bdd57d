/**
 * The control server: requests the CLI sends us (`can_use_tool`, `hook_callback`,
 * `mcp_message`, `elicitation`, `request_user_dialog`) answered by the user's callbacks, each in its own fiber so a slow callback
 * never holds up the reader, counted as in flight for the idle rules, and interrupted when
 * the CLI withdraws the request (`control_cancel_request`). A callback that fails or dies
 * answers with an error (a permission handler: a denial); nothing waits on the event readers.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberMap from "effect/FiberMap"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type { IoError, NotConnected } from "../ClaudeError.js"
import * as ClaudeControl from "../ClaudeControl.js"
import type { ControlCancelRequest, ControlRequest } from "../ClaudeEvent.js"
import * as McpTool from "../McpTool.js"
import type { Activity } from "./activity.js"

/** The user's callbacks, as the session was configured. */
export interface Handlers<R> {
  readonly canUseTool:
    | ((request: ClaudeControl.PermissionRequest) => Effect.Effect<ClaudeControl.PermissionDecision, unknown, R>)
    | undefined
  readonly hooks: ReadonlyMap<string, { readonly event: string; readonly matcher: ClaudeControl.HookMatcher<R> }>
  readonly mcpServers: ReadonlyArray<McpTool.McpServer<R>>
  /** Answers MCP elicitations; without it they are declined, as the official SDK does. */
  readonly onElicitation:
    | ((request: ClaudeControl.ElicitationRequest) => Effect.Effect<ClaudeControl.ElicitationResult, unknown, R>)
    | undefined
  /** Shows the dialogs of the declared kinds; other dialogs are left unanswered. */
  readonly onUserDialog:
    | ((request: ClaudeControl.UserDialogRequest) => Effect.Effect<ClaudeControl.UserDialogResult, unknown, R>)
    | undefined
  readonly supportedDialogKinds: ReadonlySet<string>
}

/** Answers the CLI's control requests. */
export interface ControlServer {
  readonly handle: (request: ControlRequest) => Effect.Effect<void>
  readonly cancel: (request: ControlCancelRequest) => Effect.Effect<void>
}

const describe = (cause: Cause.Cause<unknown>) =>
  Cause.isInterruptedOnly(cause) ? "interrupted" : Cause.pretty(cause).split("\n")[0] ?? "failed"

const permission = <R>(handlers: Handlers<R>, request: ControlRequest): Effect.Effect<unknown, string, R> =>
  Effect.gen(function*() {
    if (handlers.canUseTool === undefined) return yield* Effect.fail("no permission handler is configured")
    const decoded = yield* Schema.decodeUnknown(ClaudeControl.PermissionRequest)(request.request).pipe(
      Effect.mapError((error) => `malformed can_use_tool request: ${error.message}`)
    )
    const decision = yield* handlers.canUseTool(decoded).pipe(
      Effect.catchAllCause((cause) =>
        Effect.as(
          Effect.logWarning("the permission handler failed; denying", cause),
          ClaudeControl.deny(`permission handler failed: ${describe(cause)}`)
        )
      ),
      Effect.withSpan("ClaudeSession.canUseTool", { attributes: { tool: decoded.tool_name } })
    )
    return ClaudeControl.encodeDecision(decoded, decision)
  })

// A hook: the input decoded by its event (a typed event's input must match its Schema; an
// unknown event's is the generic HookInput) and checked against the event it was
// registered for, so each handler gets the input type its event promises.
const hook = <R>(handlers: Handlers<R>, request: ControlRequest): Effect.Effect<unknown, string, R> =>
  Effect.gen(function*() {
    const id = String(request.request.callback_id)
    const entry = handlers.hooks.get(id)
    if (entry === undefined) return yield* Effect.fail(`unknown hook callback ${id}`)
    const input = yield* ClaudeControl.decodeHookInput(request.request.input).pipe(
      Effect.mapError((error) => `malformed ${entry.event} hook input: ${error.message}`),
      Effect.tapError((error) => Effect.logWarning(error))
    )
    if (ClaudeControl.isHookEvent(entry.event) && input.hook_event_name !== entry.event) {
      return yield* Effect.fail(`hook ${id} is registered for ${entry.event}, not ${input.hook_event_name}`)
    }
    const toolUseId = typeof request.request.tool_use_id === "string" ? request.request.tool_use_id : undefined
    const run = entry.matcher.handler(input, toolUseId).pipe(
      Effect.catchAllCause((cause) => Effect.fail(`hook failed: ${describe(cause)}`))
    )
    const timeout = entry.matcher.timeout
    const limited = timeout === undefined ? run : run.pipe(
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () => `hook timed out after ${Duration.format(Duration.decode(timeout))}`
      })
    )
    return yield* limited.pipe(
      Effect.withSpan("ClaudeSession.hook", {
        attributes: { event: input.hook_event_name, "claude.hook.callback_id": id },
        captureStackTrace: false
      })
    )
  })

const mcp = <R>(handlers: Handlers<R>, request: ControlRequest): Effect.Effect<unknown, string, R> =>
  Effect.gen(function*() {
    const name = request.request.server_name
    const server = handlers.mcpServers.find((candidate) => candidate.name === name)
    if (server === undefined) return yield* Effect.fail(`unknown in-process MCP server ${String(name)}`)
    const response = yield* McpTool.handle(server, request.request.message)
    return { mcp_response: response ?? { jsonrpc: "2.0", result: {}, id: 0 } }
  })

const elicitation = <R>(handlers: Handlers<R>, request: ControlRequest): Effect.Effect<unknown, string, R> =>
  Effect.gen(function*() {
    const onElicitation = handlers.onElicitation
    if (onElicitation === undefined) return { action: "decline" }
    const decoded = yield* Schema.decodeUnknown(ClaudeControl.ElicitationRequest)(request.request).pipe(
      Effect.mapError((error) => `malformed elicitation: ${error.message}`)
    )
    return yield* onElicitation(decoded).pipe(
      Effect.catchAllCause((cause) => Effect.fail(`elicitation handler failed: ${describe(cause)}`)),
      Effect.withSpan("ClaudeSession.elicitation", {
        attributes: { "claude.mcp.server": decoded.mcp_server_name },
        captureStackTrace: false
      })
    )
  })

// A dialog is answered only by the handler of a kind we declared: an error answer is
// discarded by the CLI and "cancelled" would settle a dialog another client may show.
const userDialog = <R>(handlers: Handlers<R>, request: ControlRequest): Effect.Effect<unknown, string, R> | undefined => {
  const onUserDialog = handlers.onUserDialog
  const kind = request.request.dialog_kind
  if (onUserDialog === undefined || typeof kind !== "string" || !handlers.supportedDialogKinds.has(kind)) {
    return undefined
  }
  return Schema.decodeUnknown(ClaudeControl.UserDialogRequest)(request.request).pipe(
    Effect.mapError((error) => `malformed request_user_dialog: ${error.message}`),
    Effect.flatMap((decoded) =>
      onUserDialog(decoded).pipe(
        Effect.catchAllCause((cause) =>
          Effect.as(
            Effect.logWarning("the dialog handler failed; cancelling the dialog", cause),
            { behavior: "cancelled" } as const
          )
        ),
        Effect.withSpan("ClaudeSession.userDialog", {
          attributes: { "claude.dialog.kind": kind },
          captureStackTrace: false
        })
      )
    )
  )
}

/** A control server; its callbacks run in `R` (`context`) and end with the scope. */
export const make = <R>(options: {
  readonly handlers: Handlers<R>
  readonly context: Context.Context<R>
  readonly write: (message: Record<string, unknown>, operation: string) => Effect.Effect<void, NotConnected | IoError>
  readonly activity: Activity
}): Effect.Effect<ControlServer, never, Scope.Scope> =>
  Effect.map(FiberMap.make<string>(), (running) => {
    const { handlers } = options

    const answer = (requestId: string, response: Effect.Effect<unknown, string, R>) =>
      response.pipe(
        Effect.matchEffect({
          onFailure: (error) =>
            options.write({
              type: "control_response",
              response: { subtype: "error", request_id: requestId, error }
            }, "answer a control request"),
          onSuccess: (payload) =>
            options.write({
              type: "control_response",
              response: { subtype: "success", request_id: requestId, response: payload ?? {} }
            }, "answer a control request")
        }),
        Effect.catchAll((error) => Effect.logWarning(`could not answer control request ${requestId}`, error.message)),
        Effect.provide(options.context)
      )

    // a request the CLI sends again (after `reinitialize`) while its answer is on the way runs once
    const run = (requestId: string, response: Effect.Effect<unknown, string, R>) =>
      Effect.asVoid(
        FiberMap.run(running, requestId, options.activity.track(answer(requestId, response)), { onlyIfMissing: true })
      )

    return {
      handle: (request) => {
        const subtype = request.request.subtype
        if (subtype === "request_user_dialog") {
          const dialog = userDialog(handlers, request)
          return dialog === undefined
            ? Effect.logDebug(`request_user_dialog ${request.request_id} (${String(request.request.dialog_kind)}) left unanswered`)
            : run(request.request_id, dialog)
        }
        const response = subtype === "can_use_tool"
          ? permission(handlers, request)
          : subtype === "hook_callback"
          ? hook(handlers, request)
          : subtype === "mcp_message"
          ? mcp(handlers, request)
          : subtype === "elicitation"
          ? elicitation(handlers, request)
          : Effect.fail(`unsupported control request: ${subtype}`)
        return run(request.request_id, response)
      },
      cancel: (request) => FiberMap.remove(running, request.request_id)
    }
  })
