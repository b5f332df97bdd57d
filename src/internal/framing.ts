/**
 * Newline framing of the CLI's stdout.
 *
 * Splitting happens on bytes: `\n` never occurs inside a multi-byte UTF-8 sequence, so a
 * character split between two chunks is decoded whole with its line. Unlike
 * `Stream.splitLines` this can also enforce a byte cap on a line before buffering it all.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { ProtocolError } from "../ClaudeError.js"

const NEWLINE = 0x0a
const CARRIAGE_RETURN = 0x0d

/** Thrown by {@link LineSplitter.push} when a line exceeds the cap. */
export class LineTooLong {
  constructor(readonly bytes: number, readonly cap: number, readonly head: string) {}
}

/**
 * Splits a byte stream into lines, without a length cap unless one is given. Each chunk is
 * decoded once (`stream: true` keeps a character split across chunks whole) and cut on "\n";
 * the byte cap is checked on the bytes since the last newline, before they are kept.
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder("utf-8")
  private pending = ""
  private pendingBytes = 0

  constructor(private readonly maxLineBytes: number = Infinity) {}

  /** Feeds one chunk; returns the lines it completed. */
  push(chunk: Uint8Array, out: Array<string> = []): Array<string> {
    const lastNewline = chunk.lastIndexOf(NEWLINE)
    if (lastNewline === -1) {
      this.pendingBytes += chunk.length
      this.check(this.pendingBytes, chunk)
      this.pending += this.decoder.decode(chunk, { stream: true })
      return out
    }
    const firstNewline = chunk.indexOf(NEWLINE)
    this.check(this.pendingBytes + firstNewline, chunk)
    const text = this.decoder.decode(chunk, { stream: true })
    let start = 0
    let index = text.indexOf("\n")
    let line = this.pending + text.slice(0, index)
    for (;;) {
      out.push(line.length > 0 && line.charCodeAt(line.length - 1) === CARRIAGE_RETURN ? line.slice(0, -1) : line)
      start = index + 1
      index = text.indexOf("\n", start)
      if (index === -1) break
      line = text.slice(start, index)
    }
    this.pending = text.slice(start)
    this.pendingBytes = chunk.length - lastNewline - 1
    if (this.maxLineBytes !== Infinity) this.checkLines(chunk, firstNewline, lastNewline)
    this.check(this.pendingBytes, chunk.subarray(lastNewline + 1))
    return out
  }

  /** Returns the last line if the input did not end with a newline. */
  flush(): Array<string> {
    const rest = this.pending + this.decoder.decode()
    this.pending = ""
    this.pendingBytes = 0
    if (rest.length === 0) return []
    return [rest.charCodeAt(rest.length - 1) === CARRIAGE_RETURN ? rest.slice(0, -1) : rest]
  }

  // complete lines inside one chunk can be over the cap too
  private checkLines(chunk: Uint8Array, first: number, last: number) {
    let previous = first
    while (previous < last) {
      const next = chunk.indexOf(NEWLINE, previous + 1)
      this.check(next - previous - 1, chunk.subarray(previous + 1))
      previous = next
    }
  }

  private check(bytes: number, head: Uint8Array) {
    if (bytes > this.maxLineBytes) {
      const text = new TextDecoder().decode(head.subarray(0, 256))
      this.pending = ""
      this.pendingBytes = 0
      throw new LineTooLong(bytes, this.maxLineBytes, text)
    }
  }
}

const tooLong = (error: LineTooLong) =>
  new ProtocolError({
    description: `a line is longer than the configured cap of ${error.cap} bytes (at least ${error.bytes} bytes)`,
    line: error.head
  })

/** Splits a byte stream into lines (no trailing newline needed on the last one). */
export const splitLines = (maxLineBytes?: number) =>
<E, R>(bytes: Stream.Stream<Uint8Array, E, R>): Stream.Stream<string, E | ProtocolError, R> =>
  Stream.suspend(() => {
    const splitter = new LineSplitter(maxLineBytes)
    const run = <A>(f: () => A): Effect.Effect<A, ProtocolError> =>
      Effect.suspend(() => {
        try {
          return Effect.succeed(f())
        } catch (error) {
          if (error instanceof LineTooLong) return Effect.fail(tooLong(error))
          return Effect.die(error)
        }
      })
    return bytes.pipe(
      Stream.mapChunksEffect((chunk) =>
        run(() => {
          const out: Array<string> = []
          const array = Chunk.toReadonlyArray(chunk)
          for (let i = 0; i < array.length; i++) splitter.push(array[i]!, out)
          return Chunk.unsafeFromArray(out)
        })
      ),
      Stream.concat(Stream.fromIterableEffect(run(() => splitter.flush())))
    )
  })
