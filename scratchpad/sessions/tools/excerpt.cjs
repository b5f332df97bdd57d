// Builds ../sdk-excerpts.js: the SDK's stored-session code, cut from the esbuild re-print of sdk.mjs,
// with module-level minified names renamed (scope-aware) to descriptive ones. Local variable names are left as minified.
// Run: node tools/pretty.cjs && node tools/excerpt.cjs
const ts = require("/work/main/node_modules/typescript")
const fs = require("fs")
const FILE = "/tmp/sdkfmt/sdk.pretty.mjs"
const text = fs.readFileSync(FILE, "utf8")
const sf = ts.createSourceFile(FILE, text, ts.ScriptTarget.ESNext, true, ts.ScriptKind.JS)

// ---- index of definitions and import aliases
const defs = {}
const imports = {}
const modShort = { path: "path", "fs/promises": "fsp", fs: "fs", crypto: "crypto", os: "os", string_decoder: "string_decoder", events: "events", child_process: "child_process", url: "url", module: "module" }
function visit(node, depth) {
  if (ts.isImportDeclaration(node)) {
    const mod = node.moduleSpecifier.text
    const cl = node.importClause
    if (cl?.namedBindings && ts.isNamedImports(cl.namedBindings))
      for (const el of cl.namedBindings.elements) imports[el.name.text] = `${modShort[mod] ?? mod}.${(el.propertyName ?? el.name).text}`
    if (cl?.namedBindings && ts.isNamespaceImport(cl.namedBindings)) imports[cl.namedBindings.name.text] = modShort[mod] ?? mod
  }
  const add = (name, n, kind) => (defs[name] ||= []).push({ s: n.getStart(sf), e: n.getEnd(), kind, n })
  if (ts.isFunctionDeclaration(node) && node.name) add(node.name.text, node, "function")
  else if (ts.isClassDeclaration(node) && node.name) add(node.name.text, node, "class")
  else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) add(node.name.text, node, "var")
  else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left) && depth < 14) add(node.left.text, node, "assign")
  ts.forEachChild(node, (c) => visit(c, depth + 1))
}
visit(sf, 0)

// ---- [minified, readable, note] grouped in sections
const S = (title) => ({ section: title })
const plan = [
  S("0. Small shared helpers"),
  ["H", "isPlainObject"], ["le", "jsonStringify", "JSON.stringify"], ["wg", "jsonParse"], ["ze", "jsonParseTraced", "JSON.parse wrapped in a tracing span"],
  ["ae", "errnoCode"], ["at", "isENOENT"], ["Se", "TelemetrySafeError", "Error subclass: name 'TelemetrySafeError', .telemetryMessage"],
  ["wDe", "UUID_RE"], ["Ge", "validateUuid"], ["Jr", "withTimeout"], ["Xee", "rejectWithMessage"], ["mr", "toError"],
  ["Ee", "isHoverStorageOn", "always false in the SDK: _ee is never assigned"], ["Ze", "isDiskless", "false in the SDK process"],
  S("1. Where transcripts live"),
  ["Td", "envClaudeConfigDir"], ["Vt", "claudeConfigDir", "memoized on CLAUDE_CONFIG_DIR"], ["It", "projectsDir"], ["sNe", "projectsDir2"], ["rt", "nfcOnDarwin"],
  ["tN", "envProjectDirName"], ["jte", "PROJECT_DIR_NAME_RE"], ["Kte", "WINDOWS_DEVICE_NAME_RE"], ["fA", "validProjectDirNameOverride"], ["mA", "projectDirNameOverride", "memoized; only when CLAUDE_CONFIG_DIR is set (or diskless)"], ["Gte", "projectDirNameOverrideCacheKey"],
  ["oo", "MAX_SANITIZED_LENGTH"], ["fR", "javaStringHash"], ["kDe", "pathHashBase36"], ["wa", "replaceNonAlnum"], ["Ta", "sanitizePath"], ["Lr", "projectDirNameFor"], ["NR", "plainSanitizedNameIfOverridden"], ["ic", "projectDirFor"],
  ["ms", "realpathOrSelf"], ["SI", "resolveRealpathSync"], ["Mn", "projectKeyFor", "SessionKey.projectKey for a dir (store functions)"], ["UR", "windowsDriveVariants"],
  ["_r", "candidateProjectDirs"], ["ac", "dirHasSessionWithCwd"], ["SF", "headTailCwdMatches"], ["fs", "gitWorktreePaths"], ["YDe", "worktreeProjectDirs"], ["HR", "findSessionFiles"], ["ui", "findSessionFile"],
  S("2. Head/tail read and string scanners used by listSessions"),
  ["zn", "HEAD_TAIL_BYTES"], ["eF", "OPEN_FLAGS"], ["tF", "readUpTo64k"], ["xa", "readHeadTail"],
  ["pF", "unescapeJsonString"], ["sc", "firstStringField"], ["kR", "lastStringField"], ["GDe", "TYPE_TO_FIELD"], ["Qn", "lastTypedField"], ["Q0", "parseLineField"], ["DR", "scanLinesFromEnd"], ["ah", "lastTypedFieldNoSpaceVariant"], ["IR", "lastAnyField"], ["PR", "firstParsedField"],
  ["ADe", "SKIP_PROMPT_RE"], ["RDe", "COMMAND_NAME_RE"], ["c0", "splitPastedContent"], ["mR", "inlinePastedContent"], ["ii", "truncateCodeUnits"], ["EN", "toWellFormed"], ["q0", "pluginPromptShown"], ["ps", "promptTextOf"], ["ch", "firstPromptFromHead"], ["fF", "mediaPromptFromHead"], ["mF", "firstPromptFromEntries"],
  ["KDe", "PROGRAMMATIC_ENTRYPOINTS"], ["dF", "isProgrammaticSession"],
  S("3. Sidecars next to a transcript: custom-title.json, archived.json"),
  ["VB", "MAX_TITLE_CODEPOINTS"], ["Hg", "replaceControlRuns"], ["mNe", "stripControlsAndCap"], ["qB", "sanitizeSidecarTitle"], ["yNe", "CustomTitleSidecarSchema"], ["SNe", "customTitleSidecarPath"], ["ENe", "readSidecarText"], ["Sc", "readCustomTitleSidecar"],
  ["cNe", "ArchivedSidecarSchema"], ["VT", "ARCHIVED_MAX_BYTES"], ["qT", "archivedSidecarPath"], ["o_", "readArchivedSidecar"], ["WB", "archivedFlag"], ["GB", "hasHumanPromptAfter"], ["fNe", "humanPromptTime"], ["kQ", "writeArchivedSidecar"],
  S("4. listSessions / getSessionInfo (filesystem)"),
  ["YB", "CONTINUED_IN_MARK"], ["JB", "continuedInSessionId"], ["TNe", "isCompletedTurnLine"], ["XB", "continuationExists"], ["Bp", "PARENT_UUID_MARK"], ["QB", "fileHasParentUuid"],
  ["Na", "sessionInfoFromHeadTail"], ["i_", "listSessionFilesInProjectDir"], ["oh", "slashes"], ["rF", "sameSanitizedDifferentPath"], ["_F", "cwdCollidesWithProject"], ["yF", "isWithinAny"], ["MR", "caseInsensitiveFs"], ["fN", "isUnsafePath"],
  ["tj", "sessionInfoForCandidate"], ["PNe", "PAGE_BATCH"], ["INe", "byMtimeDescThenIdDesc"], ["LNe", "paginate"], ["MNe", "collectAll"], ["ej", "candidatesForPaths"], ["NNe", "candidatesForDir"], ["UNe", "candidatesForAllProjects"], ["nj", "listSessionsFs"],
  ["xQ", "getSessionInfoFs"],
  S("5. getSessionMessages (filesystem)"),
  ["bF", "PRECOMPACT_SKIP_MIN_BYTES"], ["WMe", "readTranscriptForMessages"], ["Z0", "VOICE_TALK_MARK"], ["ep", "normalizeVoiceCallTalk"], ["Mp", "isHostRow"], ["VMe", "parseTranscriptEntries"],
  ["BT", "deliveryKey"], ["jT", "uuidKey"], ["LB", "entryKey"], ["IB", "newDeliveryState"], ["MB", "noteDelivery"], ["NB", "deliveredCounts"], ["V$", "queuedCommandOf"], ["q$", "queuedCommandField"], ["Np", "queuedSourceUuid"], ["MT", "queuedDeliveryId"],
  ["$p", "buildConversationChain"], ["r_", "assistantMessageId"], ["UB", "isToolResultUser"], ["zp", "blockIds"], ["qMe", "insertSplitAssistantSiblings"],
  ["eNe", "trailingQueuedCommands"], ["tNe", "isQueuedCommandAttachment"], ["HB", "messagesFromEntries"], ["zB", "getSessionMessagesFs"], ["FB", "messagesFromStoreEntries"],
  ["ZMe", "completedLocalCommandIndexes"], ["ULe", "LOCAL_COMMAND_PREFIXES"], ["Q$", "localCommandKind"], ["YMe", "followedByReply"], ["TF", "isInterruptionUser"], ["wF", "INTERRUPTION_PREFIXES"], ["KT", "materializeQueuedCommands"], ["JMe", "deliveredByIndex"], ["XMe", "queuedCommandToUser"], ["B$", "isForwardedIntent"], ["j$", "queuedCommandPayload"], ["W0", "normalizeQueuedOrigin"], ["xR", "normalizeOrigin"], ["Qd", "validRunId"],
  ["QMe", "isVisibleMessage"], ["W$", "isQuietTurnCloser"], ["LLe", "singleText"], ["RL", "NO_RESPONSE_REQUESTED"], ["UT", "originShownEvenIfMeta"], ["NLe", "originAllowsMeta"], ["X$", "originIfKind"],
  ["GT", "toSessionMessage"], ["vF", "TOOL_DENIAL_KINDS"], ["tPe", "TOOL_DENIAL_UNANSWERED"], ["xF", "validDenialUnanswered"], ["WT", "applyLimitOffset"],
  ["gc", "isHostToolAssistant"], ["Es", "isBlockOfType"], ["K$", "contentArray"], ["G$", "hostContentIfMatches"], ["Wh", "spliceHostAttachments"], ["Vh", "insertHostRows"], ["qh", "foldHostToolCalls"],
  S("6. forkSession (filesystem and store)"),
  ["BUe", "readSessionForFork"], ["jUe", "TRANSCRIPT_TYPES"], ["KUe", "parseForFork"], ["GUe", "parseStoreEntriesForFork"], ["jj", "collectForkEntry"], ["Kj", "forkSessionFs"], ["VUe", "forkFromBuffer"], ["Gj", "forkFromStoreEntries"], ["qUe", "titleFromEntries"],
  ["Wj", "FORK_CLEARED_FIELDS"], ["zj", "requestSessionIdOf"], ["Vj", "buildForkEntries"], ["NT", "indexOfMessageId"], ["Y$", "remappedSourceUuid"], ["Z$", "withFoldSourceUuid"], ["J$", "remapCompactMetadata"], ["XUe", "remapDeferredToolsRecord"], ["OF", "historySuppressionEntry"], ["Uj", "forkedFromSessionId"], ["iv", "derivedFromSession"],
  ["p_", "preservedOf"], ["qj", "isRewindBoundary"], ["Yj", "isCompactionBoundary"], ["Yh", "preservedUuids"], ["YUe", "trimAtCompaction"], ["ZUe", "dropPreservedAtTarget"], ["JUe", "leaveOutDeadBoundaries"], ["cv", "canLeaveOut"], ["$j", "leaveOut"],
  ["oc", "writeJsonlFile"], ["vDe", "writeJsonl"], ["TDe", "WRITE_CHUNK"],
  S("7. renameSession / tagSession / deleteSession / archiveSession"),
  ["Vot", "renameSession"], ["qot", "tagSession"], ["LQ", "renameSessionFs"], ["MQ", "tagSessionFs"], ["HQ", "appendToSessionFile"], ["gb", "tryAppend"], ["Aa", "sanitizeUnicodeDeep"], ["nre", "sanitizeUnicode"], ["ere", "stripInvisible"], ["Qne", "stripInvisibleOnce"],
  ["Jot", "deleteSession"], ["UQ", "deleteSessionFs"], ["Got", "projectDirsForDelete"], ["PQ", "projectDirsForPath"], ["S0", "removeTree"],
  ["Yot", "archiveSession"], ["Zot", "unarchiveSession"], ["$Q", "setArchived"], ["NQ", "setArchivedFs"],
  S("8. Subagents"),
  ["Qj", "subagentsDirFor"], ["tK", "listAgentFiles"], ["nK", "listSubagentsFs"], ["rK", "getSubagentMessagesFs"], ["s0e", "parseSubagentEntries"], ["i0e", "chainFromLastMessage"], ["dv", "subagentMessages"], ["wb", "isAgentId"],
  S("9. Public entry points and SessionStore variants"),
  ["Mot", "getSessionInfo"], ["rnn", "getSessionMessages"], ["onn", "listSessions"], ["snn", "forkSession"], ["ann", "listSubagents"], ["lnn", "getSubagentMessages"], ["inn", "importSessionToStore"],
  ["Gd", "DEFAULT_BATCH_ENTRIES"], ["Ra", "MAX_BATCH_BYTES"], ["BQ", "importJsonlFile"], ["KU", "readLines"], ["jU", "stripCR"], ["ist", "findJsonlFilesRecursive"], ["jm", "isAgentMetadata"],
  ["RI", "toJsonl"], ["OI", "headTailFromText"], ["Not", "lastLineTimestampOrNow"], ["wI", "loadAsJsonl"], ["Uot", "getSessionInfoStore"],
  ["KQ", "pageSlice"], ["ast", "listSessionsStore"], ["lst", "listFromSummaries"], ["GQ", "summariesByLoading"], ["cst", "getSessionMessagesStore"], ["ust", "forkSessionStore"], ["dst", "listSubagentsStore"], ["pst", "getSubagentMessagesStore"], ["Xot", "renameSessionStore"], ["Qot", "tagSessionStore"],
  ["d0e", "LAST_WINS_FIELDS"], ["h_", "foldSessionSummary"], ["m0e", "foldFirstPrompt"], ["lK", "sessionInfoFromSummary"], ["gi", "stringOrUndefined"], ["p0e", "numberOrUndefined"], ["f0e", "parseTimestamp"],
  ["Kx", "InMemorySessionStore"],
  S("10. Transcript mirror (query({options:{sessionStore}})) and resume materialization"),
  ["Soe", "MIRROR_BACKOFF_MS"], ["rR", "TranscriptMirrorBatcher"], ["EI", "mirrorKeyFromPath"], ["wQ", "materializeResumeFromStore"], ["Tot", "materializeSubkeys"], ["bl", "copyConfigFile"], ["EQ", "stripPluginAndConfigDirSettings"], ["Oot", "writeCredentialsWithoutRefreshToken"], ["Pot", "queryWithStoreResume"], ["mb", "rmTempDir"], ["kot", "cleanupAfterExit"],
]

const rename = { ...Object.fromEntries(Object.entries(imports)) }
for (const p of plan) if (Array.isArray(p)) rename[p[0]] = p[1]
// rename-only (definitions not copied): storage-backend plumbing that is dead in the SDK, logging, env flags
Object.assign(rename, { Ee: "isHoverStorageOn", Ze: "isDiskless", Cn: "hoverSource", xn: "hoverStorage", co: "hoverTranscriptKey", Hp: "hoverRealpath", lh: "hoverRealpathFor", ka: "projectKeyOfDirIfStorage", yc: "sidecarStorageKey", K: "debugLog", vn: "sleep", yt: "envFlags", Ua: "fileSystem", we: "fileSystemGated", k: "lazySchema", R: "zObject", _: "zString", v: "zBoolean", N: "zLiteral", Kt: "zLooseObject", IT: "zIsoDatetime", Zt: "storageKeys", mn: "isSafePathSegment", sr: "allSafePathSegments", Cs: "invalidKey", AF: "readTranscriptAfterLastCompaction", GMe: "fsp.readFile", l_: "atomicWriteFile", Wm: "path.resolve" })

// ---- scope-aware rename inside an excerpt
function bindingNames(name, out) {
  if (!name) return
  if (ts.isIdentifier(name)) out.add(name.text)
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(el.name, out)
}
function localDecls(scope) {
  // names declared directly in this scope (params, let/const/var, function/class declarations), not in nested functions
  const out = new Set()
  if (ts.isFunctionLike(scope)) for (const p of scope.parameters) bindingNames(p.name, out)
  if (ts.isCatchClause(scope) && scope.variableDeclaration) bindingNames(scope.variableDeclaration.name, out)
  const walk = (n) => {
    if (n !== scope && (ts.isFunctionLike(n) || ts.isClassLike(n))) {
      if ((ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) && n.name) out.add(n.name.text)
      return
    }
    if (ts.isVariableDeclaration(n)) bindingNames(n.name, out)
    ts.forEachChild(n, walk)
  }
  const body = ts.isFunctionLike(scope) ? scope.body : scope
  if (body) ts.forEachChild(body, walk)
  return out
}
function renameIn(src) {
  const esf = ts.createSourceFile("x.js", src, ts.ScriptTarget.ESNext, true, ts.ScriptKind.JS)
  const edits = []
  const cache = new Map()
  const shadowed = (id) => {
    for (let p = id.parent; p && !ts.isSourceFile(p); p = p.parent) {
      if (!(ts.isFunctionLike(p) || ts.isCatchClause(p))) continue
      if (ts.isSourceFile(p.parent) || (p.parent && ts.isVariableDeclaration(p.parent) && ts.isSourceFile(p.parent.parent?.parent?.parent))) {
        // top-level definition: its own params/locals still shadow
      }
      let set = cache.get(p)
      if (!set) cache.set(p, (set = localDecls(p)))
      if (set.has(id.text)) return true
    }
    return false
  }
  const visitId = (n) => {
    if (ts.isIdentifier(n) && Object.prototype.hasOwnProperty.call(rename, n.text)) {
      const par = n.parent
      const isProp = (ts.isPropertyAccessExpression(par) && par.name === n) || (ts.isPropertyAssignment(par) && par.name === n) || ((ts.isMethodDeclaration(par) || ts.isPropertyDeclaration(par) || ts.isGetAccessor(par) || ts.isSetAccessor(par)) && par.name === n) || (ts.isBindingElement(par) && par.propertyName === n)
      if (!isProp && !shadowed(n)) {
        const to = rename[n.text]
        if (ts.isShorthandPropertyAssignment(par)) edits.push([n.getStart(esf), n.getEnd(), `${n.text}: ${to}`])
        else edits.push([n.getStart(esf), n.getEnd(), to])
      }
    }
    ts.forEachChild(n, visitId)
  }
  visitId(esf)
  edits.sort((a, b) => b[0] - a[0])
  let out = src
  for (const [s, e, r] of edits) out = out.slice(0, s) + r + out.slice(e)
  return out
}

// ---- assemble
const parts = []
parts.push(`// De-minified excerpts of @anthropic-ai/claude-agent-sdk 0.3.330 (sdk.mjs): stored-session functions.
// Generated by scratchpad/sessions/tools/excerpt.cjs from an esbuild re-print of sdk.mjs.
// Module-level names are renamed (minified name kept in each header); local names are still minified.
// Node imports are written as <module>.<export> (fsp = fs/promises).
// Branches guarded by isHoverStorageOn() (minified Ee(), a flag that this bundle never sets) and by isDiskless()
// (Ze(), false in the SDK process) are dead code in the SDK; they are kept but can be ignored.
`)
const missing = []
for (const p of plan) {
  if (!Array.isArray(p)) { parts.push(`\n// ${"=".repeat(100)}\n// ${p.section}\n// ${"=".repeat(100)}\n`); continue }
  const [min, readable, note] = p
  let ds = (defs[min] || []).filter((d) => d.kind !== "assign")
  if (!ds.length) ds = (defs[min] || []).slice(0, 1)
  if (!ds.length) { missing.push(min); continue }
  const d = ds[0]
  let body = text.slice(d.s, d.e)
  if (d.kind === "var") {
    // find the enclosing statement keyword
    body = `var ${body};`
  } else if (d.kind === "assign") body = `${body};`
  const line = text.slice(0, d.s).split("\n").length
  parts.push(`// ---- ${readable}  [minified: ${min}, pretty line ${line}]${note ? " — " + note : ""}\n${renameIn(body)}\n`)
}
// ---- hand-picked snippets from inside large functions (query() setup and the Query message loop)
const snippet = (title, startMarker, endMarker, [pre, post] = ["", ""]) => {
  const a = text.indexOf(startMarker)
  const b = text.indexOf(endMarker, a)
  if (a < 0 || b < 0) { missing.push(title); return }
  const line = text.slice(0, a).split("\n").length
  parts.push(`// ---- ${title}  [snippet, pretty line ${line}]\n${renameIn(pre + text.slice(a, b + endMarker.length) + post)}\n`)
}
snippet("query(): sessionStore option checks (inside CI; tn=sessionStore, bo=persistSession, P=continue, Ao=resume, ne=enableFileCheckpointing, p=options)", "if (tn && bo === false)", "transcript_mirror frames will be dropped.\", { level: \"warn\" });", ["function CI_sessionStoreChecks() {\n  ", "\n}"])
snippet("query(): mirror batcher wiring (inside CI; tn=sessionStore, Cl=sessionStoreFlush, Pt=spawn env, Cb=Query; lt() = <spawn env CLAUDE_CONFIG_DIR or ~/.claude>/projects)", "if (tn) {\n    let lt = () =>", "Cb.setTranscriptMirrorBatcher(Ro);\n  }", ["function CI_mirrorWiring() {\n  ", "\n}"])
snippet("Query.reportMirrorError", "reportMirrorError(e10, t) {", "this.inputStream.enqueue(n);\n  }", ["class Query_excerpt {\n  ", "\n}"])
snippet("Query.readMessages: transcript_mirror frames and flush before result", "} else if (e10.type === \"transcript_mirror\") {", "if (this.transcriptMirrorBatcher) await this.transcriptMirrorBatcher.flush();", ["async function Query_readMessages_excerpt(frames) {\n  for (const e10 of frames) {\n  if (false) {\n  ", "\n  }\n  }\n}"])
snippet("query(): resume/continue with sessionStore dispatch", "function Dot({ prompt: e10, options: t }) {", "return AI(n, e10, r, o), n;\n}")
parts.push(`\n// Import aliases seen in these excerpts were rewritten as module.export; e.g. ${Object.entries(imports).filter(([k]) => ["so", "rp", "uF", "YT", "Fa", "Wp"].includes(k)).map(([k, v]) => `${k}=${v}`).join(", ")}\n`)
fs.writeFileSync(__dirname + "/../sdk-excerpts.js", parts.join("\n"))
console.log("written; missing:", missing.join(" ") || "none")
