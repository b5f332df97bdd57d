/**
 * Turn state: how many turns are open (user messages sent whose result has not arrived), how
 * many of our callbacks (permissions, hooks, MCP tools) are in flight, when the CLI last
 * printed, and the idle watchdog built on them. Idle means: no byte from the CLI for the
 * whole interval while a turn is open and no callback of ours is running.
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"

/** The session's turn state. */
export interface Activity {
  /** A user message is certain to reach the CLI. */
  readonly turnSent: () => void
  /** A result arrived. */
  readonly resultSeen: () => void
  readonly openTurns: () => number
  /** A callback of ours, counted as in flight from this call until it ends (run it). */
  readonly track: <A, E, R>(callback: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** The CLI printed something. */
  readonly touch: () => void
  /** Waits until no turn is open and no callback runs. */
  readonly awaitIdle: Effect.Effect<void>
  /** Waits until no callback runs. */
  readonly awaitCallbacks: Effect.Effect<void>
  /** How many waiters wait (an interrupted waiter is gone at once). */
  readonly waiting: () => number
  /** Wakes every waiter (the session ended: nothing more will happen). */
  readonly release: () => void
  /**
   * Returns when a turn is open, no callback runs and the CLI printed nothing for `idle`.
   * Sleeps on the current `Clock`, so a `TestClock` drives it.
   */
  readonly idleTimeout: (idle: Duration.Duration) => Effect.Effect<void>
}

/** New turn state: no turn open. */
export const make = (): Effect.Effect<Activity> =>
  Effect.map(Effect.clock, (clock) => {
    let open = 0
    let callbacks = 0
    let released = false
    let lastActivity = clock.unsafeCurrentTimeMillis()
    const waiters = new Set<{ readonly ready: () => boolean; readonly deferred: Deferred.Deferred<void> }>()
    const notify = () => {
      for (const waiter of waiters) {
        if (released || waiter.ready()) {
          waiters.delete(waiter)
          Deferred.unsafeDone(waiter.deferred, Effect.void)
        }
      }
    }
    const touch = () => {
      lastActivity = clock.unsafeCurrentTimeMillis()
    }
    const waitFor = (ready: () => boolean): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (released || ready()) return Effect.void
        const waiter = { ready, deferred: Deferred.unsafeMake<void>(FiberId.none) }
        waiters.add(waiter)
        return Effect.ensuring(Deferred.await(waiter.deferred), Effect.sync(() => waiters.delete(waiter)))
      })
    const isIdle = () => open === 0 && callbacks === 0
    return {
      turnSent: () => {
        open++
        touch()
      },
      resultSeen: () => {
        if (open > 0) open--
        notify()
      },
      openTurns: () => open,
      track: (callback) => {
        // counted from now, not from when a forked fiber gets to run it
        callbacks++
        return Effect.ensuring(
          callback,
          Effect.sync(() => {
            callbacks--
            // the idle interval starts again when our callback is done
            touch()
            notify()
          })
        )
      },
      touch,
      awaitIdle: waitFor(isIdle),
      awaitCallbacks: waitFor(() => callbacks === 0),
      waiting: () => waiters.size,
      release: () => {
        released = true
        notify()
      },
      idleTimeout: (idle) => {
        const millis = Duration.toMillis(idle)
        return Effect.suspend(function loop(): Effect.Effect<void> {
          const now = clock.unsafeCurrentTimeMillis()
          const watching = open > 0 && callbacks === 0
          if (watching && now - lastActivity >= millis) return Effect.void
          const wait = watching ? lastActivity + millis - now : millis
          return Effect.zipRight(clock.sleep(Duration.millis(Math.max(1, wait))), Effect.suspend(loop))
        })
      }
    }
  })
