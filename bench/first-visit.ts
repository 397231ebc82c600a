/**
 * First-visit bench (docs/BENCHMARKS-ui.md): what a visitor's browser downloads, and how long it takes, to show the
 * public catalog with an empty cache.
 *
 *   npm run bench:first-visit -- [--runs <n>] [--path /catalog] [--json]
 *
 * 1. A fresh temp database (migrate, city `small`, seedPlatform) and the whole platform (Remix UI + gateway, production
 *    mode) in this process (bench/ui-demo-server.ts). Needs `remix build`.
 * 2. Baseline, in the same run: a bare node:http server answering one small static HTML page with one stylesheet — what
 *    this machine and this browser cost for a page that does nothing.
 * 3. Debian's Chromium (playwright-core, /usr/bin/chromium, never a downloaded browser), one fresh context per load (an
 *    empty cache, no cookies), 1366×768. Twice: with the machine's fonts as they are (fonts-noto-cjk installed, as
 *    the README asks of a test machine; the visitors' Windows and macOS have their CJK system fonts too) and with no CJK
 *    system font at all (a fontconfig of DejaVu only): then the page's Chinese needs the self-hosted web font.
 * 4. Per load: bytes on the wire (CDP `Network.loadingFinished` encodedDataLength: headers and bodies), requests, font
 *    files, and the load time: from navigation start to the later of the load event and the last resource's last byte
 *    (fonts included), after the network went idle; also the first byte and the first contentful paint. Median of
 *    `--runs` (default 5) per case.
 */
import { createServer } from 'node:http'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { chromium, type Browser } from 'playwright-core'
// The Debian chromium package: never a downloaded browser (as test/support/browser.ts).
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
import { startUiDemoServer } from './ui-demo-server.ts'

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    path: { type: 'string', default: '/catalog' },
    json: { type: 'boolean', default: false },
  },
  strict: true,
})
const runs = Number(args.runs)
if (!Number.isSafeInteger(runs) || runs < 1) {
  console.error('--runs must be a positive whole number')
  process.exit(2)
}
const progress = (line: string) => console.error(`[bench] ${line}`)
const TARGET_BYTES = 500 * 1024
const TARGET_MS = 600

interface Load {
  bytes: number
  requests: number
  fontFiles: number
  fontBytes: number
  /** Navigation start to the document's first byte (the server's render). */
  ttfbMs: number
  /** Navigation start to the first contentful paint: what the visitor first sees. */
  fcpMs: number
  ms: number
}

async function measure(browser: Browser, url: string): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } })
  try {
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
    const types = new Map<string, string>()
    let bytes = 0
    let requests = 0
    let fontFiles = 0
    let fontBytes = 0
    cdp.on('Network.responseReceived', (e) => types.set(e.requestId, e.type))
    cdp.on('Network.loadingFinished', (e) => {
      bytes += e.encodedDataLength
      requests += 1
      if (types.get(e.requestId) === 'Font') {
        fontFiles += 1
        fontBytes += e.encodedDataLength
      }
    })
    await page.goto(url, { waitUntil: 'networkidle' })
    await page.evaluate(() => document.fonts.ready.then(() => undefined))
    const { ms, ttfbMs, fcpMs } = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming
      const lastByte = Math.max(
        0,
        ...performance.getEntriesByType('resource').map((r) => (r as PerformanceResourceTiming).responseEnd),
      )
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN
      return { ms: Math.max(nav.loadEventEnd, lastByte), ttfbMs: nav.responseStart, fcpMs: fcp }
    })
    return { bytes, requests, fontFiles, fontBytes, ttfbMs, fcpMs, ms }
  } finally {
    await context.close()
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function summarize(loads: Load[]) {
  return {
    bytes: median(loads.map((l) => l.bytes)),
    requests: median(loads.map((l) => l.requests)),
    fontFiles: median(loads.map((l) => l.fontFiles)),
    fontBytes: median(loads.map((l) => l.fontBytes)),
    ttfbMs: Math.round(median(loads.map((l) => l.ttfbMs))),
    fcpMs: Math.round(median(loads.map((l) => l.fcpMs))),
    ms: Math.round(median(loads.map((l) => l.ms))),
    msRuns: loads.map((l) => Math.round(l.ms)),
  }
}

// A static page: the floor of what any page costs here.
const BASELINE_HTML = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>baseline</title>
<link rel="stylesheet" href="/s.css"></head><body><h1>沈阳市公共数据授权运营平台</h1><p>Baseline page.</p></body></html>`
const baseline = createServer((req, res) => {
  if (req.url === '/s.css') {
    res.writeHead(200, { 'content-type': 'text/css' })
    res.end('body{font-family:sans-serif;margin:2rem}')
    return
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
  res.end(BASELINE_HTML)
})
await new Promise<void>((resolve) => baseline.listen(0, '127.0.0.1', resolve))
const baselineUrl = `http://127.0.0.1:${(baseline.address() as { port: number }).port}/`

// No CJK system font: a fontconfig that knows only DejaVu (with the system's usual aliases: sans-serif, monospace).
const fontDir = mkdtempSync(join(tmpdir(), 'sdp-bench-fonts-'))
const fontsConf = join(fontDir, 'fonts.conf')
writeFileSync(
  fontsConf,
  `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir>` +
    `<cachedir>${fontDir}/cache</cachedir><include ignore_missing="yes">/etc/fonts/conf.d</include></fontconfig>`,
)

const load0 = loadavg()
progress('seeding the demo platform')
const server = await startUiDemoServer()
const pageUrl = new URL(args.path!, server.origin).href
const launch = (env?: Record<string, string>) =>
  chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    env: env ? { ...process.env, ...env } : undefined,
  })

const results: Record<string, ReturnType<typeof summarize>> = {}
try {
  for (const [name, env] of [
    ['system CJK font', undefined],
    ['no CJK system font', { FONTCONFIG_FILE: fontsConf }],
  ] as const) {
    const browser = await launch(env)
    try {
      // One warm-up of each (browser start, server's first render), not counted.
      await measure(browser, baselineUrl)
      await measure(browser, pageUrl)
      const base: Load[] = []
      const page: Load[] = []
      for (let i = 0; i < runs; i++) {
        base.push(await measure(browser, baselineUrl))
        page.push(await measure(browser, pageUrl))
      }
      results[`baseline (${name})`] = summarize(base)
      results[`${args.path} (${name})`] = summarize(page)
      progress(`${name}: done`)
    } finally {
      await browser.close()
    }
  }
} finally {
  await server.stop()
  baseline.close()
  rmSync(fontDir, { recursive: true, force: true })
}

const machine = {
  node: process.version,
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  memoryGb: Math.round(totalmem() / 1024 ** 3),
  loadAverageStart: load0.map((l) => l.toFixed(2)).join(' '),
  loadAverageEnd: loadavg()
    .map((l) => l.toFixed(2))
    .join(' '),
  date: new Date().toISOString(),
}
const mainCase = results[`${args.path} (system CJK font)`]!
const verdict = {
  bytesTarget: TARGET_BYTES,
  msTarget: TARGET_MS,
  bytesMet: mainCase.bytes <= TARGET_BYTES,
  msMet: mainCase.ms <= TARGET_MS,
}
if (args.json) {
  console.log(JSON.stringify({ runs, path: args.path, results, verdict, machine }, null, 2))
} else {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`
  console.log(`first visit of ${args.path}, cold cache, median of ${runs}`)
  console.log(
    'case'.padEnd(36),
    'bytes'.padStart(10),
    'requests'.padStart(9),
    'fonts'.padStart(6),
    'font bytes'.padStart(11),
    'ttfb ms'.padStart(8),
    'fcp ms'.padStart(7),
    'load ms'.padStart(8),
    '  runs',
  )
  for (const [name, r] of Object.entries(results)) {
    console.log(
      name.padEnd(36),
      kb(r.bytes).padStart(10),
      String(r.requests).padStart(9),
      String(r.fontFiles).padStart(6),
      kb(r.fontBytes).padStart(11),
      String(r.ttfbMs).padStart(8),
      String(r.fcpMs).padStart(7),
      String(r.ms).padStart(8),
      ` ${r.msRuns.join(' ')}`,
    )
  }
  console.log(
    `target ≤ ${kb(TARGET_BYTES)} and ≤ ${TARGET_MS} ms: bytes ${verdict.bytesMet ? 'met' : 'NOT met'}, time ${verdict.msMet ? 'met' : 'NOT met'}`,
  )
  console.log(
    `machine: ${machine.cpus}, ${machine.memoryGb} GB, Node ${machine.node}, load ${machine.loadAverageStart} → ${machine.loadAverageEnd}, ${machine.date}`,
  )
}
