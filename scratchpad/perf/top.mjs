// Self time per function in a .cpuprofile: node scratchpad/perf/top.mjs file [n]
import fs from "node:fs"
const prof = JSON.parse(fs.readFileSync(process.argv[2], "utf8"))
const n = Number(process.argv[3] ?? 40)
const byId = new Map(prof.nodes.map((node) => [node.id, node]))
const self = new Map()
const dt = prof.timeDeltas
for (let i = 0; i < prof.samples.length; i++) {
  const node = byId.get(prof.samples[i])
  const f = node.callFrame
  const key = `${f.functionName || "(anon)"} ${f.url.replace(/.*node_modules\//, "nm/").replace(/.*\/work\/main\//, "")}:${f.lineNumber + 1}`
  self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0))
}
const total = [...self.values()].reduce((a, b) => a + b, 0)
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, n)
for (const [k, v] of rows) console.log(`${(v / 1000).toFixed(1).padStart(8)} ms ${(100 * v / total).toFixed(1).padStart(5)}%  ${k}`)
console.log("total", (total / 1000).toFixed(0), "ms")
