import { sql, type SQL } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { formatIso } from '#platform/calendar/shanghai-calendar.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { encodeCursor, type LogCursor, type LogKind, type LogQuery } from './log-query.ts'
import { seqsOfRequestIdSql } from '#db/usage-event-keys.ts'

export type LogLang = 'zh' | 'en'

/**
 * One log entry as a person reads it: names instead of keys. The same columns for every log, so one table and one
 * CSV header serve all five (a column a log does not have stays empty).
 */
export interface LogRow {
  kind: LogKind
  /** Where a page that ends with this row continues. */
  cursor: string
  at: number
  /** The Shanghai time, ISO with its offset. */
  time: string
  requestId: string
  /** What happened: the API operation, the refusal's error code, the audit action, the load's mode, the report. */
  event: string
  /** The HTTP status, the load's or export's state. */
  status: string
  /** Who: the audit entry's actor (name and role), the load's actor, the partner's key. */
  actor: string
  partner: string
  product: string
  datasets: string
  sourceUnits: string
  /** What an audit entry is about, by name. */
  object: string
  /** Why: a refusal's code, an audit entry's reason and details, a load's or export's error. */
  detail: string
  /** Records answered, rows loaded, bytes exported. */
  quantity: number | null
}

export const LOG_COLUMNS = [
  'kind',
  'time',
  'requestId',
  'event',
  'status',
  'actor',
  'partner',
  'product',
  'datasets',
  'sourceUnits',
  'object',
  'detail',
  'quantity',
] as const satisfies readonly (keyof LogRow)[]

interface Named {
  id: string
  code: string
  name: string
}

/** The small reference tables, read once per search or export, to turn keys and codes into names. */
export interface LogLabels {
  lang: LogLang
  partners: Map<string, Named>
  products: Map<string, Named>
  datasets: Map<string, Named & { sourceUnitId: string }>
  sourceUnits: Map<string, Named>
  byCode: {
    partners: Map<string, Named>
    products: Map<string, Named>
    datasets: Map<string, Named>
    sourceUnits: Map<string, Named>
  }
}

export async function loadLogLabels(db: Db, lang: LogLang): Promise<LogLabels> {
  const pick = (zh: string, en: string) => (lang === 'en' ? en : zh)
  const partners = await db.all<{ id: string; code: string; name: string }>(sql`SELECT id, code, name FROM partners`)
  const products = await db.all<{ id: string; code: string; zh: string; en: string }>(
    sql`SELECT id, code, name_zh AS zh, name_en AS en FROM products`,
  )
  const datasets = await db.all<{ id: string; code: string; zh: string; en: string; unit: string }>(
    sql`SELECT id, code, name_zh AS zh, name_en AS en, source_unit_id AS unit FROM datasets`,
  )
  const units = await db.all<{ id: string; code: string; zh: string; en: string }>(
    sql`SELECT id, code, name_zh AS zh, name_en AS en FROM source_units`,
  )
  const labels: LogLabels = {
    lang,
    partners: new Map(partners.map((p) => [p.id, p])),
    products: new Map(products.map((p) => [p.id, { id: p.id, code: p.code, name: pick(p.zh, p.en) }])),
    datasets: new Map(datasets.map((d) => [d.id, { id: d.id, code: d.code, name: pick(d.zh, d.en), sourceUnitId: d.unit }])),
    sourceUnits: new Map(units.map((u) => [u.id, { id: u.id, code: u.code, name: pick(u.zh, u.en) }])),
    byCode: { partners: new Map(), products: new Map(), datasets: new Map(), sourceUnits: new Map() },
  }
  for (const [key, map] of [
    ['partners', labels.partners],
    ['products', labels.products],
    ['datasets', labels.datasets],
    ['sourceUnits', labels.sourceUnits],
  ] as const) {
    for (const v of map.values()) labels.byCode[key].set(v.code, v)
  }
  return labels
}

/** The ids behind a search's codes; an unknown code is refused (the form offers only real ones). */
function resolveCodes(
  q: LogQuery,
  labels: LogLabels,
): Result<{ partner?: string; product?: string; dataset?: string; sourceUnit?: string }> {
  const out: { partner?: string; product?: string; dataset?: string; sourceUnit?: string } = {}
  const fields: Record<string, string> = {}
  const look = (key: 'partner' | 'product' | 'dataset' | 'sourceUnit', map: Map<string, Named>) => {
    if (q[key] === '') return
    const found = map.get(q[key])
    if (found) out[key] = found.id
    else fields[key] = 'unknown'
  }
  look('partner', labels.byCode.partners)
  look('product', labels.byCode.products)
  look('dataset', labels.byCode.datasets)
  look('sourceUnit', labels.byCode.sourceUnits)
  return Object.keys(fields).length > 0 ? fail('validation', 'validation_failed', 'Unknown filter value', fields) : ok(out)
}

const likeOf = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/** `col` holds `code` as one of its comma-separated codes (lineage columns of usage events). */
const hasCode = (col: SQL, code: string) => sql`instr(',' || ${col} || ',', ${`,${code},`}) > 0`

/**
 * The time range and the keyset position: newest first, ties broken by rowid. `at <= c.at` is the index range;
 * the OR only drops the rows of that one instant already shown. Never OFFSET: page 10,000 costs what page 1 does.
 */
function timeAndCursor(at: SQL, rowid: SQL, q: LogQuery, cursor: LogCursor | null): SQL[] {
  const where: SQL[] = []
  if (q.fromMs !== null) where.push(sql`${at} >= ${q.fromMs}`)
  if (q.toMs !== null) where.push(sql`${at} < ${q.toMs}`)
  if (cursor) where.push(sql`${at} <= ${cursor.at}`, sql`(${at} < ${cursor.at} OR ${rowid} < ${cursor.rowid})`)
  return where
}

const whereOf = (parts: SQL[]) => (parts.length === 0 ? sql`` : sql` WHERE ${sql.join(parts, sql` AND `)}`)

type Raw = Record<string, string | number | null>

/** The SQL of one page of a log (exported for the query-plan test). */
export function logPageSql(
  kind: LogKind,
  q: LogQuery,
  ids: ReturnType<typeof resolveCodes> extends Result<infer T> ? T : never,
  cursor: LogCursor | null,
  limit: number,
): SQL {
  switch (kind) {
    case 'usage': {
      const w = timeAndCursor(sql`u.at`, sql`u.rowid`, q, cursor)
      // `+`: the newest-first walk follows usage_event_log_at_idx and filters by the context (ADR 0047); the
      // context's own index would gather the partner's events from several (context, at) ranges and sort them.
      if (ids.partner) w.push(sql`+u.partner_id = ${ids.partner}`)
      if (ids.product) w.push(sql`+u.product_id = ${ids.product}`)
      if (q.dataset) w.push(hasCode(sql`u.dataset_codes`, q.dataset))
      if (q.sourceUnit) w.push(hasCode(sql`u.source_unit_codes`, q.sourceUnit))
      // The view's request_id is decoded: the request key's own index answers (ADR 0047).
      if (q.requestId) w.push(sql`u.rowid IN (${seqsOfRequestIdSql(q.requestId)})`)
      return sql`SELECT u.rowid AS rid, u.at AS at, u.request_id AS requestId, u.operation AS event, u.status AS status,
        u.partner_id AS partnerId, u.product_id AS productId, u.dataset_codes AS datasetCodes,
        u.source_unit_codes AS unitCodes, u.authorization_codes AS authorizationCodes, u.purpose AS purpose,
        u.records AS quantity, u.api_key_id AS apiKeyId
        FROM usage_events u${whereOf(w)} ORDER BY u.at DESC, u.rowid DESC LIMIT ${limit}`
    }
    case 'refusals': {
      const w = timeAndCursor(sql`r.at`, sql`r.rowid`, q, cursor)
      if (ids.partner) w.push(sql`r.api_key_id IN (SELECT k.id FROM api_keys k WHERE k.partner_id = ${ids.partner})`)
      if (q.requestId) w.push(sql`r.request_id = ${q.requestId}`)
      if (q.text) w.push(sql`(r.code LIKE ${likeOf(q.text)} ESCAPE '\\' OR r.operation LIKE ${likeOf(q.text)} ESCAPE '\\')`)
      return sql`SELECT r.rowid AS rid, r.at AS at, r.request_id AS requestId, r.operation AS event, r.status AS status,
        r.code AS code, r.key_prefix AS keyPrefix, r.client_ip AS clientIp, r.api_key_id AS apiKeyId
        FROM rejected_calls r${whereOf(w)} ORDER BY r.at DESC, r.rowid DESC LIMIT ${limit}`
    }
    case 'audit': {
      const w = timeAndCursor(sql`a.at`, sql`a.seq`, q, cursor)
      const object = ids.partner ?? ids.product ?? ids.dataset ?? ids.sourceUnit
      if (object) w.push(sql`a.object_id = ${object}`)
      if (q.requestId) w.push(sql`a.request_id = ${q.requestId}`)
      if (q.text) {
        const like = likeOf(q.text)
        w.push(sql`(a.action LIKE ${like} ESCAPE '\\' OR a.object_type LIKE ${like} ESCAPE '\\'
          OR a.actor_label LIKE ${like} ESCAPE '\\' OR a.detail LIKE ${like} ESCAPE '\\')`)
      }
      return sql`SELECT a.seq AS rid, a.at AS at, a.request_id AS requestId, a.action AS event, a.role AS role,
        a.actor_id AS actorId, a.actor_label AS actorLabel, a.object_type AS objectType, a.object_id AS objectId,
        a.detail AS detail
        FROM audit_log a${whereOf(w)} ORDER BY a.at DESC, a.seq DESC LIMIT ${limit}`
    }
    case 'loads': {
      const w = timeAndCursor(sql`l.started_at`, sql`l.rowid`, q, cursor)
      if (ids.dataset) w.push(sql`l.dataset_id = ${ids.dataset}`)
      if (ids.sourceUnit) w.push(sql`l.dataset_id IN (SELECT d.id FROM datasets d WHERE d.source_unit_id = ${ids.sourceUnit})`)
      return sql`SELECT l.rowid AS rid, l.started_at AS at, l.mode AS event, l.trigger AS trigger, l.state AS status,
        l.actor_label AS actorLabel, l.dataset_id AS datasetId, l.rows_loaded AS quantity, l.rows_rejected AS rejected,
        l.file_name AS fileName, l.error AS error
        FROM dataset_loads l${whereOf(w)} ORDER BY l.started_at DESC, l.rowid DESC LIMIT ${limit}`
    }
    case 'exports': {
      const w = timeAndCursor(sql`e.created_at`, sql`e.rowid`, q, cursor)
      if (ids.partner) w.push(sql`e.partner_id = ${ids.partner}`)
      if (ids.product) w.push(sql`e.product_id = ${ids.product}`)
      return sql`SELECT e.rowid AS rid, e.created_at AS at, e.format AS event, e.state AS status, e.partner_id AS partnerId,
        e.product_id AS productId, e.params AS params, e.bytes AS quantity, e.error AS error, e.downloads AS downloads
        FROM report_exports e${whereOf(w)} ORDER BY e.created_at DESC, e.rowid DESC LIMIT ${limit}`
    }
  }
}

const str = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : String(v))

function namesOfCodes(codes: string | number | null | undefined, map: Map<string, Named>): string {
  return str(codes)
    .split(',')
    .filter((c) => c !== '')
    .map((c) => map.get(c)?.name ?? c)
    .join('；')
}

/** An audit entry's detail as `key: value` pairs, its reason first; long values cut (the row is shown, not dumped). */
function auditDetail(detail: string | number | null | undefined): string {
  if (detail === null || detail === undefined || detail === '') return ''
  let parsed: unknown
  try {
    parsed = JSON.parse(String(detail))
  } catch {
    return String(detail).slice(0, 300)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return String(detail).slice(0, 300)
  const entries = Object.entries(parsed as Record<string, unknown>)
  const first = ['reason', 'comment', 'decisionComment', 'note']
  entries.sort(([a], [b]) => (first.includes(b) ? 1 : 0) - (first.includes(a) ? 1 : 0))
  const text = entries.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('; ')
  return text.length > 300 ? `${text.slice(0, 299)}…` : text
}

/** Names of the page's users, keys, subscriptions and authorizations (looked up per page: these tables can be large). */
async function pageNames(db: Db, kind: LogKind, raws: Raw[]): Promise<Map<string, string>> {
  const names = new Map<string, string>()
  const idsOf = (pick: (r: Raw) => string | number | null | undefined) => [
    ...new Set(raws.map(pick).filter((v): v is string => typeof v === 'string' && v !== '')),
  ]
  const inList = (ids: string[]) =>
    sql.join(
      ids.map((id) => sql`${id}`),
      sql`, `,
    )
  if (kind === 'audit') {
    const userIds = idsOf((r) => r.actorId)
    const objectIds = idsOf((r) => r.objectId)
    const all = [...new Set([...userIds, ...objectIds])]
    if (all.length > 0) {
      for (const u of await db.all<{ id: string; name: string; username: string }>(
        sql`SELECT id, display_name AS name, username FROM users WHERE id IN (${inList(all)})`,
      ))
        names.set(u.id, `${u.name}（${u.username}）`)
    }
    if (objectIds.length > 0) {
      for (const k of await db.all<{ id: string; name: string; prefix: string }>(
        sql`SELECT id, name, display_prefix AS prefix FROM api_keys WHERE id IN (${inList(objectIds)})`,
      ))
        names.set(k.id, `${k.name} ${k.prefix}…`)
      for (const a of await db.all<{ id: string; code: string }>(
        sql`SELECT id, code FROM authorizations WHERE id IN (${inList(objectIds)})`,
      ))
        names.set(a.id, a.code)
      for (const s of await db.all<{ id: string; partner: string; product: string }>(
        sql`SELECT s.id AS id, p.name AS partner, pr.name_zh AS product FROM subscriptions s
            JOIN partners p ON p.id = s.partner_id JOIN products pr ON pr.id = s.product_id WHERE s.id IN (${inList(objectIds)})`,
      ))
        names.set(s.id, `${s.partner} · ${s.product}`)
    }
  }
  if (kind === 'usage' || kind === 'refusals') {
    const keyIds = idsOf((r) => r.apiKeyId)
    if (keyIds.length > 0) {
      for (const k of await db.all<{ id: string; name: string; prefix: string; partnerId: string }>(
        sql`SELECT id, name, display_prefix AS prefix, partner_id AS partnerId FROM api_keys WHERE id IN (${inList(keyIds)})`,
      )) {
        names.set(k.id, `${k.name} ${k.prefix}…`)
        names.set(`partner:${k.id}`, k.partnerId)
      }
    }
  }
  return names
}

function toRow(kind: LogKind, r: Raw, labels: LogLabels, names: Map<string, string>): LogRow {
  const at = Number(r.at)
  const base: LogRow = {
    kind,
    cursor: encodeCursor({ at, rowid: Number(r.rid) }),
    at,
    time: formatIso(at),
    requestId: str(r.requestId),
    event: str(r.event),
    status: str(r.status),
    actor: '',
    partner: '',
    product: '',
    datasets: '',
    sourceUnits: '',
    object: '',
    detail: '',
    quantity: r.quantity === null || r.quantity === undefined ? null : Number(r.quantity),
  }
  const datasetByCode = labels.byCode.datasets
  const unitByCode = labels.byCode.sourceUnits
  switch (kind) {
    case 'usage':
      return {
        ...base,
        actor: names.get(str(r.apiKeyId)) ?? '',
        partner: labels.partners.get(str(r.partnerId))?.name ?? str(r.partnerId),
        product: labels.products.get(str(r.productId))?.name ?? str(r.productId),
        datasets: namesOfCodes(r.datasetCodes, datasetByCode),
        sourceUnits: namesOfCodes(r.unitCodes, unitByCode),
        object: str(r.authorizationCodes),
        detail: str(r.purpose),
      }
    case 'refusals': {
      const partnerId = names.get(`partner:${str(r.apiKeyId)}`)
      return {
        ...base,
        actor: names.get(str(r.apiKeyId)) ?? (r.keyPrefix ? `${str(r.keyPrefix)}…` : ''),
        partner: partnerId ? (labels.partners.get(partnerId)?.name ?? '') : '',
        object: str(r.clientIp),
        detail: str(r.code),
      }
    }
    case 'audit': {
      const objectId = str(r.objectId)
      const objectName =
        labels.partners.get(objectId)?.name ??
        labels.products.get(objectId)?.name ??
        labels.datasets.get(objectId)?.name ??
        labels.sourceUnits.get(objectId)?.name ??
        names.get(objectId) ??
        (objectId ? objectId.slice(0, 8) : '')
      return {
        ...base,
        status: str(r.role),
        actor: (r.actorId ? names.get(str(r.actorId)) : undefined) ?? str(r.actorLabel),
        object: `${str(r.objectType)}${objectName ? ` ${objectName}` : ''}`,
        detail: auditDetail(r.detail),
      }
    }
    case 'loads': {
      const dataset = labels.datasets.get(str(r.datasetId))
      return {
        ...base,
        event: `${str(r.event)}/${str(r.trigger)}`,
        actor: str(r.actorLabel),
        datasets: dataset?.name ?? str(r.datasetId),
        sourceUnits: dataset ? (labels.sourceUnits.get(dataset.sourceUnitId)?.name ?? '') : '',
        object: str(r.fileName),
        detail: [r.error ? str(r.error) : '', Number(r.rejected) > 0 ? `rejected: ${str(r.rejected)}` : '']
          .filter((s) => s !== '')
          .join('; '),
      }
    }
    case 'exports':
      return {
        ...base,
        partner: labels.partners.get(str(r.partnerId))?.name ?? str(r.partnerId),
        product: labels.products.get(str(r.productId))?.name ?? str(r.productId),
        object: str(r.params),
        detail: [r.error ? str(r.error) : '', `downloads: ${str(r.downloads)}`].filter((s) => s !== '').join('; '),
      }
  }
}

/**
 * One page of a log, newest first, after `cursor` (null: the first page). Not audited and not permission-checked:
 * the operations that call it (search-logs.ts, export-logs.ts) are.
 */
export async function readLogPage(
  db: Db,
  opts: { query: LogQuery; cursor: LogCursor | null; limit: number; labels: LogLabels },
): Promise<Result<{ rows: LogRow[]; next: LogCursor | null }>> {
  const ids = resolveCodes(opts.query, opts.labels)
  if (!ids.ok) return ids
  const raws = await db.all<Raw>(logPageSql(opts.query.kind, opts.query, ids.value, opts.cursor, opts.limit))
  const names = await pageNames(db, opts.query.kind, raws)
  const rows = raws.map((r) => toRow(opts.query.kind, r, opts.labels, names))
  const last = raws.at(-1)
  const next = raws.length === opts.limit && last ? { at: Number(last.at), rowid: Number(last.rid) } : null
  return ok({ rows, next })
}

export { resolveCodes }
