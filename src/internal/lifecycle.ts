/**
 * The session's lifecycle: one terminal state, entered once and in one place, with its cause.
 * Whatever ends the session (the process exiting, a bad line, a failed pipe, the idle
 * watchdog, a buffer overflow, a close) goes through `terminate`; every later send, request
 * and read fails at once with an error naming that cause.
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import type { ClaudeError } from "../ClaudeError.js"
import { IoError, NotConnected, ProcessExited } from "../ClaudeError.js"

/** How the session ended. */
export interface Terminal {
  /** What later operations report: we closed it, the process exited, or something failed. */
  readonly reason: "Closed" | "ProcessExited" | "Failed"
  /** How reads end: cleanly (`undefined`) or with this error. */
  readonly error: ClaudeError | undefined
}

/** The terminal state and its listeners. */
export interface Lifecycle {
  /** The terminal state, once entered. */
  readonly current: () => Terminal | undefined
  /** Enters the terminal state; only the first call counts. Runs the listeners at once. */
  readonly terminate: (terminal: Terminal) => void
  /** Registers a listener run once, when the terminal state is entered. */
  readonly onTerminate: (listener: (terminal: Terminal) => void) => void
  /** Waits for the terminal state. */
  readonly await: Effect.Effect<Terminal>
  /** Set when we end the process ourselves: its exit is then not an error. */
  readonly stopping: { value: boolean }
  /** The error an operation gets once the session ended. */
  readonly notConnected: (terminal: Terminal, operation: string) => NotConnected
  /** The `NotConnected` an operation gets once the session ended; `undefined` before. */
  readonly ended: (operation: string) => NotConnected | undefined
  /** Fails with `NotConnected` once the session ended. */
  readonly guard: (operation: string) => Effect.Effect<void, NotConnected>
  /** The error a waiting control request gets: a process death or a pipe failure as is. */
  readonly requestError: (terminal: Terminal) => NotConnected | ProcessExited | IoError
}

/** A new lifecycle, not yet ended. */
export const make = (): Lifecycle => {
  let terminal: Terminal | undefined
  const listeners: Array<(terminal: Terminal) => void> = []
  const ended = Deferred.unsafeMake<Terminal>(FiberId.none)
  const notConnected = (terminal: Terminal, operation: string) =>
    new NotConnected({
      reason: terminal.reason,
      operation,
      ...(terminal.error !== undefined ? { cause: terminal.error } : {})
    })
  return {
    current: () => terminal,
    terminate: (next) => {
      if (terminal !== undefined) return
      terminal = next
      for (const listener of listeners.splice(0)) listener(next)
      Deferred.unsafeDone(ended, Effect.succeed(next))
    },
    onTerminate: (listener) => {
      if (terminal !== undefined) listener(terminal)
      else listeners.push(listener)
    },
    await: Deferred.await(ended),
    stopping: { value: false },
    notConnected,
    ended: (operation) => terminal === undefined ? undefined : notConnected(terminal, operation),
    guard: (operation) =>
      Effect.suspend(() => terminal === undefined ? Effect.void : Effect.fail(notConnected(terminal, operation))),
    requestError: (terminal) =>
      terminal.error instanceof ProcessExited || terminal.error instanceof IoError
        ? terminal.error
        : notConnected(terminal, "control request")
  }
}
