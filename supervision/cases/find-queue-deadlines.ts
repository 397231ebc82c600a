import { and, asc, count, eq, lte, max, or, type SQL } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { datasets, demandItems, demandItemTransitions, demandLists, rectificationCases } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { DAY_MS } from '#platform/calendar/shanghai-calendar.ts'
import { QUEUE_DEADLINE_DAYS } from './case-rules.ts'

export interface QueueItem {
  listCode: string
  itemId: string
  datasetCode: string | null
  description: string
  /** When the item reached this queue (its last transition into the state), and its deadline. */
  since: number
  dueAt: number
}

export interface QueueDeadlines {
  deadlineDays: number
  /** Items waiting in the viewer's queue, and those past their deadline (Art. 29), oldest first. */
  waiting: number
  overdue: QueueItem[]
  /** Rectification cases past their deadline: open still, or escalated and awaiting the termination (bureau only). */
  overdueCases: number
}

/**
 * Art. 29: the bureau's and the source units' own queues have deadlines. The bureau's queue is the demand items
 * awaiting its review (`pending_review`); a source unit's the approved items awaiting its grant or refusal
 * (`approved`, its own only). Each waits QUEUE_DEADLINE_DAYS calendar days from the moment it entered the state.
 */
export async function findQueueDeadlines(db: Db, opts: { actor: Actor; now?: number }): Promise<QueueDeadlines> {
  const now = opts.now ?? Date.now()
  const empty = { deadlineDays: QUEUE_DEADLINE_DAYS, waiting: 0, overdue: [], overdueCases: 0 }
  let where: SQL | undefined
  if (opts.actor.role === 'bureau') where = eq(demandItems.state, 'pending_review')
  else if (opts.actor.role === 'source_unit' && opts.actor.sourceUnitId)
    where = and(eq(demandItems.state, 'approved'), eq(demandItems.sourceUnitId, opts.actor.sourceUnitId))
  else return empty
  const since = max(demandItemTransitions.at)
  const rows = await db
    .select({
      listCode: demandLists.code,
      itemId: demandItems.id,
      datasetCode: datasets.code,
      description: demandItems.dataDescription,
      submittedAt: demandLists.submittedAt,
      since,
    })
    .from(demandItems)
    .innerJoin(demandLists, eq(demandLists.id, demandItems.listId))
    .leftJoin(datasets, eq(datasets.id, demandItems.datasetId))
    .leftJoin(
      demandItemTransitions,
      and(eq(demandItemTransitions.itemId, demandItems.id), eq(demandItemTransitions.toState, demandItems.state)),
    )
    .where(where)
    .groupBy(demandItems.id)
    .orderBy(asc(since))
  const deadline = QUEUE_DEADLINE_DAYS * DAY_MS
  const overdue = rows
    .map((r) => {
      const at = r.since ?? r.submittedAt ?? now
      return {
        listCode: r.listCode,
        itemId: r.itemId,
        datasetCode: r.datasetCode,
        description: r.description,
        since: at,
        dueAt: at + deadline,
      }
    })
    .filter((r) => r.dueAt <= now)
    .sort((a, b) => a.since - b.since)
  let overdueCases = 0
  if (opts.actor.role === 'bureau') {
    const [row] = await db
      .select({ n: count() })
      .from(rectificationCases)
      .where(
        or(
          and(eq(rectificationCases.state, 'open'), lte(rectificationCases.deadlineAt, now)),
          eq(rectificationCases.state, 'escalated'),
        ),
      )
    overdueCases = row?.n ?? 0
  }
  return { deadlineDays: QUEUE_DEADLINE_DAYS, waiting: rows.length, overdue, overdueCases }
}
