import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { generateCity, chunks } from '#db/seed/generate-city.ts'
import { citySocialSecurity } from '#db/schema/city.ts'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
const data = generateCity('city')
const rows = data.socialSecurity
const dir = mkdtempSync(join(tmpdir(), 'prof-'))
const d = await openDatabase('file:' + join(dir, 'db.sqlite'))
await migrateDatabase(d.db)
for (const size of [100, 500, 2000, 4000]) {
  let t = performance.now()
  let built = 0
  for (const c of chunks(rows, size)) { const q = d.db.insert(citySocialSecurity).values(c).toSQL(); built += q.params.length }
  const buildMs = performance.now() - t
  await d.db.delete(citySocialSecurity)
  t = performance.now()
  let batch: any[] = []
  for (const c of chunks(rows, size)) { batch.push(d.db.insert(citySocialSecurity).values(c)); if (batch.length * size >= 25000) { await d.db.batch(batch as any); batch = [] } }
  if (batch.length) await d.db.batch(batch as any)
  const insMs = performance.now() - t
  await d.db.delete(citySocialSecurity)
  // raw client with args
  t = performance.now()
  const cols = ['id_card','person_name','employer_uscc','month','insurance_type','base_fen','amount_fen']
  let stmts: any[] = []
  for (const c of chunks(rows, size)) {
    const args: (string|number)[] = []
    for (const r of c) args.push(r.idCard, r.personName, r.employerUscc, r.month, r.insuranceType, r.baseFen, r.amountFen)
    const sql = `insert into city_social_security (${cols.join(',')}) values ` + c.map(() => '(?,?,?,?,?,?,?)').join(',')
    stmts.push({ sql, args })
    if (stmts.length * size >= 25000) { await d.client.batch(stmts, 'write'); stmts = [] }
  }
  if (stmts.length) await d.client.batch(stmts, 'write')
  const rawMs = performance.now() - t
  await d.db.delete(citySocialSecurity)
  console.log(size, 'build', buildMs.toFixed(0), 'drizzle insert', insMs.toFixed(0), 'raw', rawMs.toFixed(0))
}
d.close()
