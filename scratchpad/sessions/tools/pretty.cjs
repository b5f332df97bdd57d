// Re-prints node_modules/@anthropic-ai/claude-agent-sdk/sdk.mjs with esbuild (no minify) to /tmp/sdkfmt/sdk.pretty.mjs
const esbuild = require("/work/main/node_modules/esbuild")
const fs = require("fs")
const src = fs.readFileSync("/work/main/node_modules/@anthropic-ai/claude-agent-sdk/sdk.mjs", "utf8")
const r = esbuild.transformSync(src, { format: "esm", minify: false, loader: "js", target: "esnext" })
fs.mkdirSync("/tmp/sdkfmt", { recursive: true })
fs.writeFileSync("/tmp/sdkfmt/sdk.pretty.mjs", r.code)
console.log("wrote /tmp/sdkfmt/sdk.pretty.mjs", r.code.split("\n").length, "lines")
