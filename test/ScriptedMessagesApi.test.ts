import { assert, describe, it, layer } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import * as Api from "../src/ScriptedMessagesApi.js"

// --- a tiny client, as the CLI would call the server -------------------------------------

interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
}

interface SseEvent {
  readonly event: string
  readonly data: Record<string, unknown>
}

const tools = [{ name: "Bash", description: "Runs a command", input_schema: { type: "object" } }]

const userText = (text: string) => ({ role: "user", content: text })

/** A conversation request as the CLI sends it: streamed, with tools and a large max_tokens. */
const conversation = (
  messages: ReadonlyArray<unknown>,
  extra: Record<string, unknown> = {}
): Record<string, unknown> => ({
  model: "claude-test-1",
  max_tokens: 32000,
  stream: true,
  system: [{ type: "text", text: "You are a test." }],
  tools,
  messages,
  ...extra
})

const call = (
  api: Api.Service,
  path: string,
  init: {
    readonly method?: string
    readonly body?: unknown
    /** A body sent as is, not as JSON. */
    readonly rawBody?: string
    readonly headers?: Record<string, string>
  } = {}
) =>
  Effect.tryPromise(async (signal): Promise<Answer> => {
    const response = await fetch(api.url + path, {
      method: init.method ?? "POST",
      headers: { "content-type": "application/json", "x-api-key": "sk-ant-secret", ...init.headers },
      ...(init.rawBody !== undefined
        ? { body: init.rawBody }
        : init.body === undefined
        ? {}
        : { body: JSON.stringify(init.body) }),
      signal
    })
    return { status: response.status, headers: response.headers, text: await response.text() }
  })

const post = (api: Api.Service, body: unknown) => call(api, "/v1/messages?beta=true", { body })

const parseSse = (text: string): Array<SseEvent> =>
  text.split("\n\n").filter((frame) => frame.trim().length > 0).map((frame) => {
    const lines = frame.split("\n")
    const event = lines.find((line) => line.startsWith("event: "))!.slice(7)
    const data = JSON.parse(lines.find((line) => line.startsWith("data: "))!.slice(6)) as Record<string, unknown>
    return { event, data }
  })

const stream = (api: Api.Service, body: unknown) =>
  Effect.map(post(api, body), (answer) => {
    assert.strictEqual(answer.status, 200)
    assert.include(answer.headers.get("content-type") ?? "", "text/event-stream")
    return parseSse(answer.text)
  })

const deltas = (events: ReadonlyArray<SseEvent>, type: string, field: string) =>
  events.flatMap(({ data }) => {
    const delta = data.delta as Record<string, unknown> | undefined
    return data.type === "content_block_delta" && delta?.type === type ? [String(delta[field])] : []
  }).join("")

/** The text the scripted model streamed back for one user message. */
const say = (api: Api.Service, text: string) =>
  Effect.map(stream(api, conversation([userText(text)])), (events) => deltas(events, "text_delta", "text"))

// --- tests --------------------------------------------------------------------------------

describe("ScriptedMessagesApi", () => {
  it.scoped("binds 127.0.0.1 on an ephemeral port; env points the CLI at it", () =>
    Effect.gen(function*() {
      const api = yield* Api.make()
      assert.isTrue(api.port > 0)
      assert.strictEqual(api.url, `http://127.0.0.1:${api.port}`)
      assert.strictEqual(api.env.ANTHROPIC_BASE_URL, api.url)
      assert.isString(api.env.ANTHROPIC_API_KEY)
      assert.isString(api.env.HOME)
      assert.strictEqual(api.env.CLAUDE_CODE_MAX_RETRIES, "0")
      assert.strictEqual(api.env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC, "1")
    }))

  it.effect("the fresh HOME is an empty temp directory, removed (with the server) when the scope closes", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const api = yield* Scope.extend(Api.make(), scope)
      const home = api.env.HOME!
      assert.strictEqual(path.dirname(home), os.tmpdir())
      assert.match(path.basename(home), /^claude-home-/)
      assert.deepStrictEqual(fs.readdirSync(home), [])
      fs.writeFileSync(path.join(home, ".claude.json"), "{}")
      assert.strictEqual((yield* post(api, conversation([userText("hi")]))).status, 200)
      yield* Scope.close(scope, Exit.void)
      assert.isFalse(fs.existsSync(home), "HOME is removed, with what the CLI wrote in it")
      const after = yield* Effect.either(post(api, conversation([userText("hi")])))
      assert.strictEqual(after._tag, "Left", "the server is closed too")
    }))

  it.scoped("a text reply streams the events of the real API, in order", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.text("Hello from the script.", { usage: { input_tokens: 7, output_tokens: 5 } })
      ])
      const events = yield* stream(api, conversation([userText("hi")]))
      const kinds = events.map((event) => event.event)
      assert.deepStrictEqual(kinds.slice(0, 3), ["message_start", "ping", "content_block_start"])
      assert.deepStrictEqual(kinds.slice(-3), ["content_block_stop", "message_delta", "message_stop"])
      assert.isTrue(kinds.filter((kind) => kind === "content_block_delta").length >= 2)
      // the SSE `event:` name and the data's `type` agree
      for (const event of events) assert.strictEqual(event.data.type, event.event)
      const start = events[0]!.data.message as Record<string, unknown>
      assert.strictEqual(start.model, "claude-test-1")
      assert.strictEqual(start.role, "assistant")
      assert.deepStrictEqual(start.content, [])
      assert.deepStrictEqual(events[2]!.data.content_block, { type: "text", text: "" })
      assert.strictEqual(deltas(events, "text_delta", "text"), "Hello from the script.")
      const messageDelta = events.at(-2)!.data
      assert.deepStrictEqual(messageDelta.delta, { stop_reason: "end_turn", stop_sequence: null })
      assert.deepStrictEqual(messageDelta.usage, { input_tokens: 7, output_tokens: 5 })
    }))

  it.scoped("a tool call: input_json_delta pieces, stop_reason tool_use, ids given or generated", () =>
    Effect.gen(function*() {
      const input = { command: "echo hi", description: "say hi" }
      const api = yield* Api.make([
        Api.toolCall("Bash", input, { id: "toolu_given", text: "Let me run it." }),
        Api.toolCalls([{ name: "Read", input: { file_path: "/a" } }, { name: "Read", input: { file_path: "/b" } }])
      ])
      const events = yield* stream(api, conversation([userText("run it")]))
      const starts = events.filter((event) => event.event === "content_block_start").map((event) => event.data)
      assert.deepStrictEqual(starts.map((start) => start.index), [0, 1])
      assert.deepStrictEqual(starts[1]!.content_block, { type: "tool_use", id: "toolu_given", name: "Bash", input: {} })
      const pieces = events.filter((event) =>
        (event.data.delta as Record<string, unknown> | undefined)?.type === "input_json_delta"
      )
      assert.isTrue(pieces.length > 1, "the input JSON is split into a few pieces")
      assert.deepStrictEqual(JSON.parse(deltas(events, "input_json_delta", "partial_json")), input)
      assert.strictEqual((events.at(-2)!.data.delta as Record<string, unknown>).stop_reason, "tool_use")

      const two = yield* stream(api, conversation([userText("read both")]))
      const blocks = two.filter((event) => event.event === "content_block_start")
        .map((event) => event.data.content_block as Record<string, unknown>)
      assert.deepStrictEqual(blocks.map((block) => block.name), ["Read", "Read"])
      assert.notStrictEqual(blocks[0]!.id, blocks[1]!.id)
      assert.match(String(blocks[0]!.id), /^toolu_/)
    }))

  it.scoped("thinking: thinking_delta pieces and a signature_delta, then the text block", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.thinking("Let me consider this carefully.", "Answer.")])
      const events = yield* stream(api, conversation([userText("think")]))
      const starts = events.filter((event) => event.event === "content_block_start")
        .map((event) => (event.data.content_block as Record<string, unknown>).type)
      assert.deepStrictEqual(starts, ["thinking", "text"])
      assert.strictEqual(deltas(events, "thinking_delta", "thinking"), "Let me consider this carefully.")
      assert.isTrue(deltas(events, "signature_delta", "signature").length > 0)
      // the signature ends the thinking block
      const thinkingEvents = events.filter((event) => event.data.index === 0).map((event) => event.event)
      assert.deepStrictEqual(thinkingEvents.slice(-2), ["content_block_delta", "content_block_stop"])
      assert.strictEqual(deltas(events, "text_delta", "text"), "Answer.")
    }))

  it.scoped("error statuses answer with Anthropic's error body, and x-should-retry unless retryable", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.error(429),
        Api.error(500, "boom"),
        Api.error(529),
        Api.error(529, "busy", { retryable: true }),
        Api.text("back")
      ])
      const expected: ReadonlyArray<readonly [number, string, string, string]> = [
        [429, "rate_limit_error", "scripted error", "false"],
        [500, "api_error", "boom", "false"],
        [529, "overloaded_error", "scripted error", "false"],
        [529, "overloaded_error", "busy", "true"]
      ]
      for (const [status, type, message, retry] of expected) {
        const answer = yield* post(api, conversation([userText("hi")]))
        assert.strictEqual(answer.status, status)
        assert.deepStrictEqual(JSON.parse(answer.text), { type: "error", error: { type, message } })
        assert.strictEqual(answer.headers.get("x-should-retry"), retry)
      }
      assert.strictEqual(yield* say(api, "again"), "back")
    }))

  it.scoped("a scripted stop reason (a refusal) in the stream and in a JSON message", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.text("I can't help", { stopReason: "refusal" }), Api.text("no", { stopReason: "refusal" })])
      const events = yield* stream(api, conversation([userText("hi")]))
      assert.deepStrictEqual(events.at(-2)!.data.delta, { stop_reason: "refusal", stop_sequence: null })
      const answer = yield* post(api, conversation([userText("again")], { stream: false }))
      assert.strictEqual((JSON.parse(answer.text) as Record<string, unknown>).stop_reason, "refusal")
    }))

  it.scoped("without stream: one JSON message", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.toolCall("Bash", { command: "ls" }, { text: "Listing." })])
      const answer = yield* post(api, conversation([userText("list")], { stream: false }))
      assert.strictEqual(answer.status, 200)
      const message = JSON.parse(answer.text) as Record<string, unknown>
      assert.strictEqual(message.type, "message")
      assert.strictEqual(message.stop_reason, "tool_use")
      const content = message.content as Array<Record<string, unknown>>
      assert.deepStrictEqual(content.map((block) => block.type), ["text", "tool_use"])
      assert.deepStrictEqual(content[1]!.input, { command: "ls" })
      assert.isTrue((message.usage as { output_tokens: number }).output_tokens > 0)
    }))

  it.scoped("other endpoints: count_tokens, /api/hello, 404 for the rest; all recorded", () =>
    Effect.gen(function*() {
      const api = yield* Api.make()
      const count = yield* call(api, "/v1/messages/count_tokens?beta=true", { body: conversation([userText("hi")]) })
      assert.strictEqual(count.status, 200)
      assert.isTrue((JSON.parse(count.text) as { input_tokens: number }).input_tokens > 0)
      const hello = yield* call(api, "/api/hello", { method: "HEAD" })
      assert.strictEqual(hello.status, 200)
      const missing = yield* call(api, "/v1/models", { method: "GET" })
      assert.strictEqual(missing.status, 404)
      assert.strictEqual((JSON.parse(missing.text) as { error: { type: string } }).error.type, "not_found_error")
      const requests = yield* api.requests
      assert.deepStrictEqual(requests.map((request) => `${request.method} ${request.path}`), [
        "POST /v1/messages/count_tokens",
        "HEAD /api/hello",
        "GET /v1/models"
      ])
      assert.strictEqual(requests[0]!.url, "/v1/messages/count_tokens?beta=true")
      assert.isTrue(requests.every((request) => request.side))
      assert.deepStrictEqual(yield* api.messageRequests, [])
    }))

  it.scoped("records every request: headers with secrets redacted, JSON body, decoded body", () =>
    Effect.gen(function*() {
      const api = yield* Api.make(["one", "two"])
      const png = "iVBORw0KGgo="
      yield* post(api, conversation([userText("first")]))
      yield* call(api, "/v1/messages?beta=true", {
        body: conversation([{
          role: "user",
          content: [
            { type: "text", text: "<system-reminder>\nnoise\n</system-reminder>\n" },
            { type: "text", text: "what is this?" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: png } }
          ]
        }]),
        headers: {
          authorization: "Bearer secret",
          "proxy-authorization": "Basic secret",
          cookie: "session=secret",
          "x-claude-code-agent-id": "agent-7"
        }
      })
      const requests = yield* api.requests
      assert.strictEqual(requests.length, 2)
      const [first, second] = requests
      assert.strictEqual(first!.method, "POST")
      assert.strictEqual(first!.path, "/v1/messages")
      assert.strictEqual(first!.url, "/v1/messages?beta=true")
      // credentials are Redacted: readable on purpose, never printed or logged
      const apiKey = first!.headers["x-api-key"]
      assert.isTrue(Redacted.isRedacted(apiKey) && Redacted.value(apiKey) === "sk-ant-secret")
      assert.strictEqual(String(apiKey), "<redacted>")
      for (const name of ["x-api-key", "authorization", "proxy-authorization", "cookie"]) {
        assert.isTrue(Redacted.isRedacted(second!.headers[name]), name)
      }
      assert.notInclude(JSON.stringify(requests), "secret")
      assert.strictEqual(first!.headers["content-type"], "application/json")
      assert.strictEqual((first!.json as { model: string }).model, "claude-test-1")
      assert.isFalse(first!.side)
      assert.isUndefined(first!.agentId)
      assert.strictEqual(second!.agentId, "agent-7")

      const bodies = yield* api.messageRequests
      assert.strictEqual(bodies.length, 2)
      const body = bodies[1]!
      assert.strictEqual(body.model, "claude-test-1")
      assert.isTrue(body.stream)
      assert.strictEqual(body.systemText, "You are a test.")
      assert.deepStrictEqual(body.toolNames, ["Bash"])
      assert.strictEqual(body.lastUserText, "what is this?", "system reminders are left out")
      const image = body.lastUserBlocks.find((block) => block.type === "image")
      assert.deepStrictEqual(image?.source, { type: "base64", media_type: "image/png", data: png })
      assert.strictEqual(body.raw.max_tokens, 32000)
    }))

  it.scoped("matchers: the first unused matching turn answers; skipped turns wait for their request", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.turn("weather", Api.text("sunny")),
        Api.turn(/^capital of (\w+)$/, (request) => Api.text(`asked: ${request.lastUserText}`)),
        Api.turn({ lastUserText: "bye", model: "claude-test-1" }, Api.text("goodbye")),
        Api.turn({ model: /haiku/ }, Api.text("small model")),
        Api.turn((request) => request.messages.length > 2, Api.text("long conversation"))
      ])
      assert.strictEqual(yield* say(api, "capital of France"), "asked: capital of France")
      assert.strictEqual(yield* say(api, "bye now"), "goodbye")
      assert.strictEqual(yield* say(api, "what is the weather?"), "sunny")
      assert.strictEqual(yield* api.remaining, 2)
      const haiku = yield* stream(api, conversation([userText("x")], { model: "claude-haiku-4-5" }))
      assert.strictEqual(deltas(haiku, "text_delta", "text"), "small model")
      const long = yield* stream(
        api,
        conversation([userText("a"), { role: "assistant", content: "b" }, userText("c")])
      )
      assert.strictEqual(deltas(long, "text_delta", "text"), "long conversation")
      assert.strictEqual(yield* api.remaining, 0)
    }))

  it.scoped("tool result matchers: by tool_use id, by tool name, or any", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.turn({ toolResultFor: "Read" }, Api.text("read done")),
        Api.turn({ toolResultFor: "toolu_b" }, Api.text("b done")),
        Api.turn({ toolResult: true }, Api.text("some result")),
        Api.turn({ toolResult: false }, Api.text("no result"))
      ])
      const after = (id: string, name: string) =>
        Effect.map(
          stream(
            api,
            conversation([
              userText("go"),
              { role: "assistant", content: [{ type: "tool_use", id, name, input: {} }] },
              { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "ok", is_error: false }] },
              // the CLI may end the list with a system message; the last *user* message counts
              { role: "system", content: [{ type: "text", text: "# Environment" }] }
            ])
          ),
          (events) => deltas(events, "text_delta", "text")
        )
      assert.strictEqual(yield* after("toolu_b", "Bash"), "b done")
      assert.strictEqual(yield* after("toolu_c", "Read"), "read done")
      assert.strictEqual(yield* after("toolu_d", "Grep"), "some result")
      assert.strictEqual(yield* say(api, "plain"), "no result")
    }))

  it.scoped("script exhaustion: a default text, or the configured fallback; push and setScript add turns", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.turn("only this", Api.text("matched"))])
      assert.strictEqual(yield* say(api, "something else"), "(the script has no more turns)")
      assert.strictEqual(yield* api.remaining, 1)
      yield* api.push("pushed one", Api.text("pushed two"))
      assert.strictEqual(yield* say(api, "only this"), "matched")
      assert.strictEqual(yield* say(api, "x"), "pushed one")
      yield* api.setScript([Api.turn("new", Api.text("replaced"))])
      assert.strictEqual(yield* api.remaining, 1)
      assert.strictEqual(yield* say(api, "x"), "(the script has no more turns)")
      assert.strictEqual(yield* say(api, "new"), "replaced")

      const custom = yield* Api.make([], { fallback: Api.error(529) })
      const answer = yield* post(custom, conversation([userText("hi")]))
      assert.strictEqual(answer.status, 529)
    }))

  it.scoped("side requests (no tools; not streamed or small max_tokens) never use a turn", () =>
    Effect.gen(function*() {
      const api = yield* Api.make(["the conversation's answer"])
      // the CLI's model check on set_model, as seen with 2.1.330
      const check = yield* post(api, {
        model: "claude-sonnet-4-5",
        max_tokens: 1,
        system: [{ type: "text", text: "You are Claude Code, Anthropic's official CLI for Claude." }],
        messages: [{ role: "user", content: [{ type: "text", text: "Hi", cache_control: { type: "ephemeral" } }] }],
        metadata: { user_id: "x" }
      })
      assert.strictEqual(check.status, 200)
      const message = JSON.parse(check.text) as { content: Array<{ text: string }>; usage: { input_tokens: number } }
      assert.strictEqual(message.content[0]!.text, "OK")
      assert.isTrue(message.usage.input_tokens > 0)
      // a small streamed one (titles, summaries)
      const title = yield* stream(api, {
        model: "claude-haiku-4-5",
        max_tokens: 512,
        stream: true,
        messages: [userText("t")]
      })
      assert.strictEqual(deltas(title, "text_delta", "text"), "OK")
      assert.strictEqual(yield* api.remaining, 1)
      assert.strictEqual(yield* say(api, "hello"), "the conversation's answer")
      assert.strictEqual((yield* api.sideRequests).length, 2)
      assert.strictEqual((yield* api.messageRequests).length, 1)
      assert.deepStrictEqual((yield* api.requests).map((request) => request.side), [true, true, false])

      // a custom test
      const all = yield* Api.make(["turn"], { isSideRequest: () => false })
      const answer = yield* post(all, { model: "m", max_tokens: 1, messages: [userText("Hi")] })
      assert.strictEqual((JSON.parse(answer.text) as { content: Array<{ text: string }> }).content[0]!.text, "turn")
    }))

  it.scoped("a malformed body (not JSON, not an object, not a Messages request) answers 400, and is recorded", () =>
    Effect.gen(function*() {
      const api = yield* Api.make(["kept"])
      const invalid = (answer: Answer) => {
        assert.strictEqual(answer.status, 400)
        const body = JSON.parse(answer.text) as { type: string; error: { type: string; message: string } }
        assert.strictEqual(body.type, "error")
        assert.strictEqual(body.error.type, "invalid_request_error")
        return body.error.message
      }
      const wrongShape = invalid(yield* post(api, { messages: "nope" }))
      assert.include(wrongShape, "model", "the Schema's message names what is missing")
      invalid(yield* call(api, "/v1/messages", { rawBody: "{not json" }))
      invalid(yield* post(api, [1, 2]))
      invalid(yield* call(api, "/v1/messages", { rawBody: "" }))
      const requests = yield* api.requests
      assert.deepStrictEqual(
        requests.map((request) => request.json),
        [{ messages: "nope" }, "{not json", [1, 2], undefined],
        "the body as JSON, else its text"
      )
      assert.isTrue(requests.every((request) => request.body === undefined && !request.side))
      assert.strictEqual(yield* api.remaining, 1)
      assert.strictEqual(yield* say(api, "then a good one"), "kept")
    }))

  it.live("a slow stream waits between events", () =>
    Effect.scoped(Effect.gen(function*() {
      const api = yield* Api.make([Api.slow("one two three four", 40)])
      const started = yield* Clock.currentTimeMillis
      const events = yield* stream(api, conversation([userText("slow")]))
      const elapsed = (yield* Clock.currentTimeMillis) - started
      assert.strictEqual(deltas(events, "text_delta", "text"), "one two three four")
      assert.isTrue(events.filter((event) => event.event === "content_block_delta").length === 4, "one word a delta")
      assert.isTrue(elapsed >= (events.length - 1) * 40 - 20, `took ${elapsed} ms`)
    })))

  it.scoped("the server runs on the live clock: a slow stream ends under a caller's TestClock", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.slow("not frozen", 5)])
      const events = yield* stream(api, conversation([userText("slow")]))
      assert.strictEqual(deltas(events, "text_delta", "text"), "not frozen")
      assert.strictEqual(yield* Clock.currentTimeMillis, 0, "the test's clock never moved")
    }))

  it.live("a client that disconnects mid-stream interrupts the reply; the server goes on", () =>
    Effect.scoped(Effect.gen(function*() {
      const words = Array.from({ length: 500 }, (_, i) => `w${i}`).join(" ")
      const api = yield* Api.make([Api.slow(words, 20), Api.text("still here")])
      const controller = new AbortController()
      const firstChunk = yield* Effect.promise(async () => {
        const response = await fetch(`${api.url}/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(conversation([userText("slow")])),
          signal: controller.signal
        })
        const reader = response.body!.getReader()
        const chunk = await reader.read()
        controller.abort()
        return new TextDecoder().decode(chunk.value)
      })
      assert.include(firstChunk, "event: message_start")
      yield* Effect.sleep("100 millis")
      assert.strictEqual(yield* say(api, "next"), "still here")
    })))
})

layer(Api.layer([Api.turn("ping", Api.text("pong"))]))("as a Layer", (it) => {
  it.effect("the service is in the context", () =>
    Effect.gen(function*() {
      const api = yield* Api.ScriptedMessagesApi
      assert.strictEqual(yield* say(api, "ping"), "pong")
      const [request] = yield* api.messageRequests
      assert.strictEqual(request!.lastUserText, "ping")
    }))
})
