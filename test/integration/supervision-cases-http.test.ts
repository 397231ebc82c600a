import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readdirSync } from 'node:fs'
import { eq } from 'drizzle-orm'
import { rectificationCases } from '#db/schema/index.ts'
import { evidenceDirectoryOf } from '#supervision/cases/evidence-store.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { signInUi, type UiSession } from '#test/support/ui-session.ts'

// The evidence upload and download routes over HTTP (ADR 0028): hostile uploads get a 4xx with a stable code and leave
// no file; downloads are attachments, sniffed type, sandboxed, to the bureau and the party only. Needs `remix build`.
describe('rectification evidence over HTTP', () => {
  let platform: PlatformHarness
  const sessions: Record<string, UiSession> = {}
  let code: string
  let directory: string
  const serverLog: string[] = []

  beforeAll(async () => {
    platform = await startPlatform({ log: (line) => serverLog.push(line) })
    const [open] = await platform.database.db.select().from(rectificationCases).where(eq(rectificationCases.state, 'open'))
    code = open!.code
    directory = evidenceDirectoryOf(platform.database.url)
    for (const user of ['operator', 'partner.admin', 'bureau', 'scjg']) sessions[user] = await signInUi(platform.url, user)
  }, 120_000)
  afterAll(async () => {
    await platform?.stop()
    expect(serverLog.filter((line) => /internal error/i.test(line))).toEqual([])
  })

  const filesNow = () => {
    try {
      return readdirSync(directory).sort()
    } catch {
      return []
    }
  }

  async function upload(who: string, body: BodyInit | null, headers: Record<string, string> = {}, caseCode = code) {
    const session = sessions[who]!
    const res = await fetch(`${platform.url}/cases/${encodeURIComponent(caseCode)}/evidence`, {
      method: 'POST',
      headers: {
        cookie: session.cookie,
        'x-csrf-token': session.csrfToken,
        'content-type': 'application/octet-stream',
        ...headers,
      },
      body,
      redirect: 'manual',
      duplex: 'half',
    } as RequestInit)
    return { status: res.status, json: (await res.json().catch(() => null)) as { error?: string; id?: string } | null }
  }

  it('refuses hostile uploads with a 4xx and a stable code, storing nothing', async () => {
    const before = filesNow()
    const html = '<html><script>alert(document.cookie)</script></html>'
    expect(await upload('operator', html)).toEqual({ status: 400, json: { error: 'unsupported_file_type' } })
    expect(await upload('operator', '<svg onload="alert(1)"/>', { 'content-type': 'image/png' })).toEqual({
      status: 400,
      json: { error: 'unsupported_file_type' },
    })
    expect(await upload('operator', '')).toEqual({ status: 400, json: { error: 'file_required' } })
    expect((await upload('operator', '%PDF-1.4', { 'content-type': 'text/html' })).status).toBe(415)
    expect((await upload('operator', 'a=1', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415)
    // Over 10 MB, streamed without a length: refused as it passes the limit.
    const big = new Uint8Array(11 * 1024 * 1024)
    big.set(new TextEncoder().encode('%PDF-1.4\n'))
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < big.byteLength; i += 1024 * 1024) controller.enqueue(big.slice(i, i + 1024 * 1024))
        controller.close()
      },
    })
    expect(await upload('operator', stream)).toEqual({ status: 413, json: { error: 'file_too_large' } })
    // No CSRF token: 403 before a byte is read.
    expect((await upload('operator', '%PDF-1.4', { 'x-csrf-token': 'forged' })).status).toBe(403)
    // Not the party (a partner administrator on the operator's case), the bureau, a source unit, no such case.
    expect(await upload('partner.admin', '%PDF-1.4')).toEqual({ status: 404, json: { error: 'case_not_found' } })
    expect((await upload('bureau', '%PDF-1.4')).status).toBe(403)
    expect((await upload('scjg', '%PDF-1.4')).status).toBe(403)
    expect(await upload('operator', '%PDF-1.4', {}, 'ZG-0000-0000')).toEqual({ status: 404, json: { error: 'case_not_found' } })
    expect(filesNow()).toEqual(before)
    const [row] = await platform.database.db.select().from(rectificationCases).where(eq(rectificationCases.code, code))
    expect(row!.state).toBe('open')
  }, 120_000)

  it('stores a PDF outside the web root and serves it only as a download to the bureau and the party', async () => {
    const pdf = '%PDF-1.4\n%%EOF\n'
    const stored = await upload('operator', pdf, { 'x-file-name': encodeURIComponent('../../整改"报告.html') })
    expect(stored.status).toBe(200)
    const id = stored.json!.id!
    expect(filesNow()).toContain(id)
    const get = (who: string, path: string) =>
      fetch(`${platform.url}${path}`, { headers: { cookie: sessions[who]!.cookie }, redirect: 'manual' })
    for (const [who, path] of [
      ['bureau', `/bureau/cases/${code}/evidence/${id}`],
      ['operator', `/operator/cases/${code}/evidence/${id}`],
    ] as const) {
      const res = await get(who, path)
      expect(res.status, who).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/pdf')
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; /)
      expect(res.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('整改"报告.pdf')}`)
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('content-security-policy')).toContain('sandbox')
      expect(await res.text()).toBe(pdf)
    }
    // Another's: the partner's administrator gets 404 on its own route; other roles 403; an unknown id 404.
    expect((await get('partner.admin', `/partner/cases/${code}/evidence/${id}`)).status).toBe(404)
    expect((await get('scjg', `/bureau/cases/${code}/evidence/${id}`)).status).toBe(403)
    expect((await get('bureau', `/bureau/cases/${code}/evidence/00000000-0000-0000-0000-000000000000`)).status).toBe(404)
    expect((await get('bureau', `/bureau/cases/${code}/evidence/..%2F..%2Fplatform.db`)).status).toBe(404)
    // The file is not under public/ (the web root): no static path serves it.
    expect((await get('bureau', `/case-evidence/${id}`)).status).toBe(404)
  })
})
