/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. `npm run bench:gateway -- --profile <dir>`): the functions
 * with the most self time, and self time grouped by file, as shares of all samples and of busy (non-idle) samples.
 *
 *   npx tsx bench/cpu-profile-top.ts <file.cpuprofile | dir> [--top 30] [--json]
 *
 * Given a directory it reads the newest `.cpuprofile` in it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

export interface ProfileSummary {
  file: string
  samples: number
  busySamples: number
  durationMs: number
  functions: { name: string; where: string; selfPct: number; selfPctOfBusy: number }[]
  files: { file: string; selfPct: number; selfPctOfBusy: number }[]
}

const IDLE = new Set(['(idle)', '(program)'])

export function summarizeProfile(path: string, top = 30): ProfileSummary {
  const file = statSync(path).isDirectory() ? newest(path) : path
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfCount = new Map<number, number>()
  for (const id of profile.samples) selfCount.set(id, (selfCount.get(id) ?? 0) + 1)
  const total = profile.samples.length
  let idle = 0
  const fns = new Map<string, { name: string; where: string; n: number }>()
  const files = new Map<string, number>()
  for (const [id, n] of selfCount) {
    const node = byId.get(id)!
    const { functionName, url, lineNumber } = node.callFrame
    const name = functionName || '(anonymous)'
    if (name === '(idle)') idle += n
    const short = shorten(url)
    const where = short ? `${short}:${lineNumber + 1}` : ''
    const key = `${name} ${where}`
    const entry = fns.get(key) ?? { name, where, n: 0 }
    entry.n += n
    fns.set(key, entry)
    const fileKey = short || (IDLE.has(name) ? name : `(native) ${name}`)
    files.set(fileKey, (files.get(fileKey) ?? 0) + n)
  }
  const busy = total - idle
  const pct = (n: number, of: number) => Math.round((n / Math.max(1, of)) * 1000) / 10
  return {
    file,
    samples: total,
    busySamples: busy,
    durationMs: Math.round((profile.endTime - profile.startTime) / 1000),
    functions: [...fns.values()]
      .sort((a, b) => b.n - a.n)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, selfPct: pct(f.n, total), selfPctOfBusy: pct(f.n, busy) })),
    files: [...files]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([f, n]) => ({ file: f, selfPct: pct(n, total), selfPctOfBusy: pct(n, busy) })),
  }
}

function newest(dir: string): string {
  const found = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
  if (!found[0]) throw new Error(`no .cpuprofile in ${dir}`)
  return found[0]
}

function shorten(url: string): string {
  if (!url) return ''
  const path = url.replace(/^file:\/\//, '')
  const at = path.indexOf('/node_modules/')
  if (at >= 0) return path.slice(at + 1)
  const repo = path.lastIndexOf('/work/main/')
  return repo >= 0 ? path.slice(repo + '/work/main/'.length) : path
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    options: { top: { type: 'string', default: '30' }, json: { type: 'boolean', default: false } },
    allowPositionals: true,
  })
  if (!positionals[0]) {
    console.error('usage: tsx bench/cpu-profile-top.ts <file.cpuprofile | dir> [--top 30] [--json]')
    process.exit(2)
  }
  const summary = summarizeProfile(positionals[0], Number(values.top))
  if (values.json) {
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n')
  } else {
    console.log(`${summary.file}: ${summary.samples} samples over ${summary.durationMs} ms, ${summary.busySamples} busy`)
    console.log('\nself time by function (% of all samples / % of busy samples)')
    for (const f of summary.functions)
      console.log(`${String(f.selfPct).padStart(6)} %  ${String(f.selfPctOfBusy).padStart(6)} %  ${f.name}  ${f.where}`)
    console.log('\nself time by file')
    for (const f of summary.files)
      console.log(`${String(f.selfPct).padStart(6)} %  ${String(f.selfPctOfBusy).padStart(6)} %  ${f.file}`)
  }
}
