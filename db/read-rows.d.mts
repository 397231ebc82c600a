import type Database from 'libsql'

export interface RawRows {
  names: string[]
  rows: unknown[][]
}
export function openQueryOnly(path: string): Database.Database
export function readRaw(db: Database.Database, sql: string, params: unknown[]): RawRows
export function toObjects(raw: RawRows): Record<string, unknown>[]
