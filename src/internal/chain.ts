/**
 * The conversation of a transcript as the CLI (and the official SDK's `getSessionMessages`)
 * reconstructs it: from the last leaf back through `parentUuid`, with compaction relinks and
 * the split siblings of parallel tool calls put back. It works on small records (ids and
 * flags), so the entries themselves never need to sit in memory together.
 *
 * @internal
 */
import { metaShown } from "./messages.js"

/** What the chain needs to know of a chain entry. */
export interface Link {
  readonly uuid: string
  readonly parentUuid: string | null
  readonly type: string
  /** Position in the file. */
  readonly index: number
  readonly isSidechain: boolean
  readonly teamName: boolean
  readonly isMeta: boolean
  readonly attachmentType: string | undefined
  readonly subtype: string | undefined
  readonly preservedMessages: { readonly anchorUuid: string; readonly uuids: ReadonlyArray<string> } | undefined
  readonly preservedSegment: { readonly headUuid: string; readonly anchorUuid: string; readonly tailUuid: string } | undefined
  readonly messageId: string | undefined
  readonly toolUseIds: ReadonlyArray<string>
  readonly toolResultIds: ReadonlyArray<string>
  readonly sourceToolAssistantUUID: string | undefined
  readonly agentId: string | undefined
  readonly timestamp: string | undefined
}

const chainTypes = new Set(["user", "assistant", "progress", "system", "attachment"])

const record = (u: unknown): Record<string, unknown> | undefined =>
  typeof u === "object" && u !== null && !Array.isArray(u) ? u as Record<string, unknown> : undefined
const str = (u: unknown) => typeof u === "string" ? u : undefined

// most entries have no ids: one shared empty list (a link is kept per entry of a big file)
const NO_IDS: ReadonlyArray<string> = []

const blockIds = (message: unknown, type: string, field: string): ReadonlyArray<string> => {
  const content = record(message)?.content
  if (!Array.isArray(content)) return NO_IDS
  let ids: Array<string> | undefined
  for (const block of content) {
    const fields = record(block)
    if (fields?.type === type && typeof fields[field] === "string") (ids ??= []).push(fields[field])
  }
  return ids ?? NO_IDS
}

/** The link of a parsed entry, if it is a chain entry. */
export const linkOf = (json: Record<string, unknown>, index: number): Link | undefined => {
  const type = json.type
  if (typeof type !== "string" || !chainTypes.has(type) || typeof json.uuid !== "string") return undefined
  const compact = record(record(json.compactMetadata))
  const messages = record(compact?.preservedMessages)
  const segment = record(compact?.preservedSegment)
  const uuids = Array.isArray(messages?.uuids) ? messages.uuids.filter((u): u is string => typeof u === "string") : []
  return {
    uuid: json.uuid,
    parentUuid: str(json.parentUuid) ?? null,
    type,
    index,
    isSidechain: json.isSidechain === true,
    teamName: typeof json.teamName === "string" && json.teamName !== "",
    isMeta: json.isMeta === true,
    attachmentType: str(record(json.attachment)?.type),
    subtype: str(json.subtype),
    preservedMessages: messages !== undefined && typeof messages.anchorUuid === "string"
      ? { anchorUuid: messages.anchorUuid, uuids }
      : undefined,
    preservedSegment: segment !== undefined && typeof segment.headUuid === "string" &&
        typeof segment.anchorUuid === "string" && typeof segment.tailUuid === "string"
      ? { headUuid: segment.headUuid, anchorUuid: segment.anchorUuid, tailUuid: segment.tailUuid }
      : undefined,
    messageId: type === "assistant" ? str(record(json.message)?.id) : undefined,
    toolUseIds: type === "assistant" ? blockIds(json.message, "tool_use", "id") : NO_IDS,
    toolResultIds: type === "user" ? blockIds(json.message, "tool_result", "tool_use_id") : NO_IDS,
    sourceToolAssistantUUID: str(json.sourceToolAssistantUUID),
    agentId: str(json.agentId),
    timestamp: str(json.timestamp)
  }
}

// compaction boundaries re-parent the messages they preserved
const relink = (links: Map<string, Link>) => {
  for (const link of [...links.values()]) {
    if (link.type !== "system" || link.subtype !== "compact_boundary") continue
    const preserved = link.preservedMessages
    const segment = link.preservedSegment
    if (preserved !== undefined) {
      if (preserved.uuids.length === 0 || preserved.uuids.some((uuid) => !links.has(uuid))) continue
      let parent = preserved.anchorUuid
      for (const uuid of preserved.uuids) {
        links.set(uuid, { ...links.get(uuid)!, parentUuid: parent })
        parent = uuid
      }
      const first = preserved.uuids[0]!
      const last = preserved.uuids.at(-1)!
      for (const [uuid, other] of links) {
        if (other.parentUuid === preserved.anchorUuid && uuid !== first) links.set(uuid, { ...other, parentUuid: last })
      }
    } else if (segment !== undefined) {
      const head = links.get(segment.headUuid)
      if (head !== undefined) links.set(segment.headUuid, { ...head, parentUuid: segment.anchorUuid })
      for (const [uuid, other] of links) {
        if (other.parentUuid === segment.anchorUuid && uuid !== segment.headUuid) {
          links.set(uuid, { ...other, parentUuid: segment.tailUuid })
        }
      }
    }
  }
}

const onMainLine = (link: Link) =>
  !link.isSidechain && !link.teamName && link.type !== "progress" &&
  !(link.type === "attachment" && link.attachmentType === "fork_briefing")
const isMessage = (link: Link) => link.type === "user" || link.type === "assistant"

// the last user or assistant entry of the newest branch
const leafOf = (links: Map<string, Link>): Link | undefined => {
  const parents = new Set<string>()
  for (const link of links.values()) if (link.parentUuid !== null && onMainLine(link)) parents.add(link.parentUuid)
  const ends = [...links.values()].filter((link) => onMainLine(link) && !parents.has(link.uuid))
    .sort((a, b) => b.index - a.index)
  const visited = new Set<string>()
  for (const end of ends) {
    const path: Array<string> = []
    const seen = new Set<string>()
    let link: Link | undefined = end
    while (link !== undefined && !visited.has(link.uuid) && !seen.has(link.uuid)) {
      if (isMessage(link)) return link
      seen.add(link.uuid)
      path.push(link.uuid)
      link = link.parentUuid !== null ? links.get(link.parentUuid) : undefined
    }
    for (const uuid of path) visited.add(uuid)
  }
  // no branch ends in a message: the newest message reached from any end
  const allParents = new Set<string>()
  for (const link of links.values()) if (link.parentUuid !== null) allParents.add(link.parentUuid)
  const found: Array<Link> = []
  for (const end of links.values()) {
    if (allParents.has(end.uuid)) continue
    const seen = new Set<string>()
    let link: Link | undefined = end
    while (link !== undefined && !seen.has(link.uuid)) {
      seen.add(link.uuid)
      if (isMessage(link)) {
        found.push(link)
        break
      }
      link = link.parentUuid !== null ? links.get(link.parentUuid) : undefined
    }
  }
  if (found.length === 0) return undefined
  const main = found.filter((link) => !link.isSidechain && !link.teamName && !link.isMeta)
  return (main.length > 0 ? main : found).reduce((a, b) => (b.index > a.index ? b : a))
}

/** The conversation, first entry first, and the queued prompts left after its last message. */
export const conversation = (all: ReadonlyArray<Link>): { readonly chain: Array<Link>; readonly trailing: Array<Link> } => {
  // the same uuid twice: the first's place, the last's content (as a Map keeps them)
  const links = new Map<string, Link>()
  for (const link of all) links.set(link.uuid, link)
  const original = new Map(links)
  relink(links)
  const leaf = leafOf(links)
  if (leaf === undefined) return { chain: [], trailing: [] }
  const chain: Array<Link> = []
  const onChain = new Set<string>()
  let link = links.get(leaf.uuid)
  while (link !== undefined && !onChain.has(link.uuid)) {
    onChain.add(link.uuid)
    chain.push(link)
    link = link.parentUuid !== null ? links.get(link.parentUuid) : undefined
  }
  chain.reverse()
  const full = withSplitSiblings(links, chain, onChain)
  return { chain: full, trailing: trailingQueuedCommands([...original.values()], links, full, leaf) }
}

// queued prompts the CLI recorded after the last message (not yet answered), oldest first
const trailingQueuedCommands = (
  all: ReadonlyArray<Link>,
  relinked: Map<string, Link>,
  chain: ReadonlyArray<Link>,
  leaf: Link
): Array<Link> => {
  const childrenOf = new Map<string, Array<Link>>()
  for (const link of all) {
    if (isMessage(link)) continue
    for (const parent of new Set([link.parentUuid, relinked.get(link.uuid)?.parentUuid])) {
      if (parent === null || parent === undefined) continue
      const children = childrenOf.get(parent)
      if (children !== undefined) children.push(link)
      else childrenOf.set(parent, [link])
    }
  }
  const taken = new Set(chain.map((link) => link.uuid))
  const byUuid = new Map(all.map((link) => [link.uuid, link]))
  // ancestors of messages off the chain belong to those branches
  const offChain = new Set<string>()
  for (const link of all) {
    if (!isMessage(link) || link.isSidechain || link.teamName || taken.has(link.uuid)) continue
    let parent = link.parentUuid !== null ? byUuid.get(link.parentUuid) : undefined
    while (parent !== undefined && !taken.has(parent.uuid) && !offChain.has(parent.uuid)) {
      offChain.add(parent.uuid)
      parent = parent.parentUuid !== null ? byUuid.get(parent.parentUuid) : undefined
    }
  }
  const found: Array<Link> = []
  const stack: Array<Link> = [leaf]
  while (stack.length > 0) {
    const link = stack.pop()!
    if (link !== leaf) {
      if (taken.has(link.uuid)) continue
      taken.add(link.uuid)
      if (link.type === "attachment" && link.attachmentType === "queued_command" && !offChain.has(link.uuid)) found.push(link)
    }
    const children = childrenOf.get(link.uuid) ?? []
    const ordered = children.length > 1 ? [...children].sort(byTimestamp) : children
    for (let i = ordered.length - 1; i >= 0; i--) if (!taken.has(ordered[i]!.uuid)) stack.push(ordered[i]!)
  }
  return found
}

const sameThread = (a: Link, b: Link) => a.isSidechain === b.isSidechain && a.agentId === b.agentId
const byTimestamp = (a: Link, b: Link) => (a.timestamp ?? "").localeCompare(b.timestamp ?? "")

// An assistant message with parallel tool calls is written as one entry per block, and the
// tool results hang off different ones: put the blocks and results left off the chain back.
const withSplitSiblings = (links: Map<string, Link>, chain: Array<Link>, onChain: Set<string>): Array<Link> => {
  const assistants = chain.filter((link) => link.type === "assistant")
  if (assistants.length === 0) return chain
  const chainEntryOfMessage = new Map<string, Link>()
  for (const link of assistants) if (link.messageId !== undefined) chainEntryOfMessage.set(link.messageId, link)
  const blocksOfMessage = new Map<string, Array<Link>>()
  const toolUseOwner = new Map<string, Link | null>()
  const toolResults: Array<Link> = []
  for (const link of links.values()) {
    if (link.messageId !== undefined) {
      const blocks = blocksOfMessage.get(link.messageId)
      if (blocks !== undefined) blocks.push(link)
      else blocksOfMessage.set(link.messageId, [link])
      for (const id of link.toolUseIds) {
        const owner = toolUseOwner.get(id)
        toolUseOwner.set(id, owner === undefined || (owner !== null && owner.messageId === link.messageId) ? link : null)
      }
    } else if (link.type === "user" && link.parentUuid !== null && link.toolResultIds.length > 0) toolResults.push(link)
  }
  const childrenOf = new Map<string, Array<Link>>()
  const added = new Set<string>()
  const addChild = (parent: string, child: Link) => {
    const key = `${parent}\n${child.uuid}`
    if (added.has(key)) return
    added.add(key)
    const children = childrenOf.get(parent)
    if (children !== undefined) children.push(child)
    else childrenOf.set(parent, [child])
  }
  for (const result of toolResults) {
    addChild(result.parentUuid!, result)
    const source = result.sourceToolAssistantUUID !== undefined && result.sourceToolAssistantUUID !== result.parentUuid
      ? links.get(result.sourceToolAssistantUUID)
      : undefined
    if (source !== undefined && sameThread(result, source)) addChild(source.uuid, result)
    for (const id of result.toolResultIds) {
      const owner = toolUseOwner.get(id)
      if (owner && sameThread(result, owner)) addChild(owner.uuid, result)
    }
  }
  const answered = new Set<string>()
  for (const link of chain) for (const id of link.toolResultIds) answered.add(id)
  const inserts = new Map<string, Array<Link>>()
  const done = new Set<string>()
  let count = 0
  for (const assistant of assistants) {
    const id = assistant.messageId
    if (id === undefined || done.has(id)) continue
    done.add(id)
    const blocks = blocksOfMessage.get(id) ?? [assistant]
    const blockUuids = new Set(blocks.map((block) => block.uuid))
    const missingBlocks = blocks.filter((block) => !onChain.has(block.uuid))
    const direct: Array<Link> = []
    const indirect: Array<Link> = []
    const seen = new Set<string>()
    for (const block of blocks) {
      for (const child of childrenOf.get(block.uuid) ?? []) {
        if (onChain.has(child.uuid) || seen.has(child.uuid)) continue
        seen.add(child.uuid)
        if (child.parentUuid !== null && blockUuids.has(child.parentUuid)) direct.push(child)
        else indirect.push(child)
      }
    }
    if (indirect.length > 0) {
      const covered = new Set(answered)
      for (const result of direct) for (const toolId of result.toolResultIds) covered.add(toolId)
      indirect.sort((a, b) => a.index - b.index)
      for (const result of indirect) {
        const ids = result.toolResultIds
        const answersThis = ids.some((toolId) => {
          const owner = toolUseOwner.get(toolId)
          return !covered.has(toolId) && !!owner && blockUuids.has(owner.uuid)
        })
        if (!answersThis) continue
        for (const toolId of ids) covered.add(toolId)
        direct.push(result)
      }
    }
    if (missingBlocks.length === 0 && direct.length === 0) continue
    missingBlocks.sort(byTimestamp)
    direct.sort(byTimestamp)
    const extra = [...missingBlocks, ...direct]
    for (const link of extra) onChain.add(link.uuid)
    count += extra.length
    inserts.set(chainEntryOfMessage.get(id)!.uuid, extra)
  }
  if (count === 0) return chain
  return chain.flatMap((link) => [link, ...(inserts.get(link.uuid) ?? [])])
}

/** Whether `getSessionMessages` shows this entry. */
export const isVisible = (json: Record<string, unknown>, includeSystemMessages: boolean): boolean => {
  const type = json.type
  if (!(type === "user" || type === "assistant" || (type === "system" && includeSystemMessages))) return false
  if (type === "assistant" && json.closesQuietTurn === true) {
    const content = record(json.message)?.content
    const text = Array.isArray(content) && content.length === 1 && record(content[0])?.type === "text"
      ? record(content[0])?.text
      : undefined
    if (text === "" || text === "No response requested.") return false
  }
  if (json.isMeta === true && !metaShown(json.origin)) return false
  return json.isSidechain !== true && !(typeof json.teamName === "string" && json.teamName !== "")
}
