/**
 * The control client: requests we send to the CLI (`initialize`, `interrupt`, `set_model`, …),
 * matched to their answers by request id, each under a time limit. A request is registered
 * before its line is written, so an answer can never arrive unmatched; when the session ends,
 * every waiting request fails at once.
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import type { IoError, NotConnected, ProcessExited } from "../ClaudeError.js"
import { ControlRequestError, Timeout } from "../ClaudeError.js"
import type { ControlResponse } from "../ClaudeEvent.js"

type Failure = NotConnected | ProcessExited | IoError

/** Correlates our control requests with the CLI's answers. */
export interface ControlClient {
  /** Sends a request and returns the answer's payload. */
  readonly request: (
    subtype: string,
    fields: Readonly<Record<string, unknown>>,
    timeout: Duration.DurationInput
  ) => Effect.Effect<unknown, Failure | Timeout | ControlRequestError>
  /** Hands an answer to its request; false when no request waits for it. */
  readonly resolve: (response: ControlResponse) => boolean
  /** Fails every waiting request. */
  readonly failAll: (error: Failure) => void
}

/** A control client writing through `write`; `ended` gives the error once the session ended. */
export const make = (options: {
  readonly write: (message: Record<string, unknown>, operation: string) => Effect.Effect<void, NotConnected | IoError>
  readonly ended: (operation: string) => NotConnected | undefined
  readonly pid: number
}): ControlClient => {
  const pending = new Map<string, Deferred.Deferred<ControlResponse, Failure>>()
  let counter = 0
  const request: ControlClient["request"] = (subtype, fields, timeout) =>
    Effect.gen(function*() {
      // checked and registered in one step: failAll cannot run in between
      const registered = yield* Effect.sync(() => {
        const ended = options.ended(`control request ${subtype}`)
        if (ended !== undefined) return ended
        const requestId = `req_${++counter}_${options.pid.toString(36)}`
        const deferred = Deferred.unsafeMake<ControlResponse, Failure>(FiberId.none)
        pending.set(requestId, deferred)
        return { requestId, deferred }
      })
      if (!("requestId" in registered)) return yield* registered
      const { deferred, requestId } = registered
      const millis = Duration.toMillis(Duration.decode(timeout))
      const response = yield* options.write(
        { type: "control_request", request_id: requestId, request: { ...fields, subtype } },
        subtype
      ).pipe(
        Effect.zipRight(Deferred.await(deferred)),
        Effect.timeoutFail({
          duration: Duration.millis(millis),
          onTimeout: () => new Timeout({ operation: `control request ${subtype}`, millis })
        }),
        Effect.ensuring(Effect.sync(() => pending.delete(requestId)))
      )
      if (response.response.subtype === "error") {
        return yield* new ControlRequestError({ subtype, description: response.response.error })
      }
      return response.response.response
    }).pipe(
      Effect.withSpan(`ClaudeSession.control.${subtype}`, { attributes: { pid: options.pid }, captureStackTrace: false })
    )
  return {
    request,
    resolve: (response) => {
      const deferred = pending.get(response.response.request_id)
      if (deferred === undefined) return false
      pending.delete(response.response.request_id)
      Deferred.unsafeDone(deferred, Effect.succeed(response))
      return true
    },
    failAll: (error) => {
      for (const deferred of pending.values()) Deferred.unsafeDone(deferred, Effect.fail(error))
      pending.clear()
    }
  }
}
