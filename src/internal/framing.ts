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

/** Splits a byte stream into lines without a length cap unless one is given. */
export class LineSplitter {
  private readonly decoder = new TextDecoder("utf-8")
  private pending: Array<Uint8Array> = []
  private pendingBytes = 0

  constructor(private readonly maxLineBytes: number = Infinity) {}

  /** Feeds one chunk; returns the lines it completed. */
  push(chunk: Uint8Array, out: Array<string> = []): Array<string> {
    let start = 0
    let index = chunk.indexOf(NEWLINE, start)
    while (index !== -1) {
      if (this.pendingBytes === 0) {
        this.check(index - start, chunk.subarray(start, index))
        out.push(this.decode(chunk.subarray(start, index)))
      } else {
        this.pending.push(chunk.subarray(start, index))
        this.pendingBytes += index - start
        this.check(this.pendingBytes, this.pending[0]!)
        out.push(this.decode(this.concatPending()))
      }
      start = index + 1
      index = chunk.indexOf(NEWLINE, start)
    }
    if (start < chunk.length) {
      // Copy: the source buffer may be reused by the stream after this call.
      this.pending.push(chunk.slice(start))
      this.pendingBytes += chunk.length - start
      this.check(this.pendingBytes, this.pending[0]!)
    }
    return out
  }

  /** Returns the last line if the input did not end with a newline. */
  flush(): Array<string> {
    if (this.pendingBytes === 0) return []
    return [this.decode(this.concatPending())]
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
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN ? bytes.length - 1 : bytes.length
    return this.decoder.decode(end === bytes.length ? bytes : bytes.subarray(0, end))
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
