/**
 * Survey harness: runs the real pinned claude CLI against the repo's ScriptedMessagesApi,
 * records every stdout line raw. Scratch code, not part of the library.
 */
import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"
import http from "node:http"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import * as Api from "../../src/ScriptedMessagesApi.js"

export const claudeBin = path.resolve("node_modules/@anthropic-ai/claude-code/bin/claude.exe")
export const outDir = path.resolve("scratchpad/survey")

export type Json = Record<string, any>

export interface Ctx {
  readonly send: (msg: Json) => void
  readonly user: (content: unknown) => void
  readonly waitFor: (pred: (m: Json) => boolean, timeoutMs?: number, label?: string) => Promise<Json>
  readonly waitResult: (timeoutMs?: number) => Promise<Json>
  readonly sleep: (ms: number) => Promise<void>
  readonly lines: Array<Json>
  readonly cwd: string
  readonly api: Api.Service
  readonly closeStdin: () => void
  readonly control: (request: Json, timeoutMs?: number) => Promise<Json>
}

export interface Scenario {
  readonly name: string
  readonly script?: ReadonlyArray<Api.ScriptItem>
  readonly apiOptions?: Api.Options
  readonly args?: ReadonlyArray<string> | ((cwd: string) => ReadonlyArray<string>)
  readonly env?: Record<string, string>
  readonly partial?: boolean
  readonly timeoutMs?: number
  /** answers the CLI's control requests; default answers below */
  readonly onControlRequest?: (req: Json, ctx: Ctx) => Json | undefined | null
  readonly setup?: (cwd: string) => void
  /** a fixed working directory (default: a fresh temporary one) */
  readonly cwd?: string
  /** extra HTTP headers added to every answer of the scripted API (through a local proxy) */
  readonly proxyHeaders?: Record<string, string>
  /** rewrites the body of the n-th (0-based) `POST /v1/messages` answer (through a local proxy) */
  readonly proxyRewrite?: (body: string, n: number) => string
  readonly steps: (ctx: Ctx) => Promise<void>
}

const defaultAnswer = (req: Json): Json => {
  const r = req.request
  switch (r.subtype) {
    case "can_use_tool":
      return { behavior: "allow", updatedInput: r.input }
    case "hook_callback":
      return {}
    default:
      return {}
  }
}

/** A local proxy to the scripted API that adds headers to every answer. */
const startProxy = (
  target: number,
  headers: Record<string, string>,
  rewrite?: (body: string, n: number) => string
): Promise<{ url: string; close: () => void }> =>
  new Promise((resolve) => {
    let n = 0
    const server = http.createServer((req, res) => {
      const upstream = http.request(
        { host: "127.0.0.1", port: target, path: req.url, method: req.method, headers: req.headers },
        (up) => {
          const isMessages = req.method === "POST" && (req.url ?? "").split("?")[0] === "/v1/messages"
          if (rewrite === undefined || !isMessages) {
            res.writeHead(up.statusCode ?? 500, { ...up.headers, ...headers })
            up.pipe(res)
            return
          }
          const index = n++
          let body = ""
          up.setEncoding("utf8")
          up.on("data", (c: string) => (body += c))
          up.on("end", () => {
            const out = rewrite(body, index)
            const h: Record<string, any> = { ...up.headers, ...headers }
            delete h["content-length"]
            delete h["transfer-encoding"]
            res.writeHead(up.statusCode ?? 500, h)
            res.end(out)
          })
        }
      )
      upstream.on("error", () => res.destroy())
      req.pipe(upstream)
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as { port: number }
      resolve({ url: `http://127.0.0.1:${address.port}`, close: () => server.close() })
    })
  })

const runOne = (scenario: Scenario, api: Api.Service, baseUrl?: string): Promise<{ lines: Array<string>; stderr: string; code: number | null }> =>
  new Promise((resolve) => {
    const cwd = scenario.cwd ?? fs.mkdtempSync(path.join(os.tmpdir(), `survey-${scenario.name}-`))
    scenario.setup?.(cwd)
    const args = [
      "-p",
      "--input-format",
      "stream-json",
      "--output-format",
      "stream-json",
      "--verbose",
      ...(scenario.partial === false ? [] : ["--include-partial-messages"]),
      ...(typeof scenario.args === "function" ? scenario.args(cwd) : scenario.args ?? [])
    ]
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "CLAUDECODE") env[k] = v
    env.CLAUDE_CODE_ENTRYPOINT = "sdk-ts"
    // anything not for 127.0.0.1 goes to a closed local port: no traffic leaves the machine
    env.HTTPS_PROXY = env.HTTP_PROXY = env.https_proxy = env.http_proxy = "http://127.0.0.1:9"
    env.NO_PROXY = env.no_proxy = "127.0.0.1,localhost"
    Object.assign(env, api.env, scenario.env ?? {})
    if (baseUrl !== undefined) env.ANTHROPIC_BASE_URL = baseUrl
    const child = spawn(claudeBin, args, { cwd, env, stdio: ["pipe", "pipe", "pipe"] })
    const raw: Array<string> = []
    const parsed: Array<Json> = []
    const stdinLog: Array<string> = []
    let stderr = ""
    let buf = ""
    const waiters: Array<{ pred: (m: Json) => boolean; from: number; resolve: (m: Json) => void }> = []
    let stdinOpen = true
    const send = (msg: Json) => {
      if (!stdinOpen) return
      const line = JSON.stringify(msg)
      stdinLog.push(line)
      child.stdin.write(line + "\n")
    }
    let reqN = 0
    const ctx: Ctx = {
      send,
      user: (content) =>
        send({ type: "user", session_id: "", message: { role: "user", content }, parent_tool_use_id: null }),
      waitFor: (pred, timeoutMs = 30_000, label = "") =>
        new Promise((res, rej) => {
          const found = parsed.find(pred)
          if (found) return res(found)
          const w = { pred, from: parsed.length, resolve: res }
          waiters.push(w)
          setTimeout(() => rej(new Error(`timeout waiting ${label}`)), timeoutMs).unref()
        }),
      waitResult: async (timeoutMs = 30_000) => {
        const seen = parsed.filter((m) => m.type === "result").length
        return await new Promise<Json>((res, rej) => {
          let count = seen
          const w = {
            pred: (m: Json) => m.type === "result" && ++count > seen,
            from: parsed.length,
            resolve: res
          }
          waiters.push(w)
          setTimeout(() => rej(new Error("timeout waiting result")), timeoutMs).unref()
        })
      },
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      lines: parsed,
      cwd,
      api,
      closeStdin: () => {
        stdinOpen = false
        child.stdin.end()
      },
      control: (request, timeoutMs = 15_000) => {
        const id = `req_${++reqN}_${request.subtype}`
        send({ type: "control_request", request_id: id, request })
        return ctx.waitFor(
          (m) => m.type === "control_response" && m.response?.request_id === id,
          timeoutMs,
          `control ${id}`
        )
      }
    }
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", (chunk: string) => {
      buf += chunk
      let i: number
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 1)
        if (line.trim() === "") continue
        raw.push(line)
        let m: Json
        try {
          m = JSON.parse(line)
        } catch {
          m = { type: "__invalid_json__", line }
        }
        parsed.push(m)
        if (m.type === "control_request") {
          const custom = (scenario.onControlRequest ?? ((r) => defaultAnswer(r)))(m, ctx)
          // null: leave the request unanswered
          if (custom !== null) {
            const answer = custom ?? defaultAnswer(m)
            send({ type: "control_response", response: { subtype: "success", request_id: m.request_id, response: answer } })
          }
        }
        for (let k = waiters.length - 1; k >= 0; k--) {
          const w = waiters[k]!
          if (w.pred(m)) {
            waiters.splice(k, 1)
            w.resolve(m)
          }
        }
      }
    })
    child.stderr.setEncoding("utf8")
    child.stderr.on("data", (c: string) => {
      stderr += c
    })
    const hard = setTimeout(() => {
      stderr += "\n[survey] hard timeout: SIGTERM\n"
      child.kill("SIGTERM")
      setTimeout(() => child.kill("SIGKILL"), 5000).unref()
    }, scenario.timeoutMs ?? 90_000)
    child.on("exit", (code) => {
      clearTimeout(hard)
      fs.writeFileSync(path.join(outDir, "stdin", `${scenario.name}.jsonl`), stdinLog.join("\n") + "\n")
      resolve({ lines: raw, stderr, code })
    })
    scenario.steps(ctx).then(
      () => {
        if (stdinOpen) ctx.closeStdin()
      },
      (err) => {
        stderr += `\n[survey] steps failed: ${err}\n`
        if (stdinOpen) ctx.closeStdin()
        setTimeout(() => child.kill("SIGTERM"), 3000).unref()
      }
    )
    // closing stdin should end the process; enforce
    const closer = setInterval(() => {
      if (!stdinOpen) {
        clearInterval(closer)
        setTimeout(() => {
          if (child.exitCode === null) {
            stderr += "\n[survey] still running 10s after stdin closed: SIGTERM\n"
            child.kill("SIGTERM")
            setTimeout(() => child.kill("SIGKILL"), 5000).unref()
          }
        }, 10_000).unref()
      }
    }, 200)
    closer.unref()
  })

export const runScenarios = async (scenarios: ReadonlyArray<Scenario>) => {
  fs.mkdirSync(path.join(outDir, "stdin"), { recursive: true })
  fs.mkdirSync(path.join(outDir, "stderr"), { recursive: true })
  fs.mkdirSync(path.join(outDir, "by-scenario"), { recursive: true })
  const only = process.env.ONLY?.split(",")
  for (const scenario of scenarios) {
    if (only && !only.includes(scenario.name)) continue
    const started = Date.now()
    const result = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function*() {
          const api = yield* Api.make(scenario.script ?? [], scenario.apiOptions ?? {})
          const proxy = scenario.proxyHeaders || scenario.proxyRewrite
            ? yield* Effect.promise(() => startProxy(api.port, scenario.proxyHeaders ?? {}, scenario.proxyRewrite))
            : undefined
          const out = yield* Effect.promise(() => runOne(scenario, api, proxy?.url))
          proxy?.close()
          const requests = yield* api.requests
          return { ...out, requests }
        })
      )
    )
    fs.writeFileSync(path.join(outDir, "by-scenario", `${scenario.name}.jsonl`), result.lines.join("\n") + "\n")
    fs.mkdirSync(path.join(outDir, "requests"), { recursive: true })
    fs.writeFileSync(
      path.join(outDir, "requests", `${scenario.name}.json`),
      JSON.stringify(result.requests.map((r) => ({ method: r.method, url: r.url, side: r.side, json: r.json })), null, 1)
    )
    fs.writeFileSync(
      path.join(outDir, "stderr", `${scenario.name}.txt`),
      result.stderr + `\n[survey] exit code ${result.code}\n[survey] requests: ${
        result.requests.map((r) => `${r.method} ${r.url}${r.side ? " (side)" : ""}`).join(", ")
      }\n`
    )
    const types = new Map<string, number>()
    for (const l of result.lines) {
      try {
        const m = JSON.parse(l)
        const k = `${m.type}${m.subtype ? "/" + m.subtype : ""}`
        types.set(k, (types.get(k) ?? 0) + 1)
      } catch {
        types.set("INVALID", (types.get("INVALID") ?? 0) + 1)
      }
    }
    console.log(
      `${scenario.name}: exit ${result.code}, ${result.lines.length} lines, ${Date.now() - started} ms: ${
        [...types].map(([k, v]) => `${k}×${v}`).join(" ")
      }`
    )
    if (result.stderr.includes("[survey]")) console.log("   ", result.stderr.split("\n").filter((l) => l.includes("[survey]")).join(" | "))
  }
}
