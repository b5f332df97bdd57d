#!/usr/bin/env node
// Runs the real claude ($STAMP_TARGET) and stamps each stdout line's arrival time into its
// `uuid` field, so the consumer can measure the library's own latency per event.
import { spawn } from "node:child_process"
import readline from "node:readline"

const child = spawn(process.env.STAMP_TARGET, process.argv.slice(2), { stdio: ["pipe", "pipe", "inherit"] })
process.stdin.pipe(child.stdin)
process.stdin.on("end", () => child.stdin.end())
const lines = readline.createInterface({ input: child.stdout })
lines.on("line", (line) => {
  const arrived = performance.timeOrigin + performance.now()
  let out = line
  try {
    const json = JSON.parse(line)
    if (json.type === "stream_event") {
      json.uuid = String(arrived)
      out = JSON.stringify(json)
    }
  } catch {}
  process.stdout.write(out + "\n")
})
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => child.kill(sig))
