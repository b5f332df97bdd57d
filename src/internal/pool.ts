/**
 * The session pool's machinery. It owns the pool's state: the spares (each a process in its
 * own scope, holding one permit of `maxSessions` for its whole life), the queue they wait in,
 * the counts behind the gauges, a change signal, and the warm mode. It starts, watches and
 * retires processes, refills in the background, and hands spares out so that none is lost to
 * an interrupt. `ClaudeSessionPool` composes it.
 *
 * @internal
 */
import * as Path from "@effect/platform/Path"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Queue from "effect/Queue"
import * as Scope from "effect/Scope"
import type { ClaudeError } from "../ClaudeError.js"
import { ClaimRefused, ControlRequestError, NotConnected, Timeout } from "../ClaudeError.js"
import type * as ClaudeOptions from "../ClaudeOptions.js"
import * as ClaudeSession from "../ClaudeSession.js"

/** What one hand-out is for (see `ClaudeSessionPool.Claim`). */
export interface Claim {
  readonly cwd?: string | undefined
  readonly permissionMode?: ClaudeOptions.PermissionMode | undefined
  readonly systemPrompt?: string | undefined
  readonly appendSystemPrompt?: string | undefined
  readonly title?: string | undefined
  readonly additionalDirectories?: ReadonlyArray<string> | undefined
  readonly model?: string | undefined
}

/** How spares are kept warm. */
export type WarmMode = "initialized" | "claim"

type Make<R> = Effect.Effect<ClaudeSession.Service, ClaudeError, R | Scope.Scope>

/** The pool's settings, checked. */
export interface Settings<R> {
  readonly spawn: (mode: WarmMode) => Make<R>
  readonly target: number
  readonly max: number
  readonly ttl: Duration.Duration
  /** How often a waiting spare must answer a control request, and how fast; undefined: never. */
  readonly healthCheck: { readonly interval: Duration.Duration; readonly timeout: Duration.Duration } | undefined
  readonly refillDelayMillis: number
  readonly acquireTimeout: Duration.Duration | undefined
  /** The `cwd` of "initialized" spares, to tell which claims they serve. */
  readonly cwd: string | undefined
  /** A claim a spare cannot serve: a fresh process with these values. */
  readonly spawnFor: ((claim: Claim) => Make<R>) | undefined
  /** Whether a failed "claim" spawn means the CLI has no `--await-claim`. */
  readonly claimUnsupported: ((error: ClaudeError) => boolean) | undefined
}

// ---------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------

export const sparesGauge = Metric.gauge("claude_pool_spares", { description: "warm sessions ready to be handed out" })
export const inUseGauge = Metric.gauge("claude_pool_in_use", { description: "pooled sessions handed out" })
export const waitingGauge = Metric.gauge("claude_pool_waiting", { description: "callers waiting for a pooled session" })
const millis = MetricBoundaries.exponential({ start: 1, factor: 2, count: 16 })
export const acquireLatency = Metric.histogram("claude_pool_acquire_ms", millis, "time from asking for a session to having it")
export const readyLatency = Metric.histogram("claude_pool_spawn_ready_ms", millis, "time from spawning a spare to its being ready")

// ---------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------

/** One process of the pool. */
export interface Spare {
  session: ClaudeSession.Service
  scope: Scope.CloseableScope
  /** `keepPermit`: the slot passes to a fresh process (a claim the spare cannot serve). */
  readonly slot: { keepPermit: boolean }
  state: "ready" | "taken" | "gone"
  watcher: Fiber.RuntimeFiber<void> | undefined
}

/** One hand-out; `returned` once its spare went back to the pool or was ended early. */
export interface Lease {
  returned: boolean
}

/** The pool's state. */
export interface Pool<R> {
  readonly settings: Settings<R>
  /** Every process's scope is a child of this one: closing it ends them all, at once. */
  readonly scope: Scope.CloseableScope
  readonly context: Context.Context<R>
  readonly path: Path.Path
  readonly permits: Effect.Semaphore
  readonly ready: Queue.Queue<Exit.Exit<Spare, ClaudeError>>
  readonly counts: { ready: number; inUse: number; starting: number; waiting: number }
  /** Completed (and replaced) at every change of the counts. */
  changed: Deferred.Deferred<void>
  mode: WarmMode
  lastHandOut: number
  /** Set when the pool's scope closes: callers waiting then, and later, get `NotConnected`. */
  closed: boolean
}

/** The pool's state, in the current scope. */
export const make = <R>(
  settings: Settings<R>,
  mode: WarmMode
): Effect.Effect<Pool<R>, never, R | Scope.Scope | Path.Path> =>
  Effect.gen(function*() {
    return {
      settings,
      scope: yield* Scope.fork(yield* Effect.scope, ExecutionStrategy.parallel),
      context: yield* Effect.context<R>(),
      path: yield* Path.Path,
      permits: yield* Effect.makeSemaphore(settings.max),
      ready: yield* Queue.unbounded<Exit.Exit<Spare, ClaudeError>>(),
      counts: { ready: 0, inUse: 0, starting: 0, waiting: 0 },
      changed: Deferred.unsafeMake<void>(FiberId.none),
      mode,
      lastHandOut: Number.NEGATIVE_INFINITY,
      closed: false
    }
  })

const poolClosed = new NotConnected({ reason: "Closed", operation: "take a pooled session" })

/** Marks the pool closed when its scope closes, and fails every caller waiting then. */
export const closeWithScope = <R>(pool: Pool<R>) =>
  Scope.addFinalizer(
    pool.scope,
    Effect.suspend(() => {
      pool.closed = true
      const waiting = Array.from({ length: pool.counts.waiting }, () => Exit.fail(poolClosed))
      return Queue.offerAll(pool.ready, waiting)
    })
  )

/** Updates the gauges and wakes whoever waits for a change. */
const report = <R>(pool: Pool<R>) => {
  sparesGauge.unsafeUpdate(pool.counts.ready, [])
  inUseGauge.unsafeUpdate(pool.counts.inUse, [])
  waitingGauge.unsafeUpdate(pool.counts.waiting, [])
  const done = pool.changed
  pool.changed = Deferred.unsafeMake<void>(FiberId.none)
  Deferred.unsafeDone(done, Effect.void)
}

const changed = <R>(pool: Pool<R>) => Effect.suspend(() => Deferred.await(pool.changed))

// ---------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------

/** Starts one process in its own scope; its permit (taken by the caller) is released with it. */
const start = <R>(pool: Pool<R>, make: Make<R>) =>
  Effect.gen(function*() {
    const scope = yield* Scope.fork(pool.scope, ExecutionStrategy.sequential)
    const slot = { keepPermit: false }
    yield* Scope.addFinalizer(scope, Effect.suspend(() => (slot.keepPermit ? Effect.void : pool.permits.release(1))))
    const session = yield* make.pipe(
      Scope.extend(scope),
      Effect.provide(pool.context),
      Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause)))
    )
    const spare: Spare = { session, scope, slot, state: "ready", watcher: undefined }
    return spare
  })

/** Ends a spare that is waiting (dead, or past its time to live): it is never handed out. */
const retire = <R>(pool: Pool<R>, spare: Spare) =>
  Effect.suspend(() => {
    if (spare.state !== "ready") return Effect.void
    spare.state = "gone"
    pool.counts.ready--
    report(pool)
    return Scope.close(spare.scope, Exit.void)
  })

// Ends when the spare does not answer a cheap control request in time: alive but stuck. A
// session without the control protocol cannot be asked; it is only watched for its exit.
const healthChecks = (spare: Spare, check: NonNullable<Settings<unknown>["healthCheck"]>) =>
  Effect.forever(
    Effect.zipRight(Effect.sleep(check.interval), spare.session.request("mcp_status", {}, { timeout: check.timeout }))
  ).pipe(
    Effect.catchAll((error) =>
      error._tag === "Unsupported"
        ? Effect.never
        : Effect.logWarning("a pooled spare failed its health check; replacing it", error.message)
    )
  )

/**
 * Retires a waiting spare when its process exits, its time to live ends, or it fails a
 * health check.
 */
const watch = <R>(pool: Pool<R>, spare: Spare) =>
  Effect.raceFirst(
    Effect.asVoid(Effect.either(spare.session.awaitExit({ timeout: pool.settings.ttl }))),
    pool.settings.healthCheck === undefined ? Effect.never : healthChecks(spare, pool.settings.healthCheck)
  ).pipe(
    Effect.zipRight(retire(pool, spare)),
    Effect.forkIn(pool.scope),
    Effect.map((fiber) => {
      spare.watcher = fiber
    })
  )

/** Ends a handed-out process (its permit goes back, the pool refills). */
const release = <R>(pool: Pool<R>, spare: Spare) =>
  Effect.suspend(() => {
    pool.counts.inUse--
    report(pool)
    return Scope.close(spare.scope, Exit.void)
  })

/** Puts a taken spare back, still parked and claimable. */
const giveBack = <R>(pool: Pool<R>, spare: Spare, lease: Lease) =>
  Effect.suspend(() => {
    lease.returned = true
    spare.state = "ready"
    pool.counts.inUse--
    pool.counts.ready++
    report(pool)
    return Effect.zipRight(watch(pool, spare), Queue.offer(pool.ready, Exit.succeed(spare)))
  })

// ---------------------------------------------------------------------------
// Refill
// ---------------------------------------------------------------------------

const needed = <R>(pool: Pool<R>) =>
  pool.counts.ready + pool.counts.starting < Math.max(pool.settings.target, pool.counts.waiting)

const spawnSpare = <R>(pool: Pool<R>) =>
  Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    const spare = yield* start(pool, pool.settings.spawn(pool.mode)).pipe(
      Effect.withSpan("ClaudeSessionPool.spawn", { attributes: { mode: pool.mode }, captureStackTrace: false })
    )
    yield* Metric.update(readyLatency, (yield* Clock.currentTimeMillis) - startedAt)
    pool.counts.ready++
    yield* watch(pool, spare)
    yield* Queue.offer(pool.ready, Exit.succeed(spare))
  })

// The replacement of a spare just handed out waits `refillDelay`, so that its start-up does not
// slow that session's first turn; never while a caller waits.
const pauseAfterHandOut = <R>(pool: Pool<R>) =>
  Effect.gen(function*() {
    const pause = pool.lastHandOut + pool.settings.refillDelayMillis - (yield* Clock.currentTimeMillis)
    if (pool.counts.waiting > 0 || pause <= 0) return false
    const someoneWaits = Effect.gen(function*() {
      while (pool.counts.waiting === 0) yield* changed(pool)
    })
    yield* Effect.raceFirst(Effect.sleep(pause), someoneWaits)
    return true
  })

/** One refiller: keeps `spares` ready, more while callers wait, never over `maxSessions`. */
export const refill = <R>(pool: Pool<R>): Effect.Effect<never> =>
  Effect.gen(function*() {
    let backoff = Duration.millis(250)
    while (true) {
      while (!needed(pool)) yield* changed(pool)
      if (yield* pauseAfterHandOut(pool)) continue
      yield* pool.permits.take(1)
      if (!needed(pool)) {
        yield* pool.permits.release(1)
        continue
      }
      pool.counts.starting++
      report(pool)
      const result = yield* Effect.exit(spawnSpare(pool))
      pool.counts.starting--
      report(pool)
      if (Exit.isSuccess(result)) {
        backoff = Duration.millis(250)
        continue
      }
      const error = Cause.failureOption(result.cause)
      if (pool.mode === "claim" && Option.isSome(error) && pool.settings.claimUnsupported?.(error.value) === true) {
        yield* Effect.logWarning("this claude cannot park spares (--await-claim); keeping initialized sessions instead")
        pool.mode = "initialized"
        continue
      }
      yield* Effect.logWarning("a pooled claude failed to start", result.cause)
      // a caller waiting gets the failure instead of waiting for ever
      if (pool.counts.waiting > 0 && Option.isSome(error)) yield* Queue.offer(pool.ready, Exit.fail(error.value))
      yield* Effect.sleep(backoff)
      backoff = Duration.min(Duration.times(backoff, 2), Duration.seconds(30))
    }
  })

// ---------------------------------------------------------------------------
// Handing out
// ---------------------------------------------------------------------------

// An interrupted take consumes nothing, so the wait alone may be interrupted or timed out.
const awaitQueue = <R>(pool: Pool<R>, deadline: number | undefined) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const timeout = pool.settings.acquireTimeout
    if (deadline === undefined || timeout === undefined) return Queue.take(pool.ready)
    return Queue.take(pool.ready).pipe(
      Effect.timeoutFail({
        duration: Duration.millis(Math.max(0, deadline - now)),
        onTimeout: () => new Timeout({ operation: "wait for a pooled session", millis: Duration.toMillis(timeout) })
      })
    )
  })

/**
 * Takes the next live spare and registers its release with `scope`, in one uninterruptible
 * step once it is taken: an interrupt cannot lose it.
 */
const handOut = <R>(pool: Pool<R>, scope: Scope.Scope, lease: Lease) =>
  Effect.uninterruptibleMask((restore) => {
    const next = (deadline: number | undefined): Effect.Effect<Spare, ClaudeError> =>
      Effect.gen(function*() {
        if (pool.closed) return yield* poolClosed
        const taken = yield* restore(awaitQueue(pool, deadline))
        if (Exit.isFailure(taken)) return yield* taken
        const spare = taken.value
        if (spare.state !== "ready") return yield* next(deadline)
        // a process that died a moment ago, before its watcher saw it, is not handed out either
        if (yield* spare.session.isFinished) {
          yield* retire(pool, spare)
          return yield* next(deadline)
        }
        spare.state = "taken"
        pool.counts.ready--
        pool.counts.inUse++
        report(pool)
        pool.lastHandOut = yield* Clock.currentTimeMillis
        if (spare.watcher !== undefined) yield* Fiber.interruptFork(spare.watcher)
        yield* Scope.addFinalizer(scope, Effect.suspend(() => lease.returned ? Effect.void : release(pool, spare)))
        return spare
      })
    return Effect.gen(function*() {
      const timeout = pool.settings.acquireTimeout
      const deadline = timeout === undefined ? undefined : (yield* Clock.currentTimeMillis) + Duration.toMillis(timeout)
      pool.counts.waiting++
      report(pool)
      return yield* next(deadline)
    }).pipe(
      Effect.ensuring(Effect.sync(() => {
        pool.counts.waiting--
        report(pool)
      }))
    )
  })

// ---------------------------------------------------------------------------
// Claims
// ---------------------------------------------------------------------------

// the CLI's refusals that the caller can fix; any other leaves the spare unusable
const callerFaults = new Set([
  "cwd_not_found",
  "env_key_not_claimable",
  "permission_mode_not_claimable",
  "project_settings_not_claimable"
])

/** The CLI's reason code when it refused a claim. */
const refusalOf = (error: ClaudeError): { readonly reason: string; readonly description: string } | undefined => {
  if (!(error instanceof ControlRequestError)) return undefined
  const reason = /^([a-z_]+):/.exec(error.description)?.[1]
  return reason === undefined ? undefined : { reason, description: error.description }
}

/** Whether an "initialized" spare can take the claim (else a fresh process is started). */
const serves = <R>(pool: Pool<R>, claim: Claim) =>
  pool.mode === "claim" || (
    (claim.cwd === undefined ||
      pool.path.resolve(claim.cwd) === pool.path.resolve(pool.settings.cwd ?? globalThis.process.cwd())) &&
    claim.systemPrompt === undefined && claim.appendSystemPrompt === undefined &&
    claim.additionalDirectories === undefined
  )

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

/** What a taken session can still change through control requests. */
const configure = (session: ClaudeSession.Service, claim: Claim) =>
  Effect.gen(function*() {
    if (claim.permissionMode !== undefined) yield* session.setPermissionMode(claim.permissionMode)
    if (claim.model !== undefined) yield* session.setModel(claim.model)
    if (claim.title !== undefined) yield* session.renameSession(claim.title)
    return session
  })

/**
 * Claims a parked spare. Refused for the caller's reason, the spare goes back to the pool and
 * the caller gets `ClaimRefused`; the session's `initialization` becomes the claimed one's.
 */
const claimSpare = <R>(
  pool: Pool<R>,
  spare: Spare,
  claim: Claim,
  lease: Lease
): Effect.Effect<ClaudeSession.Service, ClaudeError> =>
  Effect.gen(function*() {
    const answer = yield* spare.session.request("claim_session", claimFields(claim, pool.path)).pipe(
      Effect.catchAll((error): Effect.Effect<never, ClaudeError> => {
        const refusal = refusalOf(error)
        if (refusal === undefined || !callerFaults.has(refusal.reason)) return Effect.fail(error)
        return Effect.zipRight(giveBack(pool, spare, lease), Effect.fail(new ClaimRefused(refusal)))
      })
    )
    const initialize = Predicate.isRecord(answer) ? answer.initialize : undefined
    const session = initialize === undefined ? spare.session : {
      ...spare.session,
      ...ClaudeSession.initializationFields(Option.some(yield* ClaudeSession.decodeInitializeResponse(initialize)))
    }
    return yield* configure(session, { model: claim.model })
  })

/**
 * A claim an "initialized" spare cannot serve takes the spare's slot: the spare ends, a fresh
 * process with the claim's values starts under the same permit. The permit passes to the new
 * scope before anything can interrupt, and the caller's release closes that scope.
 */
const freshInSlot = <R>(pool: Pool<R>, spare: Spare, make: Make<R>) =>
  Effect.uninterruptibleMask((restore) =>
    Effect.gen(function*() {
      spare.slot.keepPermit = true
      yield* Scope.close(spare.scope, Exit.void)
      const scope = yield* Scope.fork(pool.scope, ExecutionStrategy.sequential)
      yield* Scope.addFinalizer(scope, pool.permits.release(1))
      spare.scope = scope
      spare.session = yield* restore(make.pipe(Scope.extend(scope), Effect.provide(pool.context)))
      return spare.session
    })
  )

/**
 * A session for the current scope. A spare that turns out unusable at its claim (claimed
 * already, or refused for a reason that is not the caller's) is ended and the next one tried,
 * three times at most.
 */
export const session = <R>(pool: Pool<R>, claim: Claim): Effect.Effect<ClaudeSession.Service, ClaudeError, Scope.Scope> =>
  Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    const scope = yield* Effect.scope
    const spawnFor = serves(pool, claim) ? undefined : pool.settings.spawnFor
    for (let attempt = 1;; attempt++) {
      const lease: Lease = { returned: false }
      const spare = yield* handOut(pool, scope, lease)
      const taken = yield* Effect.either(
        spawnFor !== undefined
          ? freshInSlot(pool, spare, spawnFor(claim))
          : pool.mode === "claim"
          ? claimSpare(pool, spare, claim, lease)
          : configure(spare.session, claim)
      )
      if (taken._tag === "Right") {
        yield* Metric.update(acquireLatency, (yield* Clock.currentTimeMillis) - startedAt)
        return taken.right
      }
      const unusable = !lease.returned && pool.mode === "claim" && refusalOf(taken.left) !== undefined
      if (!unusable || attempt >= 3) return yield* Effect.fail(taken.left)
      yield* Effect.logWarning("a pooled spare refused its claim; ending it and taking another", taken.left.message)
      lease.returned = true
      yield* release(pool, spare)
    }
  }).pipe(
    Effect.withSpan("ClaudeSessionPool.session", { attributes: { mode: pool.mode }, captureStackTrace: false })
  )
