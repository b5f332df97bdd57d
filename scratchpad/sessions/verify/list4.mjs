// worktrees, cwd-collision exclusion, continued-in, archived, programmatic detection variants
import fs from "node:fs"
import path from "node:path"
import { execFileSync } from "node:child_process"
import { sdk, freshConfig, projectDirName, writeLines, sessionFile, chain, sid, show, attempt } from "./fx.mjs"
const cfg = freshConfig("list4")
const T = 1700000000
const mk = (k, dirName, cwd, specs, mt = k) => writeLines(sessionFile(cfg, dirName, sid(k)), chain(sid(k), specs ?? [{ type: "user", content: "s" + k }], { cwd }), T + mt)
const ids = (l) => l.map((s) => `${s.sessionId.slice(-2)} cwd=${s.cwd}${s.archived !== undefined ? " archived=" + s.archived : ""}`)

// git repo with a worktree
const repo = fs.mkdtempSync("/tmp/sdkspec-repo-")
const git = (...a) => execFileSync("git", a, { cwd: repo, stdio: "pipe" }).toString()
git("init", "-q"); git("-c", "user.email=a@b", "-c", "user.name=n", "commit", "-q", "--allow-empty", "-m", "i")
const wt = repo + "-wt"
git("worktree", "add", "-q", wt)
show("git worktree list", git("worktree", "list", "--porcelain"))
mk(1, projectDirName(repo), repo)
mk(2, projectDirName(wt), wt)
await attempt("dir=repo (includeWorktrees default)", async () => ids(await sdk.listSessions({ dir: repo })))
await attempt("dir=repo includeWorktrees:false", async () => ids(await sdk.listSessions({ dir: repo, includeWorktrees: false })))
await attempt("dir=wt (worktree lists main too)", async () => ids(await sdk.listSessions({ dir: wt })))
await attempt("getSessionMessages(sid2,{dir:repo}) finds worktree session", async () => (await sdk.getSessionMessages(sid(2), { dir: repo })).length)

// cwd-collision: folder for /tmp/sdkspec-a.b also holds a session whose cwd is /tmp/sdkspec-a-b (exists) -> excluded when listing dir /tmp/sdkspec-a.b
const A = "/tmp/sdkspec-a.b", B = "/tmp/sdkspec-a-b"
fs.mkdirSync(A, { recursive: true }); fs.mkdirSync(B, { recursive: true })
show("same folder name", [projectDirName(A), projectDirName(B)])
mk(3, projectDirName(A), A)
mk(4, projectDirName(A), B)
mk(5, projectDirName(A), "/tmp/sdkspec-a_b-gone") // sanitizes to same name? ('_' -> '-') but does not exist
await attempt("dir=A", async () => ids(await sdk.listSessions({ dir: A })))
await attempt("dir=B", async () => ids(await sdk.listSessions({ dir: B })))
await attempt("no dir", async () => ids((await sdk.listSessions()).filter((s) => ["03", "04", "05"].includes(s.sessionId.slice(-2)))))

// continued-in: session 6 says continued in 7 (which exists and has parentUuid) -> 6 hidden
const P = projectDirName("/tmp/sdkspec-cont")
mk(6, P, "/tmp/sdkspec-cont", [{ type: "user", content: "s6" }, { raw: JSON.stringify({ type: "continued-in", continuedInSessionId: sid(7), sessionId: sid(6) }) }])
mk(7, P, "/tmp/sdkspec-cont")
// session 8 continued in 9, but afterwards got a completed assistant reply -> not hidden
mk(8, P, "/tmp/sdkspec-cont", [{ type: "user", content: "s8" }, { raw: JSON.stringify({ type: "continued-in", continuedInSessionId: sid(9), sessionId: sid(8) }) }, { type: "user", content: "again" }, { type: "assistant", content: "reply" }])
mk(9, P, "/tmp/sdkspec-cont")
// session 10 continued in 11 which does not exist -> not hidden
mk(10, P, "/tmp/sdkspec-cont", [{ type: "user", content: "s10" }, { raw: JSON.stringify({ type: "continued-in", continuedInSessionId: sid(11), sessionId: sid(10) }) }])
await attempt("continued-in", async () => ids(await sdk.listSessions({ dir: "/tmp/sdkspec-cont" })))

// archived
const PA = projectDirName("/tmp/sdkspec-arch")
mk(12, PA, "/tmp/sdkspec-arch")
mk(13, PA, "/tmp/sdkspec-arch")
mk(14, PA, "/tmp/sdkspec-arch")
await sdk.archiveSession(sid(12))
await sdk.archiveSession(sid(13))
await sdk.unarchiveSession(sid(13))
await attempt("archived.json content", async () => fs.readFileSync(path.join(cfg, "projects", PA, sid(12), "archived.json"), "utf8"))
await attempt("archived.json mode", async () => (fs.statSync(path.join(cfg, "projects", PA, sid(12), "archived.json")).mode & 0o777).toString(8))
await attempt("archived list", async () => ids(await sdk.listSessions({ dir: "/tmp/sdkspec-arch" })))
// prompt after archive time -> unarchived
const f12 = sessionFile(cfg, PA, sid(12))
fs.appendFileSync(f12, JSON.stringify({ type: "user", message: { role: "user", content: "new prompt" }, uuid: "zz", timestamp: new Date(Date.now() + 60000).toISOString(), sessionId: sid(12) }) + "\n")
await attempt("archived list after later prompt", async () => ids(await sdk.listSessions({ dir: "/tmp/sdkspec-arch" })))
await attempt("archive unknown", () => sdk.archiveSession(sid(99)))
await attempt("archive bad id", () => sdk.archiveSession("nope"))
await attempt("archive with dir unknown", () => sdk.archiveSession(sid(99), { dir: "/tmp/x" }))

// programmatic detection: entrypoint in tail only; sessionKind daemon on first parentUuid line
const PP = projectDirName("/tmp/sdkspec-prog")
mk(20, PP, "/tmp/sdkspec-prog", [{ type: "user", content: "a" }, { raw: JSON.stringify({ type: "x", entrypoint: "sdk-py" }) }])
mk(21, PP, "/tmp/sdkspec-prog", [{ type: "user", content: "b", sessionKind: "daemon-worker" }])
mk(22, PP, "/tmp/sdkspec-prog", [{ type: "user", content: "c", entrypoint: "cli" }, { raw: JSON.stringify({ type: "x", entrypoint: "sdk-ts" }) }])
mk(23, PP, "/tmp/sdkspec-prog", [{ type: "user", content: "d", sessionKind: "bg" }])
await attempt("includeProgrammatic:false", async () => ids(await sdk.listSessions({ dir: "/tmp/sdkspec-prog", includeProgrammatic: false })))
git("worktree", "remove", "--force", wt)
