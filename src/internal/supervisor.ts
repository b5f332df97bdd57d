/**
 * Supervision: the watchers that decide how the session ends and act on it. The process
 * exiting ends the session once stdout is drained (or soon after, if a background child keeps
 * stdout open); stdout closing without an exit, a failed stdin pipe and the idle watchdog end
 * it too. A session that failed has its process ended at once.
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { ProcessExited, Timeout } from "../ClaudeError.js"
import type { Activity } from "./activity.js"
import type { Lifecycle, Terminal } from "./lifecycle.js"
import * as Process from "./process.js"

/** How long stdout may stay open after the process exited before the session ends anyway. */
export const drainAfterExit = Duration.millis(500)

/** Forks the watchers into the scope. */
export const start = (options: {
  readonly child: Process.Child
  readonly lifecycle: Lifecycle
  readonly activity: Activity
  readonly stdoutClosed: Deferred.Deferred<void>
  readonly grace: { readonly close: Duration.Duration; readonly term: Duration.Duration }
  readonly idleTimeout: Duration.Duration | undefined
}): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { activity, child, lifecycle } = options

    const exited = (status: Process.ExitStatus | undefined) =>
      Effect.gen(function*() {
        const open = activity.openTurns() > 0
        const clean = status !== undefined && status.exitCode === 0 && status.signal === null && !open
        const terminal: Terminal = lifecycle.stopping.value
          ? { reason: "Closed", error: undefined }
          : clean
          ? { reason: "ProcessExited", error: undefined }
          : {
            reason: "ProcessExited",
            error: new ProcessExited({
              pid: child.pid,
              exitCode: status?.exitCode ?? null,
              signal: status?.signal ?? null,
              turnOpen: open,
              stderrTail: yield* child.stderrTail
            })
          }
        lifecycle.terminate(terminal)
      })

    // the process exited: the session ends when stdout is drained, or soon after
    yield* child.exit.pipe(
      Effect.tap(() => Deferred.await(options.stdoutClosed).pipe(Effect.timeoutOption(drainAfterExit), Process.onWallClock)),
      Effect.flatMap(exited),
      Effect.forkScoped
    )

    // stdout closed: the process is exiting; without an exit within the close grace it is not
    yield* Deferred.await(options.stdoutClosed).pipe(
      Effect.zipRight(child.exit.pipe(Effect.timeoutOption(options.grace.close), Process.onWallClock)),
      Effect.flatMap((status) => Option.isNone(status) ? exited(undefined) : Effect.void),
      Effect.forkScoped
    )

    // a pipe that broke because the process died is the exit's business
    yield* child.writeFailed.pipe(
      Effect.flatMap((error) =>
        Effect.flatMap(child.exitOption, (status) =>
          Option.isSome(status)
            ? Effect.void
            : Effect.sync(() => lifecycle.terminate({ reason: "Failed", error })))
      ),
      Effect.forkScoped
    )

    const idle = options.idleTimeout
    if (idle !== undefined) {
      yield* activity.idleTimeout(idle).pipe(
        Effect.zipRight(Effect.sync(() =>
          lifecycle.terminate({
            reason: "Failed",
            error: new Timeout({ operation: "waiting for claude output during a turn", millis: Duration.toMillis(idle) })
          })
        )),
        Effect.raceFirst(lifecycle.await),
        Effect.forkScoped
      )
    }

    // a failed session has nothing left to say: end its process now
    yield* lifecycle.await.pipe(
      Effect.flatMap((terminal) =>
        terminal.reason === "Failed"
          ? Effect.asVoid(child.shutdown({ close: Duration.zero, term: options.grace.term }))
          : Effect.void
      ),
      Effect.forkScoped
    )
  })
