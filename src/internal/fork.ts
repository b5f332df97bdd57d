/**
 * What a fork rewrites inside a copied entry besides its own uuid: the uuids a compaction
 * boundary, a deferred-tools record or a queued prompt refers to (as the official SDK's fork).
 *
 * @internal
 */

type Json = Record<string, unknown>

const record = (u: unknown): Json | undefined =>
  typeof u === "object" && u !== null && !Array.isArray(u) ? u as Json : undefined

// a compaction boundary's preserved messages / segment, pointing at the copies
const compactMetadata = (json: Json, written: Map<string, string>): Json | undefined => {
  const metadata = record(json.compactMetadata)
  if (json.type !== "system" || metadata === undefined) return undefined
  const { preservedMessages, preservedSegment, runningTurnSends, ...rest } = metadata
  if (preservedMessages === undefined && preservedSegment === undefined && runningTurnSends === undefined) return undefined
  const one = (u: unknown) => typeof u === "string" ? written.get(u) ?? u : u
  const remap = (value: unknown, fields: ReadonlyArray<string>) => {
    const fieldsOf = record(value)
    if (fieldsOf === undefined) return value
    const copy: Json = { ...fieldsOf }
    for (const field of fields) {
      if (field in copy) copy[field] = Array.isArray(copy[field]) ? (copy[field] as Array<unknown>).map(one) : one(copy[field])
    }
    return copy
  }
  return {
    compactMetadata: {
      ...rest,
      ...(preservedMessages !== undefined ? { preservedMessages: remap(preservedMessages, ["anchorUuid", "uuids", "allUuids"]) } : {}),
      ...(preservedSegment !== undefined ? { preservedSegment: remap(preservedSegment, ["headUuid", "anchorUuid", "tailUuid"]) } : {})
    }
  }
}

const deferredTools = (json: Json, copied: Map<string, string>): Json | undefined => {
  const attachment = record(json.attachment)
  if (json.type !== "attachment" || attachment?.type !== "deferred_tools_record") return undefined
  const announcements = attachment.nameOnlyAnnouncements
  if (!Array.isArray(announcements)) return undefined
  return {
    attachment: {
      ...attachment,
      nameOnlyAnnouncements: announcements.flatMap((id) => typeof id === "string" && copied.has(id) ? [copied.get(id)] : [])
    }
  }
}

const queuedSource = (json: Json, copied: Map<string, string>): Json | undefined => {
  const command = json.type === "system" && json.subtype === "voice_call_talk"
    ? record(record(json.fold)?.command)
    : json.type === "attachment" && record(json.attachment)?.type === "queued_command"
    ? record(json.attachment)
    : undefined
  const source = command?.source_uuid
  if (typeof source !== "string" || source === "") return undefined
  const remapped = copied.get(source)
  if (remapped === undefined) return undefined
  return json.type === "attachment"
    ? { attachment: { ...record(json.attachment), source_uuid: remapped } }
    : { fold: { ...record(json.fold), command: { ...command, source_uuid: remapped } } }
}

/** The fields of a copy that refer to other entries, pointing at their copies. */
export const remapReferences = (json: Json, copied: Map<string, string>, written: Map<string, string>): Json => ({
  ...deferredTools(json, copied),
  ...compactMetadata(json, written),
  ...queuedSource(json, copied)
})
