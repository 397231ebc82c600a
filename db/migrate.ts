import { migrate } from 'drizzle-orm/libsql/migrator'
import { fileURLToPath } from 'node:url'
import type { Db } from './client.ts'

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url))

/** Applies the committed drizzle-kit migrations; a no-op when up to date. */
export async function migrateDatabase(db: Db): Promise<void> {
  await migrate(db, { migrationsFolder })
}
