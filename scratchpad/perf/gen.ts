import fs from "node:fs"
import { generate } from "../../bench/transcript.js"
const r = generate("/tmp/ab-transcript.jsonl", 32 * 1024 * 1024)
fs.writeFileSync("/tmp/ab-transcript.jsonl.meta", JSON.stringify(r))
