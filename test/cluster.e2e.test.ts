/**
 * ClaudeSessionEntity (`effect-claude-session/cluster`) with the real claude CLI (2.1.330),
 * offline: the protocol on the in-process test client, then two runner processes sharing a
 * SQLite database, one of them killed mid-conversation.
 */
import * as Entity from "@effect/cluster/Entity"
import * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import fs from "node:fs"
import path from "node:path"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeSessionEntity from "../src/ClaudeSessionEntity.js"
import * as Api from "../src/ScriptedMessagesApi.js"
import * as SqlTranscriptStore from "../src/SqlTranscriptStore.js"
import * as TranscriptStore from "../src/TranscriptStore.js"
import { realOptions } from "./sessionsCorpus.js"
import { twoRunners } from "./fixtures/cluster.js"
import { awaitGone, claudeChildren, platform, tempDir } from "./utils.js"

const resultText = (events: ReadonlyArray<ClaudeEvent.ClaudeEvent>) => {
  const result = events.findLast(ClaudeEvent.isResult)
  return result?.result
}

describe("ClaudeSessionEntity with the real CLI", { timeout: 120_000 }, () => {
  it.scopedLive("Turn streams the turn's events; turns of one entity share one process; End then Turn resumes the stored conversation", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.turn("remember the word papaya", Api.text("I will remember PAPAYA.")),
        Api.turn("which word", Api.text("The word was papaya.")),
        Api.turn("after the end", Api.text("Still papaya."))
      ])
      const store = yield* TranscriptStore.makeMemory
      const makeClient = yield* Entity.makeTestClient(
        ClaudeSessionEntity.ClaudeSessionEntity,
        ClaudeSessionEntity.layer({ session: realOptions(api, { cwd: tempDir() }) }).pipe(
          Layer.provide(Layer.succeed(TranscriptStore.TranscriptStore, store)),
          Layer.provide(platform)
        )
      )
      const client = yield* makeClient("abc")
      const first = Chunk.toArray(yield* client.Turn({ prompt: "remember the word papaya" }).pipe(Stream.runCollect))
      assert.strictEqual(resultText(first), "I will remember PAPAYA.")
      assert.isTrue(first.some((event) => event instanceof ClaudeEvent.SystemInit || event.type === "system"))
      const pids = new Set(claudeChildren())
      const second = Chunk.toArray(yield* client.Turn({ prompt: "which word did I give?" }).pipe(Stream.runCollect))
      assert.strictEqual(resultText(second), "The word was papaya.")
      for (const pid of claudeChildren()) assert.isTrue(pids.has(pid), "the second turn ran on the same process")

      // the turns are stored under the entity's session id
      const sessionId = ClaudeSessionEntity.sessionIdOf("ClaudeSession", "abc")
      assert.isTrue(Option.isSome(yield* store.locate(sessionId)))

      // Interrupt reaches a running turn (the entity takes it beside the queue of turns)
      yield* api.push(Api.turn("a slow one", Api.slow(Array.from({ length: 100 }, (_, i) => `w${i}`).join(" "), 50)))
      const slow = yield* client.Turn({ prompt: "a slow one" }).pipe(Stream.runCollect, Effect.fork)
      yield* Effect.sleep("1500 millis")
      const interruptedAt = Date.now()
      yield* client.Interrupt()
      const cut = Chunk.toArray(yield* Fiber.join(slow))
      assert.isBelow(Date.now() - interruptedAt, 3000, "the turn ended soon after Interrupt")
      assert.strictEqual(cut.findLast(ClaudeEvent.isResult)?.subtype, "error_during_execution")

      yield* client.SetModel({ model: "claude-opus-4-1" })
      yield* client.End()
      assert.strictEqual(claudeChildren().length, 0, "End ends the CLI process")
      const before = (yield* api.messageRequests).length
      const third = Chunk.toArray(yield* client.Turn({ prompt: "after the end, the word?" }).pipe(Stream.runCollect))
      assert.strictEqual(resultText(third), "Still papaya.")
      const resumed = (yield* api.messageRequests).slice(before).map((request) => JSON.stringify(request.raw))
      assert.isTrue(resumed.some((raw) => raw.includes("after the end") && raw.includes("remember the word papaya")), "resumed with the conversation")
    }).pipe(Effect.provide(ShardingConfig.layer())))

  it.live("two runner processes on one SQLite database: a turn on one, that runner killed, the next turn answered by the other with the earlier conversation", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.turn("remember the word papaya", Api.text("I will remember PAPAYA.")),
        Api.turn("which word", Api.text("The word was papaya."))
      ])
      const { client, homes, runners } = yield* twoRunners(api, "conversation-1", 34601)
      const sessionId = ClaudeSessionEntity.sessionIdOf("ClaudeSession", "conversation-1")
      const turn = (prompt: string) =>
        client.Turn({ prompt }).pipe(Stream.runCollect, Effect.map(Chunk.toArray), Effect.timeout("60 seconds"))

      const first = yield* turn("remember the word papaya")
      assert.strictEqual(resultText(first), "I will remember PAPAYA.")
      // the runner whose machine holds the transcript ran it
      const owner = homes.findIndex((home) => transcriptIn(home, sessionId))
      assert.isAtLeast(owner, 0, "one machine holds the transcript")
      const other = 1 - owner
      const orphans = childrenOf(runners[owner]!.pid!)
      assert.isAbove(orphans.length, 0, "the owner runs a claude process")
      const killedAt = Date.now()
      runners[owner]!.kill("SIGKILL")

      const before = (yield* api.messageRequests).length
      const second = yield* turn("which word did I give?")
      const movedInMs = Date.now() - killedAt
      assert.strictEqual(resultText(second), "The word was papaya.")
      assert.isTrue(transcriptIn(homes[other]!, sessionId), "restored on the other machine")
      const requests = (yield* api.messageRequests).slice(before).map((request) => JSON.stringify(request.raw))
      assert.isTrue(
        requests.some((raw) => raw.includes("which word did I give?") && raw.includes("remember the word papaya") && raw.includes("I will remember PAPAYA.")),
        "the resumed turn's model request carries the earlier conversation"
      )
      yield* Effect.logInfo(`moved to the other runner and answered in ${movedInMs} ms`)
      // the dead runner's CLI saw its stdin close and exited: nothing is left behind
      for (const pid of orphans) yield* awaitGone(pid)
    }).pipe(Effect.scoped), { timeout: 150_000 })

  it.live("a runner killed in the middle of a turn: the turn is sent again to the other runner and answered (at least once)", () =>
    Effect.gen(function*() {
      const story = Array.from({ length: 60 }, (_, i) => `w${i}`).join(" ")
      const api = yield* Api.make([
        Api.turn("tell me a long story", Api.slow(story, 100)),
        Api.turn("tell me a long story", Api.text("The retried story.")),
        Api.turn("next", Api.text("Next answer."))
      ])
      const { client, homes, runners } = yield* twoRunners(api, "story-1", 34611)
      const seen: Array<ClaudeEvent.ClaudeEvent> = []
      const fiber = yield* client.Turn({ prompt: "tell me a long story" }).pipe(
        Stream.runForEach((event) => Effect.sync(() => seen.push(event))),
        Effect.timeout("60 seconds"),
        Effect.fork
      )
      // the owner has started the turn: its CLI is streaming the answer
      yield* Effect.suspend(() => seen.some(ClaudeEvent.isStreamEvent) || seen.length > 0 ? Effect.void : Effect.fail("waiting")).pipe(
        Effect.retry({ schedule: Schedule.spaced("100 millis"), times: 300 })
      )
      yield* Effect.sleep("1 second")
      const owner = homes.findIndex((home) => fs.existsSync(path.join(home, ".claude", "projects")))
      runners[owner]!.kill("SIGKILL")
      // the caller's stream does not fail: the cluster sends the Turn to the new owner
      yield* Fiber.join(fiber)
      assert.strictEqual(resultText(seen), "The retried story.")
      assert.strictEqual(seen.filter(ClaudeEvent.isResult).length, 1, "one result: the cut attempt never finished")
      const next = Chunk.toArray(yield* client.Turn({ prompt: "next please" }).pipe(Stream.runCollect, Effect.timeout("60 seconds")))
      assert.strictEqual(resultText(next), "Next answer.")
      // what at-least-once means here: the cut attempt's prompt was stored before the runner died
      const last = JSON.stringify((yield* api.messageRequests).filter((request) => !Api.isSideRequest(request)).at(-1)!.raw)
      assert.strictEqual(last.match(/tell me a long story/g)?.length, 2)
    }).pipe(Effect.scoped), { timeout: 150_000 })

  it.live("one machine, no set-up: SingleRunner on a SQLite file; an idle entity is passivated (its CLI ends) and its next turn resumes", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.turn("remember the word papaya", Api.text("I will remember PAPAYA.")),
        Api.turn("which word", Api.text("The word was papaya."))
      ])
      const dir = tempDir("ecs-single-")
      const Runner = ClaudeSessionEntity.layer({ session: realOptions(api, { cwd: dir }), maxIdleTime: "1 second" }).pipe(
        Layer.provideMerge(SingleRunner.layer({ shardingConfig: { entityMaxIdleTime: Duration.seconds(1) } })),
        Layer.provide(SqlTranscriptStore.layer()),
        Layer.provide(SqliteClient.layer({ filename: path.join(dir, "cluster.db") })),
        Layer.provide(platform)
      )
      yield* Effect.gen(function*() {
        const session = (yield* ClaudeSessionEntity.ClaudeSessionEntity.client)("user-42")
        const turn = (prompt: string) =>
          session.Turn({ prompt }).pipe(Stream.runCollect, Effect.map(Chunk.toArray), Effect.timeout("60 seconds"))
        assert.strictEqual(resultText(yield* turn("remember the word papaya")), "I will remember PAPAYA.")
        const [pid] = claudeChildren()
        assert.isDefined(pid)
        // passivated after its idle time (the reaper looks every 5 s at most): the CLI process ends
        yield* awaitGone(pid!).pipe(Effect.retry({ schedule: Schedule.spaced("1 second"), times: 15 }))
        const before = (yield* api.messageRequests).length
        assert.strictEqual(resultText(yield* turn("which word did I give?")), "The word was papaya.")
        const raw = (yield* api.messageRequests).slice(before).map((request) => JSON.stringify(request.raw))
        assert.isTrue(raw.some((text) => text.includes("which word") && text.includes("remember the word papaya")))
      }).pipe(Effect.provide(Runner))
    }).pipe(Effect.scoped), { timeout: 120_000 })
})

/** The pids of a process's children. */
const childrenOf = (parent: number) =>
  fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry)).flatMap((pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === parent ? [Number(pid)] : []
    } catch {
      return []
    }
  })

const transcriptIn = (home: string, sessionId: string) => {
  const projects = path.join(home, ".claude", "projects")
  return fs.existsSync(projects) &&
    fs.readdirSync(projects).some((project) => fs.existsSync(path.join(projects, project, `${sessionId}.jsonl`)))
}
