// usage: node def.cjs NAME [NAME...]  -> prints definitions of identifiers in sdk.pretty.mjs
const ts = require("/work/main/node_modules/typescript");
const fs = require("fs");
const file = process.env.F || "/tmp/sdkfmt/sdk.pretty.mjs";
const cache = file + ".idx.json";
const text = fs.readFileSync(file, "utf8");
let idx;
if (fs.existsSync(cache)) idx = JSON.parse(fs.readFileSync(cache, "utf8"));
else {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ESNext, true, ts.ScriptKind.JS);
  idx = {};
  const add = (name, node, kind) => { (idx[name] ||= []).push([node.getStart(sf), node.getEnd(), kind]); };
  const visit = (node, depth) => {
    if (ts.isFunctionDeclaration(node) && node.name) add(node.name.text, node, "function");
    else if (ts.isClassDeclaration(node) && node.name) add(node.name.text, node, "class");
    else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) add(node.name.text, node, "var");
    else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left) && depth < 12) add(node.left.text, node, "assign");
    ts.forEachChild(node, (c) => visit(c, depth + 1));
  };
  visit(sf, 0);
  fs.writeFileSync(cache, JSON.stringify(idx));
}
const max = +(process.env.MAX || 6000);
for (const name of process.argv.slice(2)) {
  const defs = idx[name] || [];
  // prefer non-assign defs; show top-level ones (short depth) first
  const want = defs.filter(d => d[2] !== "assign").length ? defs.filter(d => d[2] !== "assign" || process.env.ALL) : defs;
  if (!want.length) { console.log(`// ${name}: NOT FOUND`); continue; }
  for (const [s, e, k] of want.slice(0, +(process.env.N || 3))) {
    const line = text.slice(0, s).split("\n").length;
    let body = text.slice(s, e);
    if (body.length > max) body = body.slice(0, max) + "\n...[truncated]";
    console.log(`// ---- ${name} (${k}) @line ${line}\n${body}\n`);
  }
}
