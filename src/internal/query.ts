/**
 * A one-shot query's run: from the prompt until the CLI is done, not only until the first
 * result. The CLI can start turns on its own (a background task finishing wakes the model), so
 * after a result the run waits for the CLI's `session_state_changed` "idle" with no background
 * task left, then ends the input; the CLI finishes what it has and exits, and the events end
 * with the process. Stdin stays open until then, so that permission and hook requests of a
 * turn the CLI starts itself are answered. A CLI that reports no session state ends its input
 * at the first result; no "idle" within the ceiling after a result ends it too (as the
 * official SDK does).
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Predicate from "effect/Predicate"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ClaudeError } from "../ClaudeError.js"
import { ResultEvent, SystemMessage } from "../ClaudeEvent.js"
import type { ClaudeEvent } from "../ClaudeEvent.js"

/** What the run needs from a session. */
export interface QuerySession {
  readonly events: Stream.Stream<ClaudeEvent, ClaudeError>
  readonly endInput: Effect.Effect<void>
}

// after the last background task ended while idle: time for the CLI to start the turn it wakes
const settle = Duration.seconds(2)

/** The environment variable that makes the CLI report its session state (as the official SDK sets it). */
export const sessionStateEnv = "CLAUDE_CODE_SDK_READS_SESSION_STATE"

/** The environment variable that makes a resumed CLI re-run the turn that was interrupted. */
export const resumeInterruptedEnv = "CLAUDE_CODE_RESUME_INTERRUPTED_TURN"

/** The session's events until the CLI is done with the query. */
export const untilIdle = (
  session: QuerySession,
  ceiling: Duration.DurationInput
): Effect.Effect<Stream.Stream<ClaudeEvent, ClaudeError>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    let resultSeen = false
    let stateReported = false
    let idle = false
    let backgroundTasks = 0
    let ended = false
    let timer: Fiber.RuntimeFiber<void> | undefined

    const endInput = Effect.suspend(() => {
      if (ended) return Effect.void
      ended = true
      return Effect.asVoid(Effect.forkIn(session.endInput, scope))
    })
    const disarm = Effect.suspend(() => {
      const armed = timer
      timer = undefined
      return armed === undefined ? Effect.void : Fiber.interrupt(armed)
    })
    const arm = (after: Duration.DurationInput) =>
      Effect.zipRight(
        disarm,
        Effect.flatMap(
          Effect.forkIn(Effect.zipRight(Effect.sleep(after), endInput), scope),
          (fiber) => Effect.sync(() => (timer = fiber))
        )
      )

    const observe = (event: ClaudeEvent): Effect.Effect<void> => {
      if (ended) return Effect.void
      if (event instanceof ResultEvent) {
        resultSeen = true
        return stateReported ? arm(ceiling) : endInput
      }
      if (!(event instanceof SystemMessage)) return Effect.void
      if (event.subtype === "background_tasks_changed") {
        backgroundTasks = Array.isArray(event.data.tasks) ? event.data.tasks.length : 0
        // the last task ended: the CLI wakes the model at once, if it does at all
        return backgroundTasks === 0 && idle && resultSeen ? arm(settle) : Effect.void
      }
      if (event.subtype !== "session_state_changed" || !Predicate.isString(event.data.state)) return Effect.void
      stateReported = true
      idle = event.data.state === "idle"
      if (idle) return !resultSeen ? Effect.void : backgroundTasks === 0 ? endInput : arm(ceiling)
      // the model is waiting on us (a permission prompt): no ceiling meanwhile
      return event.data.state === "requires_action" ? disarm : resultSeen ? arm(ceiling) : Effect.void
    }

    return Stream.tap(session.events, observe)
  })
