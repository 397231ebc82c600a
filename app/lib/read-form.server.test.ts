import type { AppLoadContext } from '@remix-run/node'
import { describe, expect, it } from 'vitest'
import { csrfTokenFor, newBrowserId } from '#platform/csrf/csrf-token.ts'
import { sessionCookie } from '#app/session.server.ts'
import { MAX_FORM_BYTES, readForm } from './read-form.server.ts'

const SECRET = 'read-form-test-secret-0123456789'
const context = { platform: { env: { SESSION_SECRET: SECRET, NODE_ENV: 'test' } } } as unknown as AppLoadContext
const browserId = newBrowserId()
const token = csrfTokenFor(SECRET, `browser:${browserId}`)

/** A post from our own page: the browser id cookie and its token, unless the test says otherwise. */
const post = (
  body: BodyInit | null,
  type: string | null = 'application/x-www-form-urlencoded',
  options: { cookie?: string; withToken?: boolean } = {},
) => {
  const withToken = options.withToken ?? true
  const text = typeof body === 'string' && withToken ? `${body}${body ? '&' : ''}_csrf=${token}` : body
  return new Request('http://platform.test/x', {
    method: 'POST',
    body: text,
    headers: {
      ...(type === null ? {} : { 'content-type': type }),
      cookie: options.cookie ?? `sdp_csrf=${browserId}`,
    },
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit)
}

async function refusal(request: Request): Promise<{ status: number; code: string }> {
  try {
    await readForm(request, context)
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, code: await thrown.text() }
    throw thrown
  }
  throw new Error('readForm accepted the request')
}

describe('readForm', () => {
  it('reads a form as the browser posts it, duplicates, plus signs, empty values and CJK included', async () => {
    const form = await readForm(
      post('intent=create&name=%E6%B2%88%E9%98%B3+data&tag=a&tag=b&empty=&bare&note=line1%0D%0Aline2%09x'),
      context,
    )
    expect(form.get('intent')).toBe('create')
    expect(form.get('name')).toBe('沈阳 data')
    expect(form.getAll('tag')).toEqual(['a', 'b'])
    expect(form.get('empty')).toBe('')
    expect(form.get('bare')).toBe('')
    expect(form.get('note')).toBe('line1\r\nline2\tx')
    expect(Object.fromEntries(await readForm(post(''), context))).toEqual({})
    expect((await readForm(post('a=1', 'application/x-www-form-urlencoded; charset=UTF-8'), context)).get('a')).toBe('1')
  })

  it.each([
    ['JSON', '{"intent":"create"}', 'application/json'],
    ['text', 'intent=create', 'text/plain'],
    ['multipart', '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n', 'multipart/form-data; boundary=b'],
    ['no content type', 'intent=create', null],
    ['a list of types', 'a=1', 'application/x-www-form-urlencoded, text/plain'],
  ])('refuses a %s body with 415 before parsing it', async (_name, body, type) => {
    expect(await refusal(post(body, type))).toEqual({ status: 415, code: 'unsupported_content_type' })
  })

  it.each([
    ['a NUL in a value', 'a=x%00y'],
    ['an escape in a name', 'a%01=1'],
    ['a raw control character', 'a=x\u0007'],
    ['DEL', 'a=%7F'],
    ['a C1 control', 'a=%C2%85'],
    ['a right-to-left override', 'a=%E2%80%AE'],
    ['a malformed escape', 'a=%E0%A4%A'],
    ['a lone percent', 'a=100%'],
    ['an escape that is not UTF-8', 'a=%FF'],
    ['an encoded lone surrogate', 'a=%ED%A0%80'],
  ])('refuses %s with 400', async (_name, body) => {
    expect(await refusal(post(body))).toEqual({ status: 400, code: 'malformed_body' })
  })

  it('refuses bytes that are not UTF-8', async () => {
    expect(await refusal(post(new Uint8Array([0x61, 0x3d, 0xff, 0xfe])))).toEqual({ status: 400, code: 'malformed_body' })
  })

  it.each(['__proto__', 'constructor', 'prototype', ''])('refuses the field name %j', async (name) => {
    expect(await refusal(post(`${name}=1&intent=x`))).toEqual({ status: 400, code: 'forbidden_field' })
  })

  it('refuses too many fields', async () => {
    const body = Array.from({ length: 501 }, (_, i) => `f${i}=1`).join('&')
    expect(await refusal(post(body))).toEqual({ status: 400, code: 'malformed_body' })
  })

  it('refuses a body over the limit with 413, by its length or while reading a chunked one', async () => {
    expect(await refusal(post(`a=${'x'.repeat(MAX_FORM_BYTES)}`))).toEqual({ status: 413, code: 'body_too_large' })
    let pulled = 0
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x61))
      },
    })
    expect(await refusal(post(endless))).toEqual({ status: 413, code: 'body_too_large' })
    // It stopped soon after the limit instead of reading forever.
    expect(pulled).toBeLessThan(MAX_FORM_BYTES / (64 * 1024) + 4)
  })

  describe('CSRF token (ADR 0017)', () => {
    const refused = { status: 403, code: 'csrf_token_invalid' }

    it('takes the token out of the form it returns', async () => {
      const form = await readForm(post('intent=create'), context)
      expect([...form.keys()]).toEqual(['intent'])
    })

    it('refuses a form without a token, with an empty or a malformed one', async () => {
      expect(await refusal(post('intent=create', undefined, { withToken: false }))).toEqual(refused)
      expect(await refusal(post('intent=create&_csrf=', undefined, { withToken: false }))).toEqual(refused)
      expect(await refusal(post(`intent=create&_csrf=${token}x`, undefined, { withToken: false }))).toEqual(refused)
      expect(await refusal(post(`intent=create&_csrf=${'A'.repeat(43)}`, undefined, { withToken: false }))).toEqual(refused)
    })

    it("refuses another browser's token, and any token without the browser id cookie", async () => {
      expect(await refusal(post('intent=create', undefined, { cookie: `sdp_csrf=${newBrowserId()}` }))).toEqual(refused)
      expect(await refusal(post('intent=create', undefined, { cookie: '' }))).toEqual(refused)
      expect(await refusal(post('intent=create', undefined, { cookie: 'sdp_csrf=short' }))).toEqual(refused)
    })

    it('binds to the session once signed in: the browser token no longer passes, the session one does', async () => {
      const session = await sessionCookie(context).serialize('s'.repeat(43))
      const cookie = `sdp_csrf=${browserId}; ${session.split(';')[0]}`
      expect(await refusal(post('intent=create', undefined, { cookie }))).toEqual(refused)
      const sessionToken = csrfTokenFor(SECRET, `session:${'s'.repeat(43)}`)
      const form = await readForm(post(`intent=create&_csrf=${sessionToken}`, undefined, { cookie, withToken: false }), context)
      expect(form.get('intent')).toBe('create')
      // A session cookie signed with another secret is no session: back to the browser id.
      const forged = `sdp_session=${Buffer.from(JSON.stringify('s'.repeat(43))).toString('base64')}.AAAA`
      const viaBrowser = await readForm(post('intent=create', undefined, { cookie: `${forged}; sdp_csrf=${browserId}` }), context)
      expect(viaBrowser.get('intent')).toBe('create')
    })

    it('checks the token after the body: a hostile body keeps its own 4xx', async () => {
      expect(await refusal(post('a=x%00y', undefined, { withToken: false }))).toEqual({ status: 400, code: 'malformed_body' })
    })
  })
})
