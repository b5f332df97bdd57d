/**
 * The line router: stdout lines → events for the readers, control messages for the control
 * client and server, and what the session learns on the way (results, `init`, the
 * session id). Pure but for the assembler's state: it performs nothing.
 *
 * @internal
 */
import * as Either from "effect/Either"
import type { InvalidJson, ProtocolError } from "../ClaudeError.js"
import * as Event from "../ClaudeEvent.js"

/** What one batch of lines carried. */
export interface Routed {
  readonly events: Array<Event.ClaudeEvent>
  /** The length of the lines of `events`, in characters. */
  readonly bytes: number
  /** How many of `events` are partial-message deltas (`stream_event`). */
  readonly streamEvents: number
  /** The other events, in order (few: messages, results, system events). */
  readonly others: Array<Event.ClaudeEvent>
  /** Control messages, in order. */
  readonly control: Array<Event.ControlMessage>
  readonly results: number
  readonly init: Event.SystemInit | undefined
  readonly sessionId: string | undefined
  /** The bad line that ends the session (lines after it are not routed). */
  readonly failure: InvalidJson | ProtocolError | undefined
  /** Bad lines skipped (when the session skips them). */
  readonly skipped: Array<InvalidJson | ProtocolError>
  /** `transcript_mirror` frames (`--session-mirror`): for the transcript store, not events. */
  readonly mirror: Array<Event.UnknownEvent> | undefined
}

/** Routes a batch of lines. */
export const route = (
  lines: ReadonlyArray<string>,
  options: {
    readonly assemble: (event: Event.StreamEvent) => Event.StreamEvent
    readonly skipBadLines: boolean
  }
): Routed => {
  const events: Array<Event.ClaudeEvent> = []
  const control: Array<Event.ControlMessage> = []
  const skipped: Array<InvalidJson | ProtocolError> = []
  const others: Array<Event.ClaudeEvent> = []
  let bytes = 0
  let streamEvents = 0
  let results = 0
  let init: Event.SystemInit | undefined
  let sessionId: string | undefined
  let failure: InvalidJson | ProtocolError | undefined
  let mirror: Array<Event.UnknownEvent> | undefined
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.length === 0) continue
    const decoded = Event.decodeLine(line)
    if (Either.isLeft(decoded)) {
      if (options.skipBadLines) {
        skipped.push(decoded.left)
        continue
      }
      failure = decoded.left
      break
    }
    const event = decoded.right
    // most lines are partial-message deltas: test for them first
    if (event instanceof Event.StreamEvent) {
      events.push(options.assemble(event))
      bytes += line.length
      streamEvents++
      continue
    }
    if (
      event instanceof Event.ControlResponse || event instanceof Event.ControlRequest ||
      event instanceof Event.ControlCancelRequest
    ) {
      control.push(event)
      continue
    }
    // a parked spare's heartbeat (`--await-claim`): transport, not an event
    if (event instanceof Event.UnknownEvent && event.type === "keep_alive") continue
    if (event instanceof Event.UnknownEvent && event.type === "transcript_mirror") {
      ;(mirror ??= []).push(event)
      continue
    }
    if (event instanceof Event.ResultEvent) {
      results++
      sessionId = event.session_id
    } else if (event instanceof Event.SystemInit) {
      init = event
      sessionId = event.session_id
    }
    events.push(event)
    others.push(event)
    bytes += line.length
  }
  return { events, bytes, streamEvents, others, control, results, init, sessionId, failure, skipped, mirror }
}
