import type { Db } from '#db/client.ts'

/**
 * Demo catalog workflow data (demand lists in several states, a pending grant, ...), so every role's queue
 * has something in it on a fresh start. Called at the end of seedPlatform; idempotent. (Catalog issue.)
 */
export async function seedCatalogDemo(_db: Db): Promise<void> {}
