/**
 * The Messages API's error types by HTTP status, as the real API answers and the CLI reports
 * them (../shared/docs/protocol.md): shared by the scripted API server and the scripted session.
 *
 * @internal
 */

const types: Readonly<Record<number, string>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error"
}

/** The error type the API gives with `status`. */
export const typeOf = (status: number): string => types[status] ?? "api_error"

/** The `terminal_reason` the CLI (2.1.330) reports after an API error with `status`. */
export const terminalReasonOf = (status: number): string => (status === 413 ? "image_error" : "api_error")
