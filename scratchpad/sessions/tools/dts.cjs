// Prints the verbatim .d.ts declarations (with JSDoc) of the stored-session API from sdk.d.ts
const ts = require("/work/main/node_modules/typescript")
const fs = require("fs")
const F = "/work/main/node_modules/@anthropic-ai/claude-agent-sdk/sdk.d.ts"
const text = fs.readFileSync(F, "utf8")
const sf = ts.createSourceFile(F, text, ts.ScriptTarget.ESNext, true)
const want = process.argv.slice(2)
const found = {}
for (const st of sf.statements) {
  const name = st.name?.text
  if (name && want.includes(name)) (found[name] ||= []).push(st.getFullText(sf).replace(/^\s*\n/, ""))
}
for (const n of want) console.log(found[n] ? found[n].join("\n") : `// ${n}: not found`)
