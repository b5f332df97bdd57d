import fs from "node:fs"
import { LineSplitter } from "../dist/internal/framing.js"
const b = fs.readFileSync("/tmp/ab/t.jsonl")
for (let r = 0; r < 6; r++) {
  let t = performance.now(); let n = 0
  for (let k = 0; k < 4; k++) { const s = new LineSplitter(); for (let i = 0; i < b.length; i += 65536) n += s.push(b.subarray(i, i + 65536)).length }
  const split = performance.now() - t
  t = performance.now()
  for (let k = 0; k < 4; k++) { const s = new LineSplitter(); for (let i = 0; i < b.length; i += 65536) for (const l of s.push(b.subarray(i, i + 65536))) JSON.parse(l) }
  console.log(n, "split", split.toFixed(1), "split+parse", (performance.now() - t).toFixed(1))
}
