// firstPrompt table: each case is a list of user message contents (or full entries) -> listSessions firstPrompt/summary
import { sdk, freshConfig, projectDirName, writeLines, sessionFile, chain, sid, show } from "./fx.mjs"
const cfg = freshConfig("prompt1")
const proj = "/tmp/sdkspec-prompt"
const P = projectDirName(proj)
const cases = {
  html_tag_start: ["<div>hello</div>"],
  html_tag_upper: ["<Div>hello</Div>"],
  lt_space: ["< not a tag"],
  tag_then_text_same_string: ["<system-reminder>r</system-reminder> trailing text"],
  leading_ws_tag: ["   <foo bar>x"],
  interrupted_variants: ["[Request interrupted by user for tool use]", "kept"],
  command_then_prompt: ["<command-name>/a</command-name>", "<command-name>/b</command-name>", "real"],
  command_inline_args: ["<command-message>x</command-message>\n<command-name>/cmd</command-name>"],
  bash_multiline: ["<bash-input>echo 1\necho 2</bash-input>"],
  bash_in_middle: ["please run <bash-input> ls </bash-input> now"],
  crlf: ["a\r\nb"],
  tabs: ["\tindented\ttext\t"],
  exactly_200: ["y".repeat(200)],
  exactly_201: ["y".repeat(201)],
  trailing_space_at_cut: ["z".repeat(199) + " " + "w".repeat(10)],
  pasted: ['intro\n\n<pasted_content id="ab12">\nPASTED BODY\n</pasted_content id="ab12">\n\nafter'],
  array_blocks: [[{ type: "image", source: {} }, { type: "text", text: "caption after image" }]],
  document_only: [[{ type: "document", source: {} }]],
  empty_text_block_then_text: [[{ type: "text", text: "" }, { type: "text", text: "second block" }]],
  plugin_prompt_stored: [{ content: "The foo plugin sent a message:\nhello from plugin\n\nThis is how Claude Code surfaces a prompt a plugin submits between turns \u2014 it starts this turn in the user's place. Address the message above.", pluginPrompt: { text: "hello from plugin" } }],
  only_meta_and_command: [{ content: "m", isMeta: true }, "<command-name>/only</command-name>"],
  spaced_json_is_meta: [{ raw: '{"type": "user", "isMeta": true, "message": {"content": "spaced meta"}, "uuid": "q1", "timestamp": "2025-01-01T00:00:00Z"}' }, "after spaced meta"],
}
let k = 0
const order = []
for (const [name, msgs] of Object.entries(cases)) {
  k++
  const specs = msgs.map((m) => (typeof m === "string" || Array.isArray(m) ? { type: "user", content: m } : m.raw ? m : { type: "user", ...m }))
  writeLines(sessionFile(cfg, P, sid(k)), chain(sid(k), specs, { cwd: proj }), 1700000000 + k)
  order.push([sid(k), name])
}
const res = await sdk.listSessions({ dir: proj })
const by = Object.fromEntries(res.map((s) => [s.sessionId, s]))
show("firstPrompt table", Object.fromEntries(order.map(([id, name]) => [name, by[id] ? { firstPrompt: by[id].firstPrompt ?? "<undefined>", summary: by[id].summary } : "<skipped>"])))
