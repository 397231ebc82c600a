import { openDatabase } from '#db/client.ts'
import { migrateDatabase } from '#db/migrate.ts'
import { seedCity } from '#db/seed/seed-city.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
const scale = (process.argv[2] ?? 'small') as 'small' | 'city'
const dir = mkdtempSync(join(tmpdir(), 'seedbench-'))
const d = await openDatabase('file:' + join(dir, 'db.sqlite'))
await migrateDatabase(d.db)
const t0 = performance.now()
let last = t0
const counts = await seedCity(d.db, { scale, onProgress: (t, done, total) => { if (done === total) { const n = performance.now(); console.log(t, total, (n - last).toFixed(0) + 'ms'); last = n } } })
const ms = performance.now() - t0
console.log(scale, counts, Object.values(counts).reduce((a, b) => a + b, 0), (ms / 1000).toFixed(2) + ' s')
// re-seed (delete path)
const t1 = performance.now()
await seedCity(d.db, { scale })
console.log('reseed', ((performance.now() - t1) / 1000).toFixed(2) + ' s')
d.close()
rmSync(dir, { recursive: true, force: true })
