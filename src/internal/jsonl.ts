/**
 * JSON-lines files read as streams: bounded memory whatever the file's size.
 *
 * @internal
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { excerpt, MalformedEntry, TranscriptError } from "../ClaudeError.js"

/** A line of a file with its 1-based number. */
export interface Line {
  readonly text: string
  readonly number: number
}

const CHUNK = 64 * 1024

/** The non-empty lines of a file, numbered; a failed read is a `TranscriptError`. */
export const lines = (fs: FileSystem.FileSystem, path: string): Stream.Stream<Line, TranscriptError> =>
  fs.stream(path, { chunkSize: CHUNK }).pipe(
    Stream.decodeText(),
    Stream.splitLines,
    Stream.zipWithIndex,
    Stream.filter(([text]) => text.length > 0),
    Stream.map(([text, index]): Line => ({ text, number: index + 1 })),
    Stream.mapError((error) => new TranscriptError({ reason: "Unreadable", path, description: error.message }))
  )

/** A JSON object parsed from a line, or the `MalformedEntry` saying why not. */
export const parseObject = (
  path: string,
  line: Line
): Effect.Effect<Record<string, unknown>, MalformedEntry> =>
  Effect.suspend(() => {
    try {
      const json: unknown = JSON.parse(line.text)
      if (typeof json === "object" && json !== null && !Array.isArray(json)) {
        return Effect.succeed(json as Record<string, unknown>)
      }
      return Effect.fail(malformed(path, line, "not a JSON object"))
    } catch (cause) {
      return Effect.fail(malformed(path, line, cause instanceof Error ? cause.message : "invalid JSON"))
    }
  })

/** The error for a bad line. */
export const malformed = (path: string, line: Line, description: string) =>
  new MalformedEntry({ path, line: line.number, text: excerpt(line.text, 300), description })
