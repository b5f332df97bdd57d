import { assert, describe, it } from "@effect/vitest"
import * as Option from "effect/Option"
import * as ClaudeTurn from "../src/ClaudeTurn.js"
import * as ClaudeSessionTest from "../src/ClaudeSessionTest.js"

const apiError = (result: Parameters<typeof ClaudeTurn.errorOf>[0]) => {
  const error = Option.getOrThrow(ClaudeTurn.errorOf(result))
  assert.strictEqual(error._tag, "ApiError")
  return error as ClaudeTurn.ApiError
}

describe("ClaudeTurn.errorOf", () => {
  it("an API error is classified from the CLI's status, type and terminal reason", () => {
    const cases: ReadonlyArray<readonly [number, ClaudeTurn.ApiError["kind"], string, boolean]> = [
      [529, "Overloaded", "overloaded_error", true],
      [500, "Server", "api_error", true],
      [429, "RateLimited", "rate_limit_error", true],
      [401, "Authentication", "authentication_error", false],
      [413, "RequestTooLarge", "request_too_large", false],
      [400, "InvalidRequest", "invalid_request_error", false]
    ]
    for (const [status, kind, type, retryable] of cases) {
      const error = apiError(ClaudeSessionTest.apiErrorResult(status))
      assert.deepStrictEqual([error.kind, error.status, error.errorType, error.retryable], [kind, status, type, retryable])
      assert.include(error.message, `HTTP ${status} ${type}`)
    }
    const long = apiError(ClaudeSessionTest.apiErrorResult(400, { terminal_reason: "prompt_too_long" }))
    assert.strictEqual(long.kind, "PromptTooLong")
    assert.strictEqual(long.terminalReason, "prompt_too_long")
  })

  it("words in the message never decide the kind", () => {
    const error = apiError(ClaudeSessionTest.result({ is_error: true, result: "API Error: 529 Overloaded, rate limit" }))
    assert.deepStrictEqual([error.kind, error.status, error.errorType, error.retryable], ["Other", null, null, false])
  })
})
