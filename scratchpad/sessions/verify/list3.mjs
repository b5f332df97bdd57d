// project folder resolution: long paths, unicode, realpath, relative dir, CLAUDE_CODE_PROJECT_DIR_NAME, store projectKey
import fs from "node:fs"
import path from "node:path"
import { sdk, freshConfig, projectDirName, hash36, writeLines, sessionFile, chain, sid, show, attempt } from "./fx.mjs"
const cfg = freshConfig("list3")
const T = 1700000000
const mk = (k, dirName, cwd) => writeLines(sessionFile(cfg, dirName, sid(k)), chain(sid(k), [{ type: "user", content: "s" + k }], { cwd }), T + k)
const ids = (l) => l.map((s) => `${s.sessionId.slice(-2)} cwd=${s.cwd}`)

// long path (> 200 after sanitizing)
const longP = "/tmp/" + "very-long-segment/".repeat(14) + "end"
show("long path sanitized name", { len: longP.length, name: projectDirName(longP), hash: hash36(longP) })
mk(1, projectDirName(longP), longP)
await attempt("dir=longP", async () => ids(await sdk.listSessions({ dir: longP })))
// long path with a different hash suffix (e.g. Bun.hash): found only if a session's cwd sanitizes to same name
const wrongHashDir = projectDirName(longP).slice(0, 200) + "-zzzzzz"
mk(2, wrongHashDir, longP)
const otherWrong = projectDirName(longP).slice(0, 200) + "-yyyyyy"
mk(3, otherWrong, "/somewhere/else")
await attempt("dir=longP with alt-hash folders", async () => ids(await sdk.listSessions({ dir: longP })))

// unicode / non-ascii: each UTF-16 code unit becomes '-'
const uni = "/tmp/caf\u00e9/\u{1F600}x"
show("unicode sanitized", projectDirName(uni))
mk(4, projectDirName(uni), uni)
await attempt("dir=unicode", async () => ids(await sdk.listSessions({ dir: uni })))

// realpath: dir is a symlink to a real dir -> folder named after the real path
const real = fs.mkdtempSync("/tmp/sdkspec-real-")
const link = real + "-link"
fs.symlinkSync(real, link)
mk(5, projectDirName(real), real)
mk(6, projectDirName(link), link)
await attempt("dir=symlink (realpath used)", async () => ids(await sdk.listSessions({ dir: link })))
// relative dir resolved by realpath against process.cwd
process.chdir(path.dirname(real))
await attempt("dir=relative existing", async () => ids(await sdk.listSessions({ dir: path.basename(real) })))
// relative non-existent: used raw (not resolved)
mk(7, projectDirName("rel/none"), "rel/none")
await attempt("dir=relative non-existent 'rel/none'", async () => ids(await sdk.listSessions({ dir: "rel/none" })))
// trailing slash on non-existent
mk(8, projectDirName("/tmp/nope-dir/"), "/tmp/nope-dir/")
await attempt("dir='/tmp/nope-dir/' (non-existent)", async () => ids(await sdk.listSessions({ dir: "/tmp/nope-dir/" })))
await attempt("dir=real + '/' (existing)", async () => ids(await sdk.listSessions({ dir: real + "/" })))

// CLAUDE_CODE_PROJECT_DIR_NAME override (only when CLAUDE_CONFIG_DIR is set)
process.env.CLAUDE_CODE_PROJECT_DIR_NAME = "custom_name-1"
mk(9, "custom_name-1", "/x/y")
await attempt("override: dir=/anything", async () => ids(await sdk.listSessions({ dir: "/anything" })))
await attempt("override: dir=real (both override and sanitized folders)", async () => ids(await sdk.listSessions({ dir: real })))
process.env.CLAUDE_CODE_PROJECT_DIR_NAME = "bad/name"
await attempt("invalid override ignored: dir=real", async () => ids(await sdk.listSessions({ dir: real })))
delete process.env.CLAUDE_CODE_PROJECT_DIR_NAME

// importSessionToStore projectKey shape (uses path.resolve + realpathSync)
const store = new sdk.InMemorySessionStore()
await sdk.importSessionToStore(sid(5), store, { dir: link })
await attempt("store keys after import dir=link", async () => [...store.store.keys()])
const store2 = new sdk.InMemorySessionStore()
await sdk.importSessionToStore(sid(1), store2, { dir: longP })
await attempt("store key for long path", async () => [...store2.store.keys()])
const store3 = new sdk.InMemorySessionStore()
await sdk.importSessionToStore(sid(7), store3, { dir: "rel/none" })
await attempt("store key for relative non-existent (resolved against cwd)", async () => ({ cwd: process.cwd(), keys: [...store3.store.keys()] }))
const store4 = new sdk.InMemorySessionStore()
await sdk.importSessionToStore(sid(1), store4)
await attempt("store key when no dir (process.cwd)", async () => ({ cwd: process.cwd(), keys: [...store4.store.keys()] }))
