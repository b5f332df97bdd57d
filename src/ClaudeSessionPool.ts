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
 * `spareTimeToLive`, `refillConcurrency` processes start at once. A spare that dies, expires
 * or fails its health check is ended and replaced, never handed out. A handed-out process is never given to
 * anyone else: it holds a conversation.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import type { ClaudeError } from "./ClaudeError.js"
import { InvalidOption } from "./ClaudeError.js"
import type * as ClaudeOptions from "./ClaudeOptions.js"
import * as ClaudeSession from "./ClaudeSession.js"
import * as Pool from "./internal/pool.js"

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

/**
 * What one handed-out session is for: the values a warm process takes when it is claimed
 * (`cwd`: default the pool's, else the app's; `title`: its name in session lists;
 * `additionalDirectories`: more folders it may read and edit; `model`: set once taken).
 *
 * @since 0.1.0
 * @category Models
 */
export type Claim = Pool.Claim

/**
 * How spares are kept warm (see the module's description).
 *
 * @since 0.1.0
 * @category Models
 */
export type WarmMode = Pool.WarmMode

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
  /**
   * How often a waiting spare must answer a cheap control request (`mcp_status`, within 5
   * seconds or the interval if shorter); one that does not is ended and replaced (default 30
   * seconds; `"infinity"`: never).
   */
  readonly healthCheckInterval?: Duration.DurationInput | undefined
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
 * What the pool offers: sessions for a scope, and a snapshot of its state.
 *
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
  /** Spares ready, sessions in use, processes starting and callers waiting, now. */
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

/**
 * Spares ready to be handed out, over all pools of the process.
 *
 * @since 0.1.0
 * @category Metrics
 */
export const sparesGauge = Pool.sparesGauge
/**
 * Pooled sessions handed out and not yet released.
 *
 * @since 0.1.0
 * @category Metrics
 */
export const inUseGauge = Pool.inUseGauge
/**
 * Callers waiting for a pooled session.
 *
 * @since 0.1.0
 * @category Metrics
 */
export const waitingGauge = Pool.waitingGauge

/**
 * Milliseconds from asking the pool for a session to having it (claim included).
 *
 * @since 0.1.0
 * @category Metrics
 */
export const acquireLatency = Pool.acquireLatency

/**
 * Milliseconds from spawning a spare to its being ready.
 *
 * @since 0.1.0
 * @category Metrics
 */
export const readyLatency = Pool.readyLatency

const integer = (value: string) => (/^\s*\d+\s*$/.test(value) ? Number(value) : undefined)

const healthCheckOf = (interval: Duration.DurationInput | undefined) => {
  const every = Duration.decode(interval ?? Duration.seconds(30))
  return Duration.isFinite(every) && Duration.toMillis(every) > 0
    ? { interval: every, timeout: Duration.min(every, Duration.seconds(5)) }
    : undefined
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
    const settings: Pool.Settings<R> = {
      spawn,
      target: yield* count(options.spares, 1, "spares", 0),
      max: yield* count(options.maxSessions, 4, "maxSessions", 1),
      ttl: Duration.decode(options.spareTimeToLive ?? Duration.minutes(15)),
      healthCheck: healthCheckOf(options.healthCheckInterval),
      refillDelayMillis: Duration.toMillis(Duration.decode(options.refillDelay ?? Duration.seconds(1))),
      acquireTimeout: options.acquireTimeout === undefined ? undefined : Duration.decode(options.acquireTimeout),
      cwd: options.cwd,
      spawnFor: options.spawnFor,
      claimUnsupported: options.claimUnsupported
    }
    const concurrency = yield* count(options.refillConcurrency, 1, "refillConcurrency", 1)
    const pool = yield* Pool.make(settings, options.warm === "claim" ? "claim" : "initialized")
    yield* Pool.closeWithScope(pool)
    for (let i = 0; i < concurrency; i++) yield* Effect.forkIn(Pool.refill(pool), pool.scope)
    const session = (claim: Claim = {}) => Pool.session(pool, claim)
    return {
      session,
      withSession: (use, claim) => Effect.scoped(Effect.flatMap(session(claim), use)),
      stats: Effect.sync(() => ({
        mode: pool.mode,
        spares: pool.counts.ready,
        inUse: pool.counts.inUse,
        starting: pool.counts.starting,
        waiting: pool.counts.waiting
      }))
    } satisfies Service
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
        spares: ClaudeSession.setting("CLAUDE_POOL_SPARES", integer, "a non-negative integer"),
        maxSessions: ClaudeSession.setting("CLAUDE_POOL_MAX_SESSIONS", integer, "a positive integer")
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
