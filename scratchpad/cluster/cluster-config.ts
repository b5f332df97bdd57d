// Shared cluster settings for the two-runner experiment (overridable via env, values in ms)
import { Duration } from "effect"

const ms = (name: string, dflt: number) => Duration.millis(Number(process.env[name] ?? dflt))

export const dbFile = process.env.DB_FILE ?? new URL("./data/cluster.db", import.meta.url).pathname

export const timing = {
  // how often a runner refreshes its heartbeat (cluster_runners.last_heartbeat) + its shard locks
  shardLockRefreshInterval: ms("LOCK_REFRESH_MS", 1000),
  // a lock / runner heartbeat older than this is considered dead (SQLite: whole seconds, CURRENT_TIMESTAMP)
  shardLockExpiration: ms("LOCK_EXPIRE_MS", 3000),
  // how often each Sharding instance re-reads cluster_runners and recomputes shard assignments
  refreshAssignmentsInterval: ms("REFRESH_ASSIGN_MS", 500),
  // singleton health check (ping) of other runners
  runnerHealthCheckInterval: ms("HEALTH_MS", 1000),
  // retry delay when the target runner is unavailable / shard not (yet) assigned
  sendRetryInterval: ms("SEND_RETRY_MS", 100),
  // how often persisted messages are polled from storage (also triggered on shard acquisition)
  entityMessagePollInterval: ms("MSG_POLL_MS", 1000),
  entityReplyPollInterval: ms("REPLY_POLL_MS", 200),
  // fewer shards -> less lock SQL per refresh (default 300)
  shardsPerGroup: Number(process.env.SHARDS ?? 300)
}
