// CPU of the pure work on 4 × the transcript: split to lines, JSON.parse each (no I/O)
import fs from "node:fs"
const buf = fs.readFileSync("/tmp/ab/t.jsonl")
const chunks = []; for (let i = 0; i < buf.length; i += 65536) chunks.push(buf.subarray(i, i + 65536))
const td = new TextDecoder()
for (let r = 0; r < 8; r++) {
  const t = process.cpuUsage(); let n = 0; let pending = ""
  for (let k = 0; k < 4; k++) for (const c of chunks) {
    const text = pending + td.decode(c, { stream: true }); let s = 0, i
    while ((i = text.indexOf("\n", s)) !== -1) { JSON.parse(text.slice(s, i)); n++; s = i + 1 }
    pending = text.slice(s)
  }
  const u = process.cpuUsage(t); console.log("split+parse cpu ms", ((u.user + u.system) / 1000).toFixed(0), n)
}
