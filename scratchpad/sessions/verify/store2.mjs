// listSessions via a store without listSessionSummaries (load-per-session fallback), staleness, failures, pagination
import { sdk, show, attempt, sid } from "./fx.mjs"
const P = "-tmp-sdkspec-store2"
const mkStore = (withSummaries) => {
  const s = new sdk.InMemorySessionStore()
  if (!withSummaries) s.listSessionSummaries = undefined
  return s
}
const u = (id, text, extra = {}) => ({ type: "user", uuid: id + "-u", parentUuid: null, sessionId: id, timestamp: "2025-01-01T00:00:00Z", message: { role: "user", content: text }, ...extra })
const s = mkStore(false)
s.listSessionSummaries = undefined
await s.append({ projectKey: P, sessionId: sid(1) }, [u(sid(1), "one")])
await s.append({ projectKey: P, sessionId: sid(2) }, [{ type: "assistant", uuid: "x", message: { content: [] } }]) // no summary -> dropped
await s.append({ projectKey: P, sessionId: sid(3) }, [u(sid(3), "three", { cwd: undefined })])
const origLoad = s.load.bind(s)
s.load = async (k) => { if (k.sessionId === sid(4)) throw new Error("boom"); return origLoad(k) }
await s.append({ projectKey: P, sessionId: sid(4) }, [u(sid(4), "four")])
await attempt("fallback list (dir -> projectKey)", () => sdk.listSessions({ sessionStore: s, dir: "/tmp/sdkspec-store2" }))
await attempt("fallback list limit 2", async () => (await sdk.listSessions({ sessionStore: s, dir: "/tmp/sdkspec-store2", limit: 2 })).map((x) => x.sessionId.slice(-1)))
await attempt("fallback list offset 1 limit 2", async () => (await sdk.listSessions({ sessionStore: s, dir: "/tmp/sdkspec-store2", limit: 2, offset: 1 })).map((x) => x.sessionId.slice(-1)))

// summaries path: stale sidecar (listSessions mtime newer) -> recomputed from load
const s2 = mkStore(true)
await s2.append({ projectKey: P, sessionId: sid(5) }, [u(sid(5), "five")])
const orig = s2.listSessions.bind(s2)
s2.listSessions = async (pk) => (await orig(pk)).map((x) => ({ ...x, mtime: x.mtime + 1000 }))
await attempt("summaries stale -> load path (has archived key?)", async () => (await sdk.listSessions({ sessionStore: s2, dir: "/tmp/sdkspec-store2" })).map((x) => Object.keys(x).join(",") + " lm+" + (x.lastModified - (s2.mtimes.get(`${P}/${sid(5)}`)))))
s2.listSessions = undefined
await attempt("summaries without listSessions", async () => (await sdk.listSessions({ sessionStore: s2, dir: "/tmp/sdkspec-store2" })).map((x) => Object.keys(x).join(",")))
