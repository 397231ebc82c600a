import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { DISTRICTS } from '#platform/reference-data/shenyang.ts'
import { ADDRESS_UNKNOWN, MASK_RULES, maskAddress, maskEmail, maskName } from './mask-rules.ts'

const cps = (s: string) => Array.from(s)
/** Any code point (astral ones included), as a one-code-point string. */
const anyChar = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })
const charsOf = (arb: fc.Arbitrary<string>, min: number, max: number) =>
  fc.array(arb, { minLength: min, maxLength: max }).map((a) => a.join(''))

// The visible-part rules as the catalog issue states them (restated here, not imported, so the test can fail).
const SPEC = {
  phone: { keepStart: 3, keepEnd: 4, stars: '****', minHidden: 4 },
  id_card: { keepStart: 6, keepEnd: 4, stars: '********', minHidden: 5 },
  bank_card: { keepStart: 6, keepEnd: 4, stars: '******', minHidden: 4 },
  uscc: { keepStart: 8, keepEnd: 0, stars: '**********', minHidden: 10 },
  plate: { keepStart: 2, keepEnd: 0, stars: '*****', minHidden: 1 },
} as const

describe('mask rules: the examples of the catalog issue', () => {
  it.each([
    ['name', '张三丰', '张*'],
    ['name', '李雷', '李*'],
    ['phone', '13912345678', '139****5678'],
    ['id_card', '210102199001011234', '210102********1234'],
    ['bank_card', '6222021234567890123', '622202******0123'],
    ['address', '沈阳市和平区青年大街100号3层', '沈阳市和平区'],
    ['address', '辽宁省沈阳市沈北新区蒲河路8号', '沈阳市沈北新区'],
    ['address', '北京市海淀区中关村大街1号', '北京市海淀区'],
    ['address', '青年大街100号', ADDRESS_UNKNOWN],
    ['uscc', '91210102MA0QW8R76J', '91210102**********'],
    ['email', 'li.ming@example.cn', 'l***@example.cn'],
    ['plate', '辽A12345', '辽A*****'],
  ] as const)('%s %s → %s', (tag, input, expected) => {
    expect(MASK_RULES[tag](input)).toBe(expected)
  })

  it('masks a value too short to hide enough of it entirely', () => {
    expect(MASK_RULES.phone('1391234')).toBe('****')
    expect(MASK_RULES.id_card('21010219900')).toBe('********')
    expect(MASK_RULES.uscc('91210102MA0')).toBe('**********')
    expect(maskName('王')).toBe('*')
    expect(maskEmail('nobody')).toBe('***')
  })
})

describe.each(Object.entries(SPEC))('%s: keeps only its visible ends (property)', (tag, spec) => {
  const rule = MASK_RULES[tag as keyof typeof SPEC]
  const parts = fc.record({
    start: charsOf(anyChar, spec.keepStart, spec.keepStart),
    hidden: charsOf(anyChar, spec.minHidden, 40),
    end: charsOf(anyChar, spec.keepEnd, spec.keepEnd),
  })

  it('outputs the visible start, the fixed stars and the visible end, for any hidden part', () => {
    fc.assert(
      fc.property(parts, ({ start, hidden, end }) => {
        expect(rule(start + hidden + end)).toBe(start + spec.stars + end)
      }),
    )
  })

  it('never depends on the hidden part: two inputs that differ only there mask alike', () => {
    fc.assert(
      fc.property(parts, charsOf(anyChar, spec.minHidden, 40), ({ start, hidden, end }, other) => {
        expect(rule(start + hidden + end)).toBe(rule(start + other + end))
      }),
    )
  })

  it('never contains a character of the hidden part that the visible part lacks', () => {
    fc.assert(
      fc.property(parts, ({ start, hidden, end }) => {
        const out = cps(rule(start + hidden + end))
        const visible = new Set([...cps(start), ...cps(end), '*'])
        for (const c of cps(hidden)) if (!visible.has(c)) expect(out).not.toContain(c)
      }),
    )
  })

  it('for any string at all: the output is the stars alone, or visible start + stars + visible end', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (input) => {
        const c = cps(input)
        const out = rule(input)
        if (c.length === 0) {
          expect(out).toBe('')
          return
        }
        const visible = c.slice(0, spec.keepStart).join('') + spec.stars + (spec.keepEnd ? c.slice(-spec.keepEnd).join('') : '')
        expect([spec.stars, visible]).toContain(out)
        if (c.length - spec.keepStart - spec.keepEnd < spec.minHidden) expect(out).toBe(spec.stars)
      }),
    )
  })
})

describe('name: first character + * (property)', () => {
  it('hides every character after the first, for any name', () => {
    fc.assert(
      fc.property(
        anyChar.filter((c) => c.trim() === c && c !== ''),
        charsOf(anyChar, 1, 20),
        (first, rest) => {
          fc.pre(rest.trim() === rest && rest.length > 0)
          expect(maskName(first + rest)).toBe(`${first}*`)
          expect(maskName(first + rest)).toBe(maskName(first + 'x'))
        },
      ),
    )
  })
  it('never outputs more than two code points', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(cps(maskName(s)).length).toBeLessThanOrEqual(2)
      }),
    )
  })
})

describe('email: first character of the local part (property)', () => {
  it('keeps the domain and hides the rest of the local part', () => {
    const local = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789._'), minLength: 2, maxLength: 30 })
    const domain = fc.domain()
    fc.assert(
      fc.property(local, domain, (l, d) => {
        const out = maskEmail(`${l}@${d}`)
        expect(out).toBe(`${l[0]}***@${d}`)
        // Whatever the rest of the local part, the output is the same.
        expect(maskEmail(`${l[0]}x@${d}`)).toBe(out)
      }),
    )
  })
})

describe('address: district only (property)', () => {
  const district = fc.constantFrom(...DISTRICTS)
  const prefix = fc.constantFrom('', '沈阳市', '辽宁省沈阳市', '辽宁省')
  it('keeps only 沈阳市 + the district of a Shenyang address, whatever follows it', () => {
    fc.assert(
      fc.property(prefix, district, fc.string({ unit: 'binary', maxLength: 60 }), (p, d, rest) => {
        expect(maskAddress(p + d.zh + rest)).toBe(`沈阳市${d.zh}`)
      }),
    )
  })
  it('for any string: the output is empty, ***, a Shenyang district, or a prefix of the input with no street part', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (input) => {
        const out = maskAddress(input)
        if (out === '' || out === ADDRESS_UNKNOWN) return
        if (DISTRICTS.some((d) => out === `沈阳市${d.zh}`)) return
        expect(input.trim().startsWith(out)).toBe(true)
        expect(out).not.toMatch(/[\d路街道号巷弄村组栋楼室层\s]/)
      }),
    )
  })
})
