import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { fail } from '#platform/result.ts'
import { failedForm, formError, invalidForm, type FormReply } from './action-reply.server.ts'
import { errorMessage } from './error-message.ts'

const body = async (response: Response) => (await response.json()) as FormReply

describe('form kit: the one error-code translator', () => {
  it('reads a code in the page’s area first, then in the others, in the user’s language', () => {
    expect(errorMessage('zh', 'required', { area: 'billing' })).toBe('请填写此项')
    expect(errorMessage('en', 'required', { area: 'catalog' })).toBe('Required')
    // A code only the gateway area knows is found from a catalog page too.
    expect(errorMessage('en', 'invalid_cidr', { area: 'catalog', vars: { detail: '10.0.0.0/33' } })).toBe(
      'Not an IP address or CIDR: 10.0.0.0/33',
    )
  })

  it('the same code may read differently per area: the area decides', () => {
    const login = errorMessage('en', 'account_locked', { area: 'login', vars: { until: '10:15' } })
    const auth = errorMessage('en', 'account_locked', { area: 'auth', vars: { until: '10:15' } })
    expect(login).toContain('10:15')
    expect(login).not.toBe(auth)
  })

  it('an unknown code reads "not done" with the code, never a raw key', () => {
    expect(errorMessage('zh', 'no_such_code_anywhere')).toBe('操作未完成（no_such_code_anywhere）')
    expect(errorMessage('en', 'no_such_code_anywhere')).toBe('Not done (no_such_code_anywhere)')
  })
})

describe('form kit: form replies', () => {
  it('a form that did not parse answers 400 with the first problem per field', async () => {
    const schema = z.object({ name: z.string().min(1, 'required').max(3, 'too_long'), age: z.coerce.number().int() })
    const parsed = schema.safeParse({ name: 'abcdef', age: 'x' })
    expect(parsed.success).toBe(false)
    const response = invalidForm(parsed.error!, { target: 'profile' })
    expect(response.status).toBe(400)
    expect(await body(response)).toEqual({ target: 'profile', fields: { name: 'too_long', age: 'invalid' }, formError: null })
  })

  it.each([
    ['validation', 400],
    ['unauthorized', 401],
    ['forbidden', 403],
    ['not_found', 404],
    ['conflict', 409],
    ['locked', 423],
    ['rate_limited', 429],
    ['unavailable', 503],
  ] as const)('a refused operation of kind %s answers %i', async (kind, status) => {
    const response = failedForm(fail(kind, 'some_code', 'message').error)
    expect(response.status).toBe(status)
    expect(await body(response)).toEqual({ target: null, fields: {}, formError: 'some_code' })
  })

  it('a refusal naming fields marks them; codeAlso shows the code as well; shownFields keeps only what the form has', async () => {
    const error = fail('validation', 'refusal_incomplete', 'm', { citation: 'required', datasetCodes: 'invalid' }).error
    expect(await body(failedForm(error))).toMatchObject({ fields: { citation: 'required' }, formError: null })
    expect(await body(failedForm(error, { codeAlso: true }))).toMatchObject({ formError: 'refusal_incomplete' })
    expect(await body(failedForm(error, { shownFields: ['citation'] }))).toMatchObject({
      fields: { citation: 'required' },
      formError: null,
    })
    // None of the named fields is on the form: the code is the form's error, so the refusal is never lost.
    expect(await body(failedForm(error, { shownFields: ['comment'] }))).toEqual({
      target: null,
      fields: {},
      formError: 'refusal_incomplete',
    })
  })

  it('a form-level error carries its status and headers', async () => {
    const response = formError('account_locked', 423, { headers: { 'retry-after': '60' } })
    expect(response.status).toBe(423)
    expect(response.headers.get('retry-after')).toBe('60')
    expect((await body(response)).formError).toBe('account_locked')
  })
})
