import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { sandboxModels } from '#db/schema/sandbox-models.ts'
import type { Actor } from '#platform/audit/record-audit.ts'

/** The model if it is the actor's partner's; another partner's model is as absent as an unknown one. */
export async function findOwnModel(db: Db, actor: Actor, modelId: string) {
  if (!actor.partnerId) return undefined
  const [row] = await db
    .select()
    .from(sandboxModels)
    .where(and(eq(sandboxModels.id, modelId), eq(sandboxModels.partnerId, actor.partnerId)))
    .limit(1)
  return row
}
