/**
 * What the running CLI can do: its version and capabilities (from the `initialize` answer and
 * the `init` message), and the check that fails an operation at once with `Unsupported`
 * instead of sending a request the CLI cannot serve.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Unsupported } from "../ClaudeError.js"
import * as ClaudeControl from "../ClaudeControl.js"
import type * as Event from "../ClaudeEvent.js"

/** Where the CLI told us about itself. */
export interface Sources {
  readonly controlProtocol: boolean
  readonly initialization: () => Option.Option<ClaudeControl.InitializeResponse>
  readonly init: () => Option.Option<Event.SystemInit>
}

/** The CLI's version, from `initialize` or the `init` message. */
export const cliVersion = (sources: Sources): Option.Option<string> =>
  Option.orElse(
    Option.flatMapNullable(sources.initialization(), (response) => response.claude_code_version),
    () => Option.flatMapNullable(sources.init(), (event) => event.claude_code_version)
  )

/** The capabilities the CLI advertised. */
export const capabilities = (sources: Sources): ReadonlySet<string> => {
  const all = new Set<string>()
  for (const capability of Option.match(sources.initialization(), { onNone: () => [], onSome: (r) => r.capabilities })) {
    all.add(capability)
  }
  const fromInit = Option.flatMapNullable(sources.init(), (event) => event.capabilities)
  if (Option.isSome(fromInit) && Array.isArray(fromInit.value)) {
    for (const capability of fromInit.value) if (typeof capability === "string") all.add(capability)
  }
  return all
}

/** Fails with `Unsupported` when the CLI cannot serve `operation`. */
export const check = (
  sources: Sources,
  operation: string,
  requirement: ClaudeControl.Requirement | undefined
): Effect.Effect<void, Unsupported> =>
  Effect.suspend(() => {
    if (!sources.controlProtocol) {
      return Effect.fail(
        new Unsupported({ operation, requires: "the control protocol (controlProtocol: true)", cliVersion: null })
      )
    }
    const version = Option.getOrNull(cliVersion(sources))
    if (requirement?.capability !== undefined && !capabilities(sources).has(requirement.capability)) {
      return Effect.fail(
        new Unsupported({ operation, requires: `the capability ${requirement.capability}`, cliVersion: version })
      )
    }
    if (
      requirement?.minVersion !== undefined && version !== null &&
      ClaudeControl.compareVersions(version, requirement.minVersion) < 0
    ) {
      return Effect.fail(
        new Unsupported({ operation, requires: `claude ${requirement.minVersion} or newer`, cliVersion: version })
      )
    }
    return Effect.void
  })

/** A warning when the CLI is older than the version this library is tested with. */
export const warnIfOlder = (sources: Sources): Effect.Effect<void> =>
  Effect.suspend(() => {
    const version = Option.getOrNull(cliVersion(sources))
    return version !== null && ClaudeControl.compareVersions(version, ClaudeControl.testedCliVersion) < 0
      ? Effect.logWarning(
        `claude ${version} is older than ${ClaudeControl.testedCliVersion}, the version effect-claude-session is tested with: ` +
          "it runs, but operations it lacks fail with Unsupported; upgrade @anthropic-ai/claude-code"
      )
      : Effect.void
  })
