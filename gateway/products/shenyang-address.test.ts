import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { DISTRICTS } from '#platform/reference-data/shenyang.ts'
import { standardizeShenyangAddress } from './shenyang-address.ts'

describe('standardizeShenyangAddress', () => {
  it.each([
    ['沈阳市和平区青年大街100号', '沈阳市和平区青年大街100号', '210102', 'district'],
    ['辽宁省沈阳市 沈北新区 蒲河路８号', '沈阳市沈北新区蒲河路8号', '210113', 'district'],
    ['沈阳 和平 青年大街１００号', '沈阳市和平区青年大街100号', '210102', 'district'],
    ['沈北蒲河路8', '沈阳市沈北新区蒲河路8号', '210113', 'district'],
    ['浑南区创新路100号3层', '沈阳市浑南区创新路100号3层', '210112', 'district'],
    ['和平大街5号', '沈阳市和平区和平大街5号', '210102', 'street'],
    ['沈阳市铁西区某某小区2栋', '沈阳市铁西区某某小区2栋', '210106', 'district'],
  ])('%s → %s', (input, standardized, code, matchedBy) => {
    const out = standardizeShenyangAddress(input)
    expect(out.standardized).toBe(standardized)
    expect(out.district?.code).toBe(code)
    expect(out.matchedBy).toBe(matchedBy)
  })

  it('lists the candidates of a street several districts have, and decides nothing', () => {
    const out = standardizeShenyangAddress('人民路1号')
    expect(out).toMatchObject({ standardized: null, district: null, street: '人民路', houseNumber: '1', matchedBy: 'none' })
    expect(out.candidates.map((d) => d.code).sort()).toEqual(['210115', '210123', '210124', '210181'])
  })

  it('finds nothing in an address outside Shenyang', () => {
    expect(standardizeShenyangAddress('北京市海淀区中关村大街1号')).toMatchObject({
      standardized: null,
      district: null,
      matchedBy: 'none',
      candidates: [],
    })
  })

  it('round-trips every district and street of the reference data (property)', () => {
    const pair = fc.constantFrom(...DISTRICTS.flatMap((d) => d.roads.map((road) => ({ d, road }))))
    fc.assert(
      fc.property(
        pair,
        fc.integer({ min: 1, max: 9999 }),
        fc.constantFrom('', '沈阳市', '辽宁省沈阳市'),
        ({ d, road }, n, prefix) => {
          const out = standardizeShenyangAddress(`${prefix}${d.zh}${road}${n}号`)
          expect(out).toMatchObject({
            standardized: `沈阳市${d.zh}${road}${n}号`,
            street: road,
            houseNumber: String(n),
            matchedBy: 'district',
          })
          expect(out.district?.code).toBe(d.code)
        },
      ),
    )
  })
})
