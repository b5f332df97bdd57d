/**
 * Stored sessions: `ClaudeSessions.list` over 1,000 transcripts and `messages` / `entries` of a
 * 100 MB transcript, against the official SDK's `listSessions` / `getSessionMessages` on the
 * same files. Each measure runs in a fresh process (so its memory is its own), RSS sampled
 * every 5 ms. Imported by `bench/run.ts`; run alone with `BENCH_ONLY=sessions npm run bench`.
 */
import { NodeContext } from "@effect/platform-node"
import { Effect, Stream } from "effect"
import { spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { ClaudeSessions } from "../src/index.js"

const MB = 1024 * 1024
const here = fileURLToPath(import.meta.url)

const line = (entry: unknown) => JSON.stringify(entry) + "\n"

// one turn as the CLI writes it: prompt, attachments, a tool call and its result, the answer,
// and the request bookkeeping that makes most of a real transcript's bytes
const turn = (sessionId: string, cwd: string, parent: string | null, i: number, pad: number) => {
  const ids = Array.from({ length: 5 }, () => randomUUID())
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()
  const common = { isSidechain: false, userType: "external", entrypoint: "cli", cwd, sessionId, version: "2.1.330", gitBranch: "main", timestamp: at }
  const text = (n: number) => "lorem ipsum dolor sit amet ".repeat(Math.ceil(n / 27)).slice(0, n)
  const lines = [
    line({ type: "queue-operation", operation: "enqueue", timestamp: at, sessionId, content: `prompt ${i}` }),
    line({ parentUuid: parent, ...common, type: "user", uuid: ids[0], promptId: randomUUID(), message: { role: "user", content: `prompt ${i}: ${text(200)}` } }),
    line({ parentUuid: ids[0], ...common, type: "attachment", uuid: ids[1], attachment: { type: "skill_listing", content: text(pad) } }),
    line({ type: "api-request-shape", sessionId, shapeHash: randomUUID(), timestamp: at, shape: { system: text(pad) } }),
    line({
      parentUuid: ids[1], ...common, type: "assistant", uuid: ids[2], requestId: `req_${i}`,
      message: { id: `msg_${i}a`, type: "message", role: "assistant", model: "claude-sonnet-4-5", content: [{ type: "tool_use", id: `toolu_${i}`, name: "Bash", input: { command: "ls" } }], stop_reason: "tool_use", usage: { input_tokens: 10, output_tokens: 5 } }
    }),
    line({ parentUuid: ids[2], ...common, type: "user", uuid: ids[3], message: { role: "user", content: [{ type: "tool_result", tool_use_id: `toolu_${i}`, content: text(pad / 4) }] }, toolUseResult: { stdout: text(pad / 4) } }),
    line({
      parentUuid: ids[3], ...common, type: "assistant", uuid: ids[4], requestId: `req_${i}b`,
      message: { id: `msg_${i}b`, type: "message", role: "assistant", model: "claude-sonnet-4-5", content: [{ type: "text", text: text(1500) }], stop_reason: "end_turn", usage: { input_tokens: 10, output_tokens: 300 } }
    }),
    line({ type: "last-prompt", lastPrompt: `prompt ${i}`, leafUuid: ids[4], sessionId })
  ]
  return { text: lines.join(""), last: ids[4]! }
}

/** Writes a transcript of about `bytes` bytes; returns its size. */
const writeTranscript = (file: string, sessionId: string, cwd: string, bytes: number, pad: number) => {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const fd = fs.openSync(file, "w", 0o600)
  let written = 0
  let parent: string | null = null
  for (let i = 0; written < bytes; i++) {
    const { last, text } = turn(sessionId, cwd, parent, i, pad)
    fs.writeSync(fd, text)
    written += Buffer.byteLength(text)
    parent = last
  }
  fs.closeSync(fd)
  return written
}

const projectOf = (cwd: string) => cwd.replace(/[^a-zA-Z0-9]/g, "-")

/** 1,000 transcripts of ~150 KB in 20 projects, and one of 100 MB. */
export const makeCorpus = (root: string, sessions: number, bigMb: number) => {
  const config = path.join(root, ".claude")
  let bytes = 0
  for (let i = 0; i < sessions; i++) {
    const cwd = `/work/project-${i % 20}`
    bytes += writeTranscript(path.join(config, "projects", projectOf(cwd), `${randomUUID()}.jsonl`), randomUUID(), cwd, 150 * 1024, 8 * 1024)
  }
  const bigConfig = path.join(root, ".claude-big")
  const bigId = randomUUID()
  const bigCwd = "/work/big"
  const bigBytes = writeTranscript(path.join(bigConfig, "projects", projectOf(bigCwd), `${bigId}.jsonl`), bigId, bigCwd, bigMb * MB, 16 * 1024)
  return { config, listBytes: bytes, bigConfig, bigId, bigBytes }
}

type Contender = "sdkList" | "oursList" | "sdkMessages" | "oursMessages" | "oursEntries"

interface Measure {
  readonly ms: number
  readonly peakRssGrowthMb: number
  readonly count: number
}

// in the worker: one measure, RSS sampled every 5 ms
const measure = async (contender: Contender): Promise<Measure> => {
  const config = process.env.BENCH_SESSIONS_CONFIG!
  const id = process.env.BENCH_SESSIONS_ID ?? ""
  process.env.CLAUDE_CONFIG_DIR = config
  const sdk = await import("@anthropic-ai/claude-agent-sdk")
  const ours = <A>(f: (sessions: ClaudeSessions.Service) => Effect.Effect<A, unknown>) =>
    Effect.runPromise(Effect.flatMap(ClaudeSessions.make({ configDir: config }), f).pipe(Effect.provide(NodeContext.layer)))
  const run: Record<Contender, () => Promise<number>> = {
    sdkList: async () => (await sdk.listSessions()).length,
    oursList: () => ours((sessions) => Effect.map(sessions.list(), (list) => list.length)),
    sdkMessages: async () => (await sdk.getSessionMessages(id)).length,
    // a consumer that counts: the messages are streamed out, never kept by the consumer
    oursMessages: () => ours((sessions) => Stream.runCount(sessions.messages(id))),
    oursEntries: () => ours((sessions) => Stream.runCount(sessions.entries(id)))
  }
  global.gc?.()
  const base = process.memoryUsage().rss
  let peak = base
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 5)
  const started = performance.now()
  const count = await run[contender]()
  const ms = performance.now() - started
  clearInterval(sampler)
  peak = Math.max(peak, process.memoryUsage().rss)
  return { ms: Math.round(ms), peakRssGrowthMb: Math.round((peak - base) / MB), count }
}

const inWorker = (contender: Contender, env: Record<string, string>, heapLimitMb?: number) =>
  new Promise<Measure>((resolve, reject) => {
    const limit = heapLimitMb === undefined ? [] : [`--max-old-space-size=${heapLimitMb}`]
    const child = spawn(process.execPath, [...process.execArgv, ...limit, here], {
      env: { ...process.env, ...env, BENCH_SESSIONS_WORKER: contender },
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    child.stdout.on("data", (chunk) => (out += chunk))
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1)!)) : reject(new Error(`${contender} exited ${code}`))
    )
  })

const HEAP_CAP_MB = 96

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** The stored-session measures (a few minutes with the full sizes). */
export const storedSessions = async (options: { readonly quick: boolean }) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-bench-sessions-"))
  try {
    const sessions = options.quick ? 100 : 1000
    const bigMb = options.quick ? 10 : 100
    const corpus = makeCorpus(root, sessions, bigMb)
    const rounds = options.quick ? 1 : 3
    const listEnv = { BENCH_SESSIONS_CONFIG: corpus.config }
    const bigEnv = { BENCH_SESSIONS_CONFIG: corpus.bigConfig, BENCH_SESSIONS_ID: corpus.bigId }
    const results: Record<Contender, Array<Measure>> = { sdkList: [], oursList: [], sdkMessages: [], oursMessages: [], oursEntries: [] }
    for (let i = 0; i < rounds; i++) {
      results.sdkList.push(await inWorker("sdkList", listEnv))
      results.oursList.push(await inWorker("oursList", listEnv))
      results.sdkMessages.push(await inWorker("sdkMessages", bigEnv))
      results.oursMessages.push(await inWorker("oursMessages", bigEnv))
      results.oursEntries.push(await inWorker("oursEntries", bigEnv))
    }
    // bounded or not: the same reads with the V8 heap capped (a whole-file reader runs out of memory)
    const capped = async (contender: Contender) =>
      inWorker(contender, bigEnv, HEAP_CAP_MB).then((m) => `completed (${m.count.toLocaleString("en")})`, () => "out of memory")
    const underCap = {
      sdkMessages: await capped("sdkMessages"),
      oursMessages: await capped("oursMessages"),
      oursEntries: await capped("oursEntries")
    }
    const summary = (list: ReadonlyArray<Measure>) => ({
      ms: median(list.map((m) => m.ms)),
      peakRssGrowthMb: median(list.map((m) => m.peakRssGrowthMb)),
      count: list[0]!.count
    })
    return {
      sessions,
      listMb: Number((corpus.listBytes / MB).toFixed(1)),
      bigMb: Number((corpus.bigBytes / MB).toFixed(1)),
      rounds,
      sdkList: summary(results.sdkList),
      oursList: summary(results.oursList),
      sdkMessages: summary(results.sdkMessages),
      oursMessages: summary(results.oursMessages),
      oursEntries: summary(results.oursEntries),
      heapCapMb: HEAP_CAP_MB,
      underCap
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}

const workerContender = process.env.BENCH_SESSIONS_WORKER as Contender | undefined
if (workerContender !== undefined) console.log(JSON.stringify(await measure(workerContender)))
