import { NodeContext } from "@effect/platform-node"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Tracer from "effect/Tracer"
import fs from "node:fs"
import { createRequire } from "node:module"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import * as ClaudeSession from "../src/ClaudeSession.js"

/** The fake CLI fixture. */
export const fakeCli = fileURLToPath(new URL("./fixtures/fake-cli.mjs", import.meta.url))

/** A fresh temporary directory, removed when the process exits. */
export const tempDir = (prefix = "ecs-test-") => fs.mkdtempSync(path.join(os.tmpdir(), prefix))

/** The JSON-lines record the fake CLI writes. */
export const readRecord = (file: string): Array<Record<string, unknown>> =>
  fs.existsSync(file)
    ? fs.readFileSync(file, "utf8").split("\n").filter((line) => line.length > 0).map((line) => JSON.parse(line))
    : []

/** The stdin lines the fake CLI received, parsed. */
export const stdinLines = (file: string): Array<Record<string, unknown>> =>
  readRecord(file).filter((entry) => entry.kind === "stdin").map((entry) => JSON.parse(entry.line as string))

/** Whether a process exists (signal 0 probe). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Waits (bounded) until a pid is gone; fails if it is still there after ~5 s. */
export const awaitGone = (pid: number) =>
  Effect.suspend(() => (isAlive(pid) ? Effect.fail(`pid ${pid} still alive`) : Effect.void)).pipe(
    Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 250 })
  )

/** Options to run a session against the fake CLI with a scenario. */
export const fakeOptions = (
  scenario: Record<string, unknown> = {},
  extra: ClaudeSession.MakeOptions & { readonly record?: string } = {}
): ClaudeSession.MakeOptions => {
  const { record, ...rest } = extra
  return {
    executable: fakeCli,
    closeGracePeriod: "2 seconds",
    terminateGracePeriod: "2 seconds",
    ...rest,
    env: {
      FAKE_SCENARIO: JSON.stringify(scenario),
      ...(record !== undefined ? { FAKE_RECORD: record } : {}),
      ...rest.env
    }
  }
}

/** A session on the fake CLI, in the current scope. */
export const fakeSession = (
  scenario: Record<string, unknown> = {},
  extra: ClaudeSession.MakeOptions & { readonly record?: string } = {}
) => ClaudeSession.make(fakeOptions(scenario, extra))

/** The platform services the real process path needs. */
export const platform = NodeContext.layer

/** The real claude binary of the pinned `@anthropic-ai/claude-code` devDependency, found through its package. */
export const claudeBin = (() => {
  const require = createRequire(import.meta.url)
  const manifest = require.resolve("@anthropic-ai/claude-code/package.json")
  const bin = (JSON.parse(fs.readFileSync(manifest, "utf8")) as { bin: Record<string, string> }).bin.claude!
  return path.join(path.dirname(manifest), bin)
})()

/** The pids of this process's live children whose command is claude. */
export const claudeChildren = () =>
  fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry)).flatMap((pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      return Number(fields[1]) === process.pid && fs.realpathSync(`/proc/${pid}/exe`) === fs.realpathSync(claudeBin)
        ? [Number(pid)]
        : []
    } catch {
      return []
    }
  })

/** A span as the recording tracer saw it. */
export interface RecordedSpan {
  readonly name: string
  readonly parent: string | undefined
  readonly attributes: Map<string, unknown>
  ended: boolean
}

/** A tracer that records every span (name, parent, attributes, ended). */
export const recordingTracer = () => {
  const spans: Array<RecordedSpan> = []
  let counter = 0
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const recorded: RecordedSpan = {
        name,
        parent: Option.match(parent, { onNone: () => undefined, onSome: (span) => span.spanId }),
        attributes: new Map(),
        ended: false
      }
      spans.push(recorded)
      const spanId = `span-${++counter}`
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId,
        traceId: "trace",
        parent,
        context,
        status: { _tag: "Started", startTime },
        attributes: recorded.attributes,
        links,
        sampled: true,
        kind,
        end: () => {
          recorded.ended = true
        },
        attribute: (key, value) => {
          recorded.attributes.set(key, value)
        },
        event: () => {},
        addLinks: () => {}
      }
      ;(recorded as { id?: string }).id = spanId
      return span
    },
    context: (f) => f()
  })
  return { spans, tracer }
}
