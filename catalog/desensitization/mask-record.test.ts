import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { maskRecord, maskRecords, maskValue, type TaggedField } from './mask-record.ts'
import { createMaskingPolicy, DEFAULT_MASKING_POLICY } from './masking-policy.ts'

const FIELDS: TaggedField[] = [
  { name: 'name', piTag: null },
  { name: 'legal_rep_name', piTag: 'name' },
  { name: 'legal_rep_id_card', piTag: 'id_card' },
  { name: 'legal_rep_phone', piTag: 'phone' },
  { name: 'address', piTag: 'address' },
  { name: 'registered_capital_wan', piTag: null },
]

const RECORD = {
  name: '沈阳盛京智能科技有限公司',
  legal_rep_name: '陈建国',
  legal_rep_id_card: '210102197803154312',
  legal_rep_phone: '13998765432',
  address: '沈阳市浑南区创新路100号',
  registered_capital_wan: 500,
}

describe('maskRecord', () => {
  it('masks every tagged field at L2 and counts them', () => {
    const { record, fieldsMasked } = maskRecord(RECORD, FIELDS, { level: 'L2' })
    expect(record).toEqual({
      name: '沈阳盛京智能科技有限公司',
      legal_rep_name: '陈*',
      legal_rep_id_card: '210102********4312',
      legal_rep_phone: '139****5432',
      address: '沈阳市浑南区',
      registered_capital_wan: 500,
    })
    expect(fieldsMasked).toBe(4)
  })

  it('keeps L1 records as they are, but for ID and phone numbers, which are masked at every level', () => {
    expect(maskRecord(RECORD, FIELDS, { level: 'L1' })).toEqual({
      record: { ...RECORD, legal_rep_id_card: '210102********4312', legal_rep_phone: '139****5432' },
      fieldsMasked: 2,
    })
  })

  it('no policy keeps an ID, phone or bank-card number: not an override, not a policy built by hand', () => {
    const policy = createMaskingPolicy({ L1: { id_card: 'keep', phone: 'keep', bank_card: 'keep', name: 'keep' } })
    expect(policy.L1).toMatchObject({ id_card: 'mask', phone: 'mask', bank_card: 'mask', name: 'keep' })
    const handMade = { ...DEFAULT_MASKING_POLICY, L2: { ...DEFAULT_MASKING_POLICY.L2, id_card: 'keep', phone: 'keep' } } as const
    const { record } = maskRecord(RECORD, FIELDS, { level: 'L2', policy: handMade })
    expect(record.legal_rep_id_card).toBe('210102********4312')
    expect(record.legal_rep_phone).toBe('139****5432')
    expect(maskValue('bank_card', '6222021234567890123', 'keep')).toEqual({ value: '622202******0123', masked: true })
    expect(maskValue('name', '陈建国', 'keep')).toEqual({ value: '陈建国', masked: false })
  })

  it('withholds tagged values at L3 and L4', () => {
    for (const level of ['L3', 'L4'] as const) {
      const { record, fieldsMasked } = maskRecord(RECORD, FIELDS, { level })
      expect(record.legal_rep_id_card).toBeNull()
      expect(record.address).toBeNull()
      expect(fieldsMasked).toBe(4)
    }
  })

  it('is configurable per level and tag', () => {
    const policy = createMaskingPolicy({ L1: { address: 'mask' }, L2: { address: 'redact', name: 'keep' } })
    expect(maskRecord(RECORD, FIELDS, { level: 'L1', policy })).toMatchObject({
      record: { address: '沈阳市浑南区', legal_rep_phone: '139****5432' },
      fieldsMasked: 3,
    })
    const l2 = maskRecord(RECORD, FIELDS, { level: 'L2', policy })
    expect(l2.record).toMatchObject({ legal_rep_name: '陈建国', address: null, legal_rep_id_card: '210102********4312' })
    expect(l2.fieldsMasked).toBe(3)
    // The default is untouched.
    expect(DEFAULT_MASKING_POLICY.L2.address).toBe('mask')
  })

  it('does not count null or empty values', () => {
    const { fieldsMasked } = maskRecord({ ...RECORD, legal_rep_phone: null, address: '' }, FIELDS, { level: 'L2' })
    expect(fieldsMasked).toBe(2)
    expect(maskValue('phone', undefined, 'mask')).toEqual({ value: null, masked: false })
  })

  it('counts, over many records, exactly the non-empty tagged values (property)', () => {
    const value = fc.option(fc.string({ minLength: 0, maxLength: 30 }), { nil: null })
    const row = fc.record({
      legal_rep_name: value,
      legal_rep_id_card: value,
      legal_rep_phone: value,
      address: value,
      name: value,
    })
    fc.assert(
      fc.property(fc.array(row, { maxLength: 20 }), (rows) => {
        const { records, fieldsMasked } = maskRecords(rows, FIELDS, { level: 'L4' })
        const tagged = ['legal_rep_name', 'legal_rep_id_card', 'legal_rep_phone', 'address'] as const
        const expected = rows.reduce((n, r) => n + tagged.filter((f) => r[f] !== null && r[f] !== '').length, 0)
        expect(fieldsMasked).toBe(expected)
        for (const r of records) for (const f of tagged) expect(r[f] === null || r[f] === '').toBe(true)
      }),
    )
  })
})
