/**
 * Newline framing of the CLI's stdout.
 *
 * Splitting happens on bytes: `\n` never occurs inside a multi-byte UTF-8 sequence, so a
 * character split between two chunks is decoded whole with its line. The whole lines of a
 * chunk are decoded in one call (a call per line cost more than the JSON parsing after it).
 * Unlike `Stream.splitLines` this can also enforce a byte cap on a line before buffering it all.
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

/** Splits a byte stream into lines without a length cap unless one is given. */
export class LineSplitter {
  private readonly decoder = new TextDecoder("utf-8")
  private pending: Array<Uint8Array> = []
  private pendingBytes = 0
  private readonly capped: boolean

  constructor(private readonly maxLineBytes: number = Infinity) {
    this.capped = Number.isFinite(maxLineBytes)
  }

  /** Feeds one chunk; returns the lines it completed. */
  push(chunk: Uint8Array, out: Array<string> = []): Array<string> {
    const last = chunk.lastIndexOf(NEWLINE)
    if (last === -1) {
      this.keep(chunk)
      return out
    }
    // the line begun in earlier chunks (or the first line of this one)
    const first = chunk.indexOf(NEWLINE)
    this.pending.push(chunk.subarray(0, first))
    this.pendingBytes += first
    this.check(this.pendingBytes, this.pending[0]!)
    out.push(this.decode(this.concatPending()))
    if (first < last) {
      // the whole lines in between: one decoder call, then split on "\n" in the text
      // (each 0x0a byte decodes to exactly one "\n", and never inside a character)
      if (this.capped) this.checkEach(chunk, first + 1, last)
      const text = this.decoder.decode(chunk.subarray(first + 1, last))
      let start = 0
      let index = text.indexOf("\n")
      while (index !== -1) {
        out.push(withoutCarriageReturn(text.slice(start, index)))
        start = index + 1
        index = text.indexOf("\n", start)
      }
      out.push(withoutCarriageReturn(start === 0 ? text : text.slice(start)))
    }
    if (last + 1 < chunk.length) this.keep(chunk.subarray(last + 1))
    return out
  }

  /** Returns the last line if the input did not end with a newline. */
  flush(): Array<string> {
    if (this.pendingBytes === 0) return []
    return [this.decode(this.concatPending())]
  }

  private keep(part: Uint8Array) {
    // Copy: the source buffer may be reused by the stream after this call.
    this.pending.push(part.slice())
    this.pendingBytes += part.length
    this.check(this.pendingBytes, this.pending[0]!)
  }

  /** Checks the lines of `chunk` that end at the newlines in [from, to]. */
  private checkEach(chunk: Uint8Array, from: number, to: number) {
    let start = from
    while (start <= to) {
      const end = chunk.indexOf(NEWLINE, start)
      this.check(end - start, chunk.subarray(start, end))
      start = end + 1
    }
  }

  private check(bytes: number, head: Uint8Array) {
    if (bytes > this.maxLineBytes) {
      const text = this.decoder.decode(head.subarray(0, 256))
      this.pending = []
      this.pendingBytes = 0
      throw new LineTooLong(bytes, this.maxLineBytes, text)
    }
  }

  private concatPending(): Uint8Array {
    const parts = this.pending
    const total = this.pendingBytes
    this.pending = []
    this.pendingBytes = 0
    if (parts.length === 1) return parts[0]!
    const joined = new Uint8Array(total)
    let offset = 0
    for (const part of parts) {
      joined.set(part, offset)
      offset += part.length
    }
    return joined
  }

  private decode(bytes: Uint8Array): string {
    return withoutCarriageReturn(this.decoder.decode(bytes))
  }
}

const withoutCarriageReturn = (line: string) =>
  line.length > 0 && line.charCodeAt(line.length - 1) === CARRIAGE_RETURN ? line.slice(0, -1) : line

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
