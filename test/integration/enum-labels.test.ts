import { describe, expect, it } from 'vitest'
import { getTableColumns, is } from 'drizzle-orm'
import { SQLiteTable } from 'drizzle-orm/sqlite-core'
import * as schema from '#db/schema/index.ts'
import { ENUM_LABEL_PREFIXES, enumLabel, type EnumColumn } from '#app/i18n/enum-labels.ts'
import { messages } from '#app/i18n/messages.ts'

/** Every column of every table in the schema that carries an enum, with its values. */
function schemaEnumColumns(): { column: string; values: readonly string[] }[] {
  const out: { column: string; values: readonly string[] }[] = []
  for (const [name, table] of Object.entries(schema)) {
    if (!is(table, SQLiteTable)) continue
    for (const [prop, col] of Object.entries(getTableColumns(table))) {
      const values = (col as { enumValues?: readonly string[] }).enumValues
      if (values && values.length > 0) out.push({ column: `${name}.${prop}`, values })
    }
  }
  return out
}

describe('enum labels', () => {
  const columns = schemaEnumColumns()

  it('finds the schema enums (the scan itself works)', () => {
    expect(columns.length).toBeGreaterThan(60)
    expect(columns.map((c) => c.column)).toEqual(
      expect.arrayContaining(['datasets.domain', 'products.state', 'subscriptions.state']),
    )
  })

  it('labels every value of every schema enum in Chinese and in English', () => {
    const missing: string[] = []
    for (const { column, values } of columns) {
      const prefix = (ENUM_LABEL_PREFIXES as Record<string, string>)[column]
      if (!prefix) {
        missing.push(`${column}: not in ENUM_LABEL_PREFIXES`)
        continue
      }
      for (const v of values) {
        const key = `${prefix}${v}`
        const zh = (messages.zh as Record<string, string>)[key]
        const en = (messages.en as Record<string, string>)[key]
        if (!zh?.trim()) missing.push(`${column}=${v}: no Chinese label (${key})`)
        if (!en?.trim()) missing.push(`${column}=${v}: no English label (${key})`)
      }
    }
    expect(missing).toEqual([])
  })

  it('has no stale entries for columns the schema no longer has', () => {
    const live = new Set(columns.map((c) => c.column))
    expect(Object.keys(ENUM_LABEL_PREFIXES).filter((c) => !live.has(c))).toEqual([])
  })

  it('labels a Chinese value in Chinese, an English value in English, and never shows the raw code', () => {
    expect(enumLabel('zh', 'datasets.deliveryMode', 'table')).toBe(messages.zh['catalog.delivery.table'])
    expect(enumLabel('en', 'datasets.deliveryMode', 'table')).toBe(messages.en['catalog.delivery.table'])
    expect(enumLabel('en', 'demandLists.state', 'submitted')).toBe(messages.en['catalog.state.list_submitted'])
    expect(enumLabel('en', 'subscriptions.state', 'pending')).not.toBe('pending')
    for (const { column, values } of columns)
      for (const v of values) {
        expect(enumLabel('en', column as EnumColumn, v)).not.toMatch(/_/)
        expect(enumLabel('zh', column as EnumColumn, v)).not.toMatch(/_/)
      }
  })

  it('shows an unknown value as itself and an absent one as a dash', () => {
    expect(enumLabel('en', 'products.state', 'from_the_future')).toBe('from_the_future')
    expect(enumLabel('zh', 'products.state', null)).toBe('—')
  })
})
