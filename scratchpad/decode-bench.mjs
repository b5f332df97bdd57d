// decodeLine over the bench transcript (/tmp/ab/t.jsonl), on the compiled dist
import fs from "node:fs"
import * as Event from "../dist/ClaudeEvent.js"
const lines = fs.readFileSync("/tmp/ab/t.jsonl", "utf8").split("\n").filter((l) => l.length > 0)
for (let r = 0; r < 8; r++) {
  const t = performance.now(); let n = 0
  for (let k = 0; k < 4; k++) for (const l of lines) if (Event.decodeLine(l)._tag === "Right") n++
  console.log(n, (performance.now() - t).toFixed(1))
}
