// Lists functions in src/ longer than N lines (default 100): node scratchpad/perf/fn-length.mjs [N]
import ts from "typescript"
import fs from "node:fs"
import path from "node:path"
const limit = Number(process.argv[2] ?? 100)
const files = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [])
for (const file of files("src")) {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true)
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line
      if (end - start + 1 > limit) console.log(`${file}:${start + 1} ${end - start + 1} lines`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
}
