// A/B: contenders of bench/run.ts, each in a fresh worker, interleaved; medians of ms and CPU.
// usage: node scratchpad/perf/ab.mjs rounds contender...
import { spawnSync } from "node:child_process"
import fs from "node:fs"
import path from "node:path"
const [rounds = "5", ...names] = process.argv.slice(2)
const transcript = "/tmp/ab-transcript.jsonl"
if (!fs.existsSync(transcript + ".meta")) {
  spawnSync(process.execPath, ["--import", "tsx", "scratchpad/perf/gen.ts"], { stdio: "inherit" })
}
const meta = JSON.parse(fs.readFileSync(transcript + ".meta", "utf8"))
const results = Object.fromEntries(names.map((n) => [n, []]))
for (let i = 0; i < Number(rounds); i++) {
  for (const name of names) {
    const out = spawnSync(process.execPath, [...(process.env.AB_NODE_FLAGS ? process.env.AB_NODE_FLAGS.split(" ") : []), "--expose-gc", "--conditions=effect-claude-session-source", "--import", "tsx", "bench/run.ts"], {
      env: { ...process.env, BENCH_WORKER: name, BENCH_TRANSCRIPT: transcript, BENCH_BYTES: String(meta.bytes), BENCH_LINES: String(meta.lines), ...(process.env.AB_ENV ? JSON.parse(process.env.AB_ENV) : {}) },
      encoding: "utf8"
    })
    const last = out.stdout.trim().split("\n").at(-1)
    results[name].push(JSON.parse(last))
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const base = names[0]
const bm = med(results[base].map((r) => r.ms)), bc = med(results[base].map((r) => r.cpu))
for (const name of names) {
  const ms = med(results[name].map((r) => r.ms)), cpu = med(results[name].map((r) => r.cpu))
  console.log(`${name.padEnd(14)} ms ${ms.toFixed(0).padStart(6)} (${(bm / ms).toFixed(2)}x speed)  cpu ${cpu.toFixed(0).padStart(6)} (${(cpu / bc).toFixed(2)}x)  all ms: ${results[name].map((r) => r.ms.toFixed(0)).join(",")}`)
}
