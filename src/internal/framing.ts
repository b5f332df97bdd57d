/**
 * Newline framing of the CLI's stdout.
 *
 * Splitting happens on bytes: `\n` never occurs inside a multi-byte UTF-8 sequence, so a
 * character split between two chunks is decoded whole. The whole lines of a chunk are decoded
 * in one call (a call per line cost more than the JSON parsing after it); a line longer than a
 * chunk is decoded piece by piece and joined as text (copying it as bytes first cost more).
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
  /** The decoded text of the unfinished line. */
  private pendingText = ""
  /** Its last bytes when they end inside a character, decoded with what follows. */
  private carry: Uint8Array | undefined = undefined
  /** The unfinished line's length in bytes. */
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
    this.pendingBytes += first
    this.check(this.pendingBytes)
    out.push(withoutCarriageReturn(this.pendingText + this.decodeWithCarry(chunk.subarray(0, first))))
    this.pendingText = ""
    this.pendingBytes = 0
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
    const line = this.pendingText + this.decodeWithCarry(new Uint8Array(0))
    this.pendingText = ""
    this.pendingBytes = 0
    return [withoutCarriageReturn(line)]
  }

  /**
   * Decodes a piece of an unfinished line now, so that a long line is never copied as bytes:
   * its text is joined from the pieces (a rope, flattened once by the JSON parser). Bytes of a
   * character cut at the end wait in `carry`.
   */
  private keep(piece: Uint8Array) {
    this.pendingBytes += piece.length
    this.check(this.pendingBytes)
    const bytes = this.withCarry(piece)
    const complete = completePrefix(bytes)
    this.pendingText += this.decoder.decode(bytes.subarray(0, complete))
    // Copy: the source buffer may be reused by the stream after this call.
    this.carry = complete < bytes.length ? bytes.slice(complete) : undefined
  }

  private decodeWithCarry(piece: Uint8Array): string {
    return this.decoder.decode(this.withCarry(piece))
  }

  private withCarry(piece: Uint8Array): Uint8Array {
    const carry = this.carry
    if (carry === undefined) return piece
    this.carry = undefined
    const joined = new Uint8Array(carry.length + piece.length)
    joined.set(carry, 0)
    joined.set(piece, carry.length)
    return joined
  }

  /** Checks the lines of `chunk` that end at the newlines in [from, to]. */
  private checkEach(chunk: Uint8Array, from: number, to: number) {
    let start = from
    while (start <= to) {
      const end = chunk.indexOf(NEWLINE, start)
      if (end - start > this.maxLineBytes) this.refuse(end - start, this.decoder.decode(chunk.subarray(start, start + 256)))
      start = end + 1
    }
  }

  private check(bytes: number) {
    if (bytes > this.maxLineBytes) this.refuse(bytes, this.pendingText.slice(0, 256))
  }

  private refuse(bytes: number, head: string): never {
    this.pendingText = ""
    this.carry = undefined
    this.pendingBytes = 0
    throw new LineTooLong(bytes, this.maxLineBytes, head)
  }
}

/** The length of the longest prefix of `bytes` that does not end inside a UTF-8 character. */
const completePrefix = (bytes: Uint8Array): number => {
  let lead = bytes.length - 1
  while (lead >= 0 && bytes.length - lead <= 3 && (bytes[lead]! & 0xc0) === 0x80) lead--
  if (lead < 0) return bytes.length
  const byte = bytes[lead]!
  const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
  return bytes.length - lead >= size ? bytes.length : lead
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
