import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Stream from "effect/Stream"
import { LineSplitter, LineTooLong, splitLines } from "../src/internal/framing.js"

const encoder = new TextEncoder()

const splitAll = (bytes: Uint8Array, cuts: ReadonlyArray<number>, maxLineBytes?: number) => {
  const splitter = new LineSplitter(maxLineBytes)
  const out: Array<string> = []
  let last = 0
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    splitter.push(bytes.subarray(last, cut), out)
    last = cut
  }
  splitter.push(bytes.subarray(last), out)
  return [...out, ...splitter.flush()]
}

describe("line framing", () => {
  it("a multi-byte character split at every byte offset", () => {
    for (const char of ["é", "€", "😀"]) {
      const text = `a${char}b\n{"x":"${char}"}\n`
      const bytes = encoder.encode(text)
      for (let cut = 0; cut <= bytes.length; cut++) {
        assert.deepStrictEqual(splitAll(bytes, [cut]), [`a${char}b`, `{"x":"${char}"}`], `${char} at ${cut}`)
      }
    }
  })

  it("the last line without newline is flushed; CRLF stripped; empty lines kept", () => {
    assert.deepStrictEqual(splitAll(encoder.encode("one\r\n\ntwo"), [2, 5]), ["one", "", "two"])
  })

  it("a 64 MiB line comes out whole", () => {
    const size = 64 * 1024 * 1024
    const big = Buffer.alloc(size + 1, 0x61)
    big[size] = 0x0a
    const splitter = new LineSplitter()
    const out: Array<string> = []
    for (let offset = 0; offset < big.length; offset += 64 * 1024) splitter.push(big.subarray(offset, offset + 64 * 1024), out)
    assert.strictEqual(out.length, 1)
    assert.strictEqual(out[0]!.length, size)
  })

  it.effect("a cap fails the stream with ProtocolError instead of buffering", () =>
    Effect.gen(function*() {
      const chunks = Array.from({ length: 100 }, () => encoder.encode("x".repeat(1024)))
      const error = yield* Effect.flip(Stream.runCollect(splitLines(10_000)(Stream.fromIterable(chunks))))
      assert.strictEqual(error._tag, "ProtocolError")
      assert.include(error.message, "10000 bytes")
      const fine = yield* Stream.runCollect(splitLines(10_000)(Stream.make(encoder.encode("short\nlines\n"))))
      assert.deepStrictEqual(Chunk.toReadonlyArray(fine), ["short", "lines"])
    }))

  it("property: any split of any lines into chunks gives the same lines", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.array(FastCheck.string({ unit: "grapheme" }).map((s) => s.replace(/[\r\n]/g, "")), { maxLength: 20 }),
        FastCheck.array(FastCheck.nat(), { maxLength: 10 }),
        FastCheck.boolean(),
        (lines, rawCuts, unterminatedLast) => {
          // every line ends with "\n", except maybe a non-empty last one
          let text = lines.map((line) => `${line}\n`).join("")
          if (unterminatedLast && lines.length > 0 && lines.at(-1) !== "") text = text.slice(0, -1)
          const bytes = encoder.encode(text)
          const cuts = rawCuts.map((cut) => cut % (bytes.length + 1))
          assert.deepStrictEqual(splitAll(bytes, cuts), lines)
        }
      ),
      { numRuns: 300 }
    )
  })

  it("property: under a cap, a line is refused exactly when its UTF-8 bytes exceed it, at any split", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.array(FastCheck.string({ unit: "grapheme", maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, "")), {
          minLength: 1,
          maxLength: 8
        }),
        FastCheck.array(FastCheck.nat(), { maxLength: 6 }),
        FastCheck.integer({ min: 1, max: 40 }),
        (lines, rawCuts, cap) => {
          const bytes = encoder.encode(lines.map((line) => `${line}\n`).join(""))
          const cuts = rawCuts.map((cut) => cut % (bytes.length + 1))
          const tooLong = lines.find((line) => encoder.encode(line).length > cap)
          try {
            assert.deepStrictEqual(splitAll(bytes, cuts, cap), lines)
            assert.isUndefined(tooLong)
          } catch (error) {
            if (!(error instanceof LineTooLong)) throw error
            assert.isDefined(tooLong)
            assert.strictEqual(error.bytes > cap, true)
          }
        }
      ),
      { numRuns: 500 }
    )
  })
})
