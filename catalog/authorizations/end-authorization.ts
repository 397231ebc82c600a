import { and, eq, gt, inArray, lte, ne } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '#db/client.ts'
import { authorizations, datasets } from '#db/schema/index.ts'
import { countStoreRows, deleteStoreRows } from '#catalog/datasets/dataset-store.ts'

export interface EndingAuthorization {
  id: string
  code: string
  datasetId: string
}

/**
 * The statements that end an authorization (Art. 17): its state, and the
 * deletion of the dataset's rows from the platform store, for one batch. Logs
 * (loads, usage events, audit, transitions) are never touched. The data stays
 * only when another authorization of the same dataset is in force (a renewal
 * granted before the end), because then the platform may still hold it.
 */
export async function endAuthorizationStatements(
  db: Db,
  opts: { authorization: EndingAuthorization; state: 'expired' | 'terminated'; reason: string; now: number },
): Promise<{ statements: BatchItem<'sqlite'>[]; rowsDeleted: number; datasetCode: string; dataKept: boolean }> {
  const { authorization, now } = opts
  const [dataset] = await db
    .select({ id: datasets.id, code: datasets.code, storeTable: datasets.storeTable })
    .from(datasets)
    .where(eq(datasets.id, authorization.datasetId))
  const [other] = await db
    .select({ id: authorizations.id })
    .from(authorizations)
    .where(
      and(
        eq(authorizations.datasetId, authorization.datasetId),
        ne(authorizations.id, authorization.id),
        // A suspended one is still in force (ADR 0028): the platform may keep the data for it.
        inArray(authorizations.state, ['active', 'suspended']),
        lte(authorizations.startsAt, now),
        gt(authorizations.endsAt, now),
      ),
    )
    .limit(1)
  const dataKept = Boolean(other)
  const rowsDeleted = dataKept ? 0 : await countStoreRows(db, dataset!)
  const statements: BatchItem<'sqlite'>[] = [
    db
      .update(authorizations)
      .set({
        state: opts.state,
        endedAt: now,
        endedReason: opts.reason,
        dataDeletedAt: dataKept ? null : now,
        rowsDeleted,
      })
      .where(and(eq(authorizations.id, authorization.id), inArray(authorizations.state, ['active', 'suspended']))),
  ]
  if (!dataKept) statements.push(deleteStoreRows(db, dataset!))
  return { statements, rowsDeleted, datasetCode: dataset!.code, dataKept }
}
