/**
 * JSON-lines files read as streams: bounded memory whatever the file's size. Lines are split
 * on bytes by the session's own framing (much cheaper than decoding then `Stream.splitLines`
 * on 100 MB), numbered, and parsed only when the caller asks.
 *
 * @internal
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { excerpt, MalformedEntry, TranscriptError } from "../ClaudeError.js"
import { splitLines } from "./framing.js"

/** A line of a file with its 1-based number. */
export interface Line {
  readonly text: string
  readonly number: number
}

// big reads, a few ahead of the parsing: the file is read while lines are parsed
const CHUNK = 1024 * 1024
const READ_AHEAD = 4

/** The non-empty lines of a file, numbered; a failed read is a `TranscriptError`. */
export const lines = (fs: FileSystem.FileSystem, path: string): Stream.Stream<Line, TranscriptError> =>
  Stream.suspend(() => {
    let number = 0
    return fs.stream(path, { chunkSize: CHUNK }).pipe(
      Stream.buffer({ capacity: READ_AHEAD }),
      splitLines(),
      Stream.mapChunks((chunk) => {
        const out: Array<Line> = []
        for (const text of chunk) {
          number++
          // blank (or whitespace-only) lines are no entries, as the CLI and the SDK read them
          if (text.trim().length > 0) out.push({ text, number })
        }
        return Chunk.unsafeFromArray(out)
      }),
      Stream.mapError((error) => new TranscriptError({ reason: "Unreadable", path, description: error.message }))
    )
  })

/** A JSON object parsed from a line, or the `MalformedEntry` saying why not. */
export const parseObject = (path: string, line: Line): Either.Either<Record<string, unknown>, MalformedEntry> => {
  try {
    const json: unknown = JSON.parse(line.text)
    return typeof json === "object" && json !== null && !Array.isArray(json)
      ? Either.right(json as Record<string, unknown>)
      : Either.left(malformed(path, line, "not a JSON object"))
  } catch (cause) {
    return Either.left(malformed(path, line, cause instanceof Error ? cause.message : "invalid JSON"))
  }
}

/** The error for a bad line. */
export const malformed = (path: string, line: Line, description: string) =>
  new MalformedEntry({ path, line: line.number, text: excerpt(line.text, 300), description })
