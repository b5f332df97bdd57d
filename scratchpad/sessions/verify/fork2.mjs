// forkSession copies every non-sidechain transcript entry (dead branches too); parent of a missing/sidechain parent becomes null
import fs from "node:fs"
import { sdk, freshConfig, projectDirName, writeLines, sessionFile, sid, uuid, show } from "./fx.mjs"
const cfg = freshConfig("fork2")
const P = projectDirName("/tmp/sdkspec-fork2")
const S = sid(1)
const U = (k) => uuid(6000 + k)
const e = (k, p, type, text, x = {}) => ({ parentUuid: p === null ? null : U(p), sessionId: S, type, uuid: U(k), timestamp: `2025-01-01T00:00:0${k}.000Z`, message: { role: type, content: text }, ...x })
writeLines(sessionFile(cfg, P, S), [e(1, null, "user", "q"), e(2, 1, "assistant", "dead branch"), e(3, 1, "assistant", "live"), e(4, 9, "user", "parent is sidechain", {}), e(9, 3, "user", "side", { isSidechain: true }), e(5, 4, "assistant", "after")])
const r = await sdk.forkSession(S)
const L = fs.readFileSync(sessionFile(cfg, P, r.sessionId), "utf8").trim().split("\n").map((l) => JSON.parse(l))
const idx = new Map(L.map((x, i) => [x.uuid, i]))
show("fork of branched session: [text, parent index]", L.map((x) => [x.message?.content ?? x.type, x.parentUuid === null ? null : idx.get(x.parentUuid) ?? "?"]))
show("getSessionMessages of source (chain)", (await sdk.getSessionMessages(S)).map((m) => m.message.content))
