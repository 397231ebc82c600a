import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { fieldErrors } from './field-errors.ts'

const schema = z.object({
  name: z.string().min(2, 'too_short').max(4, 'too_long'),
  price: z.object({ unit: z.string().regex(/^\d+$/, 'decimal') }),
  count: z.number().int().max(10),
})
const errorsOf = (value: unknown) => {
  const parsed = schema.safeParse(value)
  if (parsed.success) throw new Error('expected a failure')
  return parsed.error
}

describe('fieldErrors: the one zod → field codes helper', () => {
  it('keys by dotted path, first problem per field, our messages as codes', () => {
    expect(fieldErrors(errorsOf({ name: 'a', price: { unit: 'x' }, count: 3 }))).toEqual({
      name: 'too_short',
      'price.unit': 'decimal',
    })
  })

  it('zod’s own messages become required, too_long or invalid', () => {
    expect(fieldErrors(errorsOf({ price: {}, count: 11 }))).toEqual({
      name: 'required',
      'price.unit': 'required',
      count: 'too_long',
    })
    expect(fieldErrors(errorsOf({ name: 'ab', price: { unit: '1' }, count: 1.5 }))).toEqual({ count: 'invalid' })
  })

  it('a problem with the whole value goes under the root key', () => {
    const parsed = schema.safeParse('not an object')
    expect(fieldErrors(parsed.error!)).toEqual({ form: 'invalid' })
    expect(fieldErrors(parsed.error!, { root: 'body' })).toEqual({ body: 'invalid' })
  })

  it('the metered API keeps zod’s issue codes (its documented contract)', () => {
    expect(fieldErrors(errorsOf({ name: 'a', price: { unit: 'x' } }), { root: 'body', codes: 'issue' })).toEqual({
      name: 'too_small',
      'price.unit': 'invalid_string',
      count: 'required',
    })
  })
})
