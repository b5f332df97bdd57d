import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeSession from "../src/ClaudeSession.js"
import * as Api from "../src/ScriptedMessagesApi.js"
import { claudeBin, platform } from "./utils.js"

const real = (api: Api.Service, options: ClaudeSession.MakeOptions = {}) =>
  ClaudeSession.make({ executable: claudeBin, closeGracePeriod: "3 seconds", terminateGracePeriod: "3 seconds", ...options, env: { ...api.env, ...options.env } })

describe("real claude CLI against the scripted Messages API", { timeout: 60_000 }, () => {
  it.scopedLive("a text turn", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.turn("hello", Api.text("Hi! I am scripted."))])
      const session = yield* real(api)
      const outcome = yield* session.turn("hello there")
      assert.strictEqual(outcome.text, "Hi! I am scripted.")
      const requests = yield* api.messageRequests
      assert.strictEqual(requests.length, 1)
      assert.include(requests[0]!.lastUserText, "hello there")
    }).pipe(Effect.provide(platform)))
})
