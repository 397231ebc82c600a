import { sql, type SQL } from 'drizzle-orm'

/**
 * Lookups into the compact usage events (ADR 0047) that the `usage_events` view cannot serve from an index: the view's
 * `request_id` and `id` are decoded expressions. Both read `usage_event_log` by its own indexes and answer the seq
 * (= the view's rowid).
 */

/** `request_key` as stored for a request id: its 16 bytes for the gateway's form (`req_` + 32 hex digits), else the text. */
export function requestKeySql(requestId: string): SQL {
  return sql`CASE WHEN length(${requestId}) = 36 AND substr(${requestId}, 1, 4) = 'req_' AND substr(${requestId}, 5) NOT GLOB '*[^0-9a-f]*'
    THEN unhex(substr(${requestId}, 5)) ELSE ${requestId} END`
}

/** The seqs of the events with this request id (usually one), through usage_event_log_request_idx. */
export function seqsOfRequestIdSql(requestId: string): SQL {
  return sql`SELECT seq FROM usage_event_log WHERE request_key = ${requestKeySql(requestId)}`
}

/** The seq of the event with this id: a legacy id through its own index, a derived one through the request key's. */
export function seqOfEventIdSql(eventId: string): SQL {
  return sql`SELECT seq FROM usage_event_log WHERE legacy_id = ${eventId}
    UNION ALL
    SELECT seq FROM usage_event_log
    WHERE request_key = (CASE WHEN length(${eventId}) = 32 AND ${eventId} NOT GLOB '*[^0-9a-f]*' THEN unhex(${eventId}) END)
      AND legacy_id IS NULL`
}
