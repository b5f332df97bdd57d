/**
 * Warm sessions: a pool of `claude` processes started ahead of need, each handed out once to
 * a scope and replaced in the background when that scope closes, so that a request-per-session
 * app does not pay the CLI's start-up on every request.
 *
 * Two ways to be warm, chosen by `warm` (default `"auto"`):
 * - `"initialized"`: processes spawned with the pool's options and past `initialize`, waiting
 *   for their first message. The fastest; a claim that needs other options (another `cwd`, a
 *   system prompt) is served by a fresh process instead, in a spare's slot.
 * - `"claim"`: spares parked with `--await-claim` in a private folder, claimed with the values
 *   the CLI accepts at claim time (`cwd`, permission mode, system prompt, title, extra
 *   directories), then `setModel`. For apps whose `cwd` is only known per request. `"auto"`
 *   picks it when the pool's options have no `cwd` (and no resume), and falls back to
 *   `"initialized"` on a CLI without `--await-claim`.
 *
 * Bounds: `maxSessions` live processes in all (spares and handed out; `session` waits, in
 * order, for one, up to `acquireTimeout`), `spares` kept ready, a spare lives at most
 * `spareTimeToLive`, `refillConcurrency` processes start at once. A spare that dies or
 * expires is ended and replaced, never handed out. A handed-out process is never given to
 * anyone else: it holds a conversation.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Queue from "effect/Queue"
import * as Scope from "effect/Scope"
import type { ClaudeError } from "./ClaudeError.js"
import { ClaimRefused, ControlRequestError, InvalidOption, Timeout } from "./ClaudeError.js"
import type * as ClaudeOptions from "./ClaudeOptions.js"
import * as ClaudeSession from "./ClaudeSession.js"

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

/**
 * What one handed-out session is for: the values a warm process takes when it is claimed.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Claim {
  /** The folder the session works in (default: the pool's `cwd`, else the app's). */
  readonly cwd?: string | undefined
  readonly permissionMode?: ClaudeOptions.PermissionMode | undefined
  readonly systemPrompt?: string | undefined
  readonly appendSystemPrompt?: string | undefined
  /** The session's title in session lists. */
  readonly title?: string | undefined
  /** More folders the session may read and edit. */
  readonly additionalDirectories?: ReadonlyArray<string> | undefined
  /** The model, set once the session is taken. */
  readonly model?: string | undefined
}

/**
 * How spares are kept warm (see the module's description).
 *
 * @since 0.1.0
 * @category Models
 */
export type WarmMode = "initialized" | "claim"

/**
 * The pool's settings.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options<R = never> {
  /** The options of every session the pool starts. */
  readonly session?: ClaudeSession.MakeOptions<R> | undefined
  /** Spares kept ready (default 1). */
  readonly spares?: number | undefined
  /** Live processes in all, spares and handed-out sessions (default 4). */
  readonly maxSessions?: number | undefined
  /** A spare not handed out within this time is ended and replaced (default 15 minutes). */
  readonly spareTimeToLive?: Duration.DurationInput | undefined
  /** Processes started at once (default 1). */
  readonly refillConcurrency?: number | undefined
  /**
   * How long after a hand-out the pool waits before starting its replacement (default 1
   * second), so that the CLI's CPU-heavy start-up does not slow the first turn of the session
   * just handed out. A caller waiting for a session is never delayed by it.
   */
  readonly refillDelay?: Duration.DurationInput | undefined
  /** How long `session` waits for a process before failing with `Timeout` (default: no limit). */
  readonly acquireTimeout?: Duration.DurationInput | undefined
  /** `"auto"` (default), `"initialized"` or `"claim"`. */
  readonly warm?: "auto" | WarmMode | undefined
}

/**
 * A snapshot of the pool.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Stats {
  readonly mode: WarmMode
  readonly spares: number
  readonly inUse: number
  readonly starting: number
  readonly waiting: number
}

/**
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  /**
   * A warm session for the current scope, claimed with `claim`; when the scope closes its
   * process is ended (within the session's grace periods) and the pool refills.
   */
  readonly session: (claim?: Claim) => Effect.Effect<ClaudeSession.Service, ClaudeError, Scope.Scope>
  /** Runs `use` with a warm session, released when it ends. */
  readonly withSession: <A, E, R>(
    use: (session: ClaudeSession.Service) => Effect.Effect<A, E, R>,
    claim?: Claim
  ) => Effect.Effect<A, E | ClaudeError, Exclude<R, Scope.Scope>>
  readonly stats: Effect.Effect<Stats>
}

/**
 * The pool as a service.
 *
 * @since 0.1.0
 * @category Tags
 */
export class ClaudeSessionPool extends Context.Tag("effect-claude-session/ClaudeSessionPool")<
  ClaudeSessionPool,
  Service
>() {}

/**
 * Starts one process for the pool, in the current scope, warm in the given way.
 *
 * @since 0.1.0
 * @category Models
 */
export type Spawn<R> = (mode: WarmMode) => Effect.Effect<ClaudeSession.Service, ClaudeError, R | Scope.Scope>

// ---------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------

/** @since 0.1.0 @category Metrics */
export const sparesGauge = Metric.gauge("claude_pool_spares", { description: "warm sessions ready to be handed out" })
/** @since 0.1.0 @category Metrics */
export const inUseGauge = Metric.gauge("claude_pool_in_use", { description: "pooled sessions handed out" })
/** @since 0.1.0 @category Metrics */
export const waitingGauge = Metric.gauge("claude_pool_waiting", { description: "callers waiting for a pooled session" })

const millis = MetricBoundaries.exponential({ start: 1, factor: 2, count: 16 })
/** @since 0.1.0 @category Metrics */
export const acquireLatency = Metric.histogram("claude_pool_acquire_ms", millis, "time from asking for a session to having it")
/** @since 0.1.0 @category Metrics */
export const readyLatency = Metric.histogram("claude_pool_spawn_ready_ms", millis, "time from spawning a spare to its being ready")

// ---------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------

interface Spare {
  session: ClaudeSession.Service
  scope: Scope.CloseableScope
  /** `keepPermit`: the slot passes to a fresh process (a claim the spare cannot serve). */
  readonly slot: { keepPermit: boolean }
  state: "ready" | "taken" | "gone"
  watcher: Fiber.RuntimeFiber<void> | undefined
}

/** A changed-state signal: waiters wake on the next change. */
const makeSignal = () => {
  let current = Deferred.unsafeMake<void>(FiberId.none)
  return {
    notify: () => {
      const done = current
      current = Deferred.unsafeMake<void>(FiberId.none)
      Deferred.unsafeDone(done, Effect.void)
    },
    changed: Effect.suspend(() => Deferred.await(current))
  }
}

// the CLI's refusals that the caller can fix; any other leaves the spare unusable
const callerFaults = new Set([
  "cwd_not_found",
  "env_key_not_claimable",
  "permission_mode_not_claimable",
  "project_settings_not_claimable"
])

const refusalOf = (error: ClaudeError): { readonly reason: string; readonly description: string } | undefined => {
  if (!(error instanceof ControlRequestError)) return undefined
  const reason = /^([a-z_]+):/.exec(error.description)?.[1]
  return reason === undefined ? undefined : { reason, description: error.description }
}

const count = (value: number | undefined, fallback: number, name: string, least: number) => {
  const n = value ?? fallback
  return Number.isInteger(n) && n >= least
    ? Effect.succeed(n)
    : Effect.fail(new InvalidOption({ option: name, rule: `must be an integer of at least ${least}`, value: String(value) }))
}

/**
 * A pool over any session factory: {@link make} uses the real CLI, tests use the scripted
 * session (`ClaudeSessionTest.poolLayer`).
 *
 * @since 0.1.0
 * @category Constructors
 */
export const makeWith = <R>(
  spawn: Spawn<R>,
  options: Omit<Options, "session"> & {
    /** The `cwd` spares are started in ("initialized" mode), to tell which claims they serve. */
    readonly cwd?: string | undefined
    /** A claim a spare cannot serve: a fresh process with these values. */
    readonly spawnFor?: ((claim: Claim) => Effect.Effect<ClaudeSession.Service, ClaudeError, R | Scope.Scope>) | undefined
    /** Whether a failed "claim" spawn means the CLI has no `--await-claim` (fall back). */
    readonly claimUnsupported?: ((error: ClaudeError) => boolean) | undefined
  } = {}
): Effect.Effect<Service, InvalidOption, R | Scope.Scope | Path.Path> =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const target = yield* count(options.spares, 1, "spares", 0)
    const max = yield* count(options.maxSessions, 4, "maxSessions", 1)
    const concurrency = yield* count(options.refillConcurrency, 1, "refillConcurrency", 1)
    const ttl = Duration.decode(options.spareTimeToLive ?? Duration.minutes(15))
    const refillDelay = Duration.toMillis(Duration.decode(options.refillDelay ?? Duration.seconds(1)))
    let lastHandOut = Number.NEGATIVE_INFINITY
    let mode: WarmMode = options.warm === "claim" ? "claim" : "initialized"
    const outer = yield* Effect.scope
    // closing the pool ends every process at once, not one after another
    const poolScope = yield* Scope.fork(outer, ExecutionStrategy.parallel)
    const context = yield* Effect.context<R>()
    const permits = yield* Effect.makeSemaphore(max)
    const ready = yield* Queue.unbounded<Exit.Exit<Spare, ClaudeError>>()
    const signal = makeSignal()
    const counts = { ready: 0, inUse: 0, starting: 0, waiting: 0 }
    const report = () => {
      sparesGauge.unsafeUpdate(counts.ready, [])
      inUseGauge.unsafeUpdate(counts.inUse, [])
      waitingGauge.unsafeUpdate(counts.waiting, [])
      signal.notify()
    }

    // --- one process, in its own scope, holding one permit for its whole life ---------------
    const start = (make: Effect.Effect<ClaudeSession.Service, ClaudeError, R | Scope.Scope>) =>
      Effect.gen(function*() {
        const scope = yield* Scope.fork(poolScope, ExecutionStrategy.sequential)
        const slot = { keepPermit: false }
        yield* Scope.addFinalizer(scope, Effect.suspend(() => (slot.keepPermit ? Effect.void : permits.release(1))))
        const session = yield* make.pipe(
          Scope.extend(scope),
          Effect.provide(context),
          Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause)))
        )
        const spare: Spare = { session, scope, slot, state: "ready", watcher: undefined }
        return spare
      })

    // a spare ended while waiting (dead, or past its time to live) is never handed out
    const retire = (spare: Spare) =>
      Effect.suspend(() => {
        if (spare.state !== "ready") return Effect.void
        spare.state = "gone"
        counts.ready--
        report()
        return Scope.close(spare.scope, Exit.void)
      })

    // the process exits, or its time to live ends: either way it is retired
    const watch = (spare: Spare) =>
      Effect.either(spare.session.awaitExit({ timeout: ttl })).pipe(
        Effect.zipRight(retire(spare)),
        Effect.forkIn(poolScope),
        Effect.map((fiber) => {
          spare.watcher = fiber
        })
      )

    // --- refill: keep `spares` ready, more while callers wait, never over `maxSessions` -----
    const needed = () => counts.ready + counts.starting < Math.max(target, counts.waiting)
    const someoneWaits = Effect.gen(function*() {
      while (counts.waiting === 0) yield* signal.changed
    })
    const spawnSpare = Effect.gen(function*() {
      const startedAt = yield* Clock.currentTimeMillis
      const spare = yield* start(spawn(mode)).pipe(
        Effect.withSpan("ClaudeSessionPool.spawn", { attributes: { mode }, captureStackTrace: false })
      )
      yield* Metric.update(readyLatency, (yield* Clock.currentTimeMillis) - startedAt)
      counts.ready++
      yield* watch(spare)
      yield* Queue.offer(ready, Exit.succeed(spare))
    })
    const refill: Effect.Effect<never> = Effect.gen(function*() {
      let backoff = Duration.millis(250)
      while (true) {
        while (!needed()) yield* signal.changed
        const pause = lastHandOut + refillDelay - (yield* Clock.currentTimeMillis)
        if (counts.waiting === 0 && pause > 0) {
          yield* Effect.raceFirst(Effect.sleep(pause), someoneWaits)
          continue
        }
        yield* permits.take(1)
        if (!needed()) {
          yield* permits.release(1)
          continue
        }
        counts.starting++
        report()
        const result = yield* Effect.exit(spawnSpare)
        counts.starting--
        report()
        if (Exit.isSuccess(result)) {
          backoff = Duration.millis(250)
          continue
        }
        const error = Cause.failureOption(result.cause)
        if (mode === "claim" && Option.isSome(error) && options.claimUnsupported?.(error.value) === true) {
          yield* Effect.logWarning("this claude cannot park spares (--await-claim); keeping initialized sessions instead")
          mode = "initialized"
          continue
        }
        yield* Effect.logWarning("a pooled claude failed to start", result.cause)
        // a caller waiting gets the failure instead of waiting for ever
        if (counts.waiting > 0 && Option.isSome(error)) yield* Queue.offer(ready, Exit.fail(error.value))
        yield* Effect.sleep(backoff)
        backoff = Duration.min(Duration.times(backoff, 2), Duration.seconds(30))
      }
    })
    for (let i = 0; i < concurrency; i++) {
      yield* Effect.forkIn(refill, poolScope)
    }

    // --- handing out -------------------------------------------------------------------------
    // Only the wait on the queue is interruptible (an interrupted take consumes nothing); from
    // the moment a spare is taken until the caller's scope owns it, nothing can lose it.
    const awaitQueue = (deadline: number | undefined) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        if (deadline === undefined) return Queue.take(ready)
        const waited = options.acquireTimeout === undefined ? 0 : Duration.toMillis(Duration.decode(options.acquireTimeout))
        return Queue.take(ready).pipe(
          Effect.timeoutFail({
            duration: Duration.millis(Math.max(0, deadline - now)),
            onTimeout: () => new Timeout({ operation: "wait for a pooled session", millis: waited })
          })
        )
      })

    const handOut = (scope: Scope.Scope, lease: { returned: boolean }) =>
      Effect.uninterruptibleMask((restore) => {
        const next = (deadline: number | undefined): Effect.Effect<Spare, ClaudeError> =>
          Effect.gen(function*() {
            const taken = yield* restore(awaitQueue(deadline))
            if (Exit.isFailure(taken)) return yield* taken
            const spare = taken.value
            if (spare.state !== "ready") return yield* next(deadline)
            // a process that died a moment ago, before its watcher saw it, is not handed out either
            if (yield* spare.session.isFinished) {
              yield* retire(spare)
              return yield* next(deadline)
            }
            spare.state = "taken"
            counts.ready--
            counts.inUse++
            report()
            lastHandOut = yield* Clock.currentTimeMillis
            if (spare.watcher !== undefined) yield* Fiber.interruptFork(spare.watcher)
            yield* Scope.addFinalizer(scope, Effect.suspend(() => lease.returned ? Effect.void : release(spare)))
            return spare
          })
        return Effect.gen(function*() {
          const timeout = options.acquireTimeout
          const deadline = timeout === undefined
            ? undefined
            : (yield* Clock.currentTimeMillis) + Duration.toMillis(Duration.decode(timeout))
          counts.waiting++
          report()
          return yield* next(deadline)
        }).pipe(
          Effect.ensuring(Effect.sync(() => {
            counts.waiting--
            report()
          }))
        )
      })

    const release = (spare: Spare) =>
      Effect.suspend(() => {
        counts.inUse--
        report()
        return Scope.close(spare.scope, Exit.void)
      })

    const serves = (claim: Claim) =>
      mode === "claim" || (
        (claim.cwd === undefined || path.resolve(claim.cwd) === path.resolve(options.cwd ?? globalThis.process.cwd())) &&
        claim.systemPrompt === undefined && claim.appendSystemPrompt === undefined &&
        claim.additionalDirectories === undefined
      )

    // A spare that turns out unusable at its claim (claimed already, or any refusal that is not
    // the caller's) is ended and the next one tried, a few times at most.
    const session = (claim: Claim = {}): Effect.Effect<ClaudeSession.Service, ClaudeError, Scope.Scope> =>
      Effect.gen(function*() {
        const startedAt = yield* Clock.currentTimeMillis
        const scope = yield* Effect.scope
        const fresh = !serves(claim) && options.spawnFor !== undefined
        let attempt = 0
        while (true) {
          // this hand-out; `returned` once the spare went back to the pool or was ended early
          const lease = { returned: false }
          const spare = yield* handOut(scope, lease)
          const taken = yield* Effect.either(
            fresh && options.spawnFor !== undefined
              ? freshInSlot(spare, options.spawnFor(claim))
              : mode === "claim"
              ? claimSpare(spare, claim, lease)
              : configure(spare.session, claim)
          )
          if (taken._tag === "Right") {
            yield* Metric.update(acquireLatency, (yield* Clock.currentTimeMillis) - startedAt)
            return taken.right
          }
          const error = taken.left
          const unusable = !lease.returned && mode === "claim" && refusalOf(error) !== undefined
          if (!unusable || ++attempt >= 3) return yield* Effect.fail(error)
          yield* Effect.logWarning("a pooled spare refused its claim; ending it and taking another", error.message)
          lease.returned = true
          yield* release(spare)
        }
      }).pipe(
        Effect.withSpan("ClaudeSessionPool.session", { attributes: { mode }, captureStackTrace: false })
      )

    // A claim a spare cannot serve takes the spare's slot: the spare ends, a fresh process
    // with the claim's values starts under the same permit.
    const freshInSlot = (spare: Spare, make: Effect.Effect<ClaudeSession.Service, ClaudeError, R | Scope.Scope>) =>
      Effect.gen(function*() {
        spare.slot.keepPermit = true
        yield* Scope.close(spare.scope, Exit.void)
        const fresh = yield* start(make)
        spare.scope = fresh.scope
        spare.session = fresh.session
        return fresh.session
      })

    // A spare the caller's claim was refused by goes back, still parked and claimable.
    const claimSpare = (
      spare: Spare,
      claim: Claim,
      lease: { returned: boolean }
    ): Effect.Effect<ClaudeSession.Service, ClaudeError> =>
      Effect.gen(function*() {
        const answer = yield* spare.session.request("claim_session", claimFields(claim, path)).pipe(
          Effect.catchAll((error): Effect.Effect<never, ClaudeError> => {
            const refusal = refusalOf(error)
            if (refusal === undefined || !callerFaults.has(refusal.reason)) return Effect.fail(error)
            return Effect.zipRight(
              Effect.suspend(() => {
                lease.returned = true
                spare.state = "ready"
                counts.inUse--
                counts.ready++
                report()
                return Effect.zipRight(watch(spare), Queue.offer(ready, Exit.succeed(spare)))
              }),
              Effect.fail(new ClaimRefused(refusal))
            )
          })
        )
        const initialize = Predicate.isRecord(answer) ? answer.initialize : undefined
        const session = initialize === undefined ? spare.session : {
          ...spare.session,
          ...ClaudeSession.initializationFields(Option.some(yield* ClaudeSession.decodeInitializeResponse(initialize)))
        }
        return yield* configure(session, { model: claim.model })
      })

    return {
      session,
      withSession: (use, claim) => Effect.scoped(Effect.flatMap(session(claim), use)),
      stats: Effect.sync(() => ({
        mode,
        spares: counts.ready,
        inUse: counts.inUse,
        starting: counts.starting,
        waiting: counts.waiting
      }))
    } satisfies Service
  })

const claimFields = (claim: Claim, path: Path.Path) => ({
  cwd: path.resolve(claim.cwd ?? globalThis.process.cwd()),
  include_initialize: true,
  ...(claim.permissionMode !== undefined ? { permission_mode: claim.permissionMode } : {}),
  ...(claim.systemPrompt !== undefined ? { system_prompt: claim.systemPrompt } : {}),
  ...(claim.appendSystemPrompt !== undefined ? { append_system_prompt: claim.appendSystemPrompt } : {}),
  ...(claim.title !== undefined ? { title: claim.title } : {}),
  ...(claim.additionalDirectories !== undefined
    ? { additional_directories: claim.additionalDirectories.map((dir) => path.resolve(dir)) }
    : {})
})

// what a taken session can still change through control requests
const configure = (session: ClaudeSession.Service, claim: Claim) =>
  Effect.gen(function*() {
    if (claim.permissionMode !== undefined) yield* session.setPermissionMode(claim.permissionMode)
    if (claim.model !== undefined) yield* session.setModel(claim.model)
    if (claim.title !== undefined) yield* session.renameSession(claim.title)
    return session
  })

// a CLI without --await-claim refuses the flag at start-up
const lacksAwaitClaim = (error: ClaudeError) =>
  error._tag === "ProcessExited" && /await-claim/.test(error.stderrTail)

/**
 * A pool of real `claude` processes (see the module's description). The spares of
 * `"claim"` mode park in a private temporary folder, removed with the pool.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = <R = never>(
  options: Options<R> = {}
): Effect.Effect<Service, InvalidOption, ClaudeSession.Requirements | Scope.Scope | R> =>
  Effect.gen(function*() {
    const base = options.session ?? {}
    const fs = yield* FileSystem.FileSystem
    const claimable = base.cwd === undefined && base.resume === undefined && base.continueConversation !== true &&
      base.forkSession !== true && base.controlProtocol !== false
    const warm = options.warm === undefined || options.warm === "auto" ? (claimable ? "claim" : "initialized") : options.warm
    const parking = warm === "claim" ? yield* fs.makeTempDirectoryScoped({ prefix: "claude-spares-" }).pipe(Effect.orDie) : ""
    if (parking !== "") yield* fs.chmod(parking, 0o700).pipe(Effect.orDie)
    return yield* makeWith<R | ClaudeSession.Requirements>((mode) =>
      mode === "claim"
        ? ClaudeSession.make<R>({ ...base, cwd: parking, extraArgs: { ...base.extraArgs, "--await-claim": null } })
        : ClaudeSession.make<R>(base), {
      ...options,
      warm,
      cwd: base.cwd,
      spawnFor: (claim) =>
        ClaudeSession.make<R>({
          ...base,
          ...(claim.cwd !== undefined ? { cwd: claim.cwd } : {}),
          ...(claim.permissionMode !== undefined ? { permissionMode: claim.permissionMode } : {}),
          ...(claim.systemPrompt !== undefined ? { systemPrompt: claim.systemPrompt } : {}),
          ...(claim.appendSystemPrompt !== undefined ? { appendSystemPrompt: claim.appendSystemPrompt } : {}),
          ...(claim.title !== undefined ? { sessionName: claim.title } : {}),
          ...(claim.model !== undefined ? { model: claim.model } : {}),
          addDirs: [...(base.addDirs ?? []), ...(claim.additionalDirectories ?? [])]
        }),
      claimUnsupported: lacksAwaitClaim
    })
  })

/**
 * The pool as a scoped Layer: spares start when it is built, every process ends with it.
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = <R = never>(
  options: Options<R> = {}
): Layer.Layer<ClaudeSessionPool, InvalidOption, ClaudeSession.Requirements | R> =>
  Layer.scoped(ClaudeSessionPool, make(options))

/**
 * The pool with its sessions' options read through `Config` (`ClaudeSession.config` by
 * default) and its bounds from `CLAUDE_POOL_SPARES` and `CLAUDE_POOL_MAX_SESSIONS`.
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerConfig = <R = never>(
  session: Config.Config<ClaudeOptions.Options> = ClaudeSession.config,
  extra: Options<R> = {}
): Layer.Layer<ClaudeSessionPool, InvalidOption | ConfigError.ConfigError, ClaudeSession.Requirements | R> =>
  Layer.scoped(
    ClaudeSessionPool,
    Effect.flatMap(
      Config.all({
        session,
        spares: Config.option(Config.integer("CLAUDE_POOL_SPARES")),
        maxSessions: Config.option(Config.integer("CLAUDE_POOL_MAX_SESSIONS"))
      }),
      (loaded) =>
        make<R>({
          ...extra,
          session: { ...extra.session, ...loaded.session },
          spares: Option.getOrElse(loaded.spares, () => extra.spares),
          maxSessions: Option.getOrElse(loaded.maxSessions, () => extra.maxSessions)
        })
    )
  )
