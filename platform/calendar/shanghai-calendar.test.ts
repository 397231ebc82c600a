import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  DAY_MS,
  HOUR_MS,
  OFFSET_SECONDS,
  addCalendarMonths,
  calendarYear,
  formatDay,
  formatIso,
  formatMonth,
  fromLocal,
  localParts,
  parseDay,
  parseDayEnd,
  parseInstant,
  parseMonth,
  shiftMonth,
  startOfDay,
  startOfMonth,
  startOfNextDay,
  startOfNextMonth,
} from './shanghai-calendar.ts'

// Oracles written apart from the module, so a property compares two ways of reaching the answer.
const isLeapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
const daysInMonth = (y: number, m: number) => [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!
const pad = (n: number, width = 2) => String(n).padStart(width, '0')
const dayText = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`

// The tz database's Asia/Shanghai: an oracle for every instant since 1992 (daylight saving ran 1986–1991).
const tzParts = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Shanghai',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  weekday: 'short',
})
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
function shanghaiByTzDatabase(ms: number) {
  const part = (type: Intl.DateTimeFormatPartTypes) => tzParts.formatToParts(ms).find((p) => p.type === type)!.value
  return {
    year: Number(part('year')),
    month: Number(part('month')),
    day: Number(part('day')),
    hour: Number(part('hour')),
    minute: Number(part('minute')),
    second: Number(part('second')),
    weekday: WEEKDAYS.indexOf(part('weekday')),
  }
}

/** Instants whose Shanghai year is 0000–9999: the years `YYYY` text (and SQLite) can write. */
const fourDigitYearInstant = fc.integer({ min: fromLocal(0, 1, 1), max: fromLocal(10_000, 1, 1) - 1 })
/** Instants since 1992, where the tz database agrees that Shanghai is on one fixed offset. */
const modernInstant = fc.integer({ min: Date.UTC(1992, 0, 1), max: Date.UTC(2200, 0, 1) })
/** Nearly the whole range of Date (±8.64e15 ms), less a margin for the next month's start. */
const anyInstant = fc.integer({ min: -8_600_000_000_000_000, max: 8_600_000_000_000_000 })
const realDay = fc
  .record({ y: fc.integer({ min: 0, max: 9999 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }) })
  .map(({ y, m, d }) => ({ y, m, d: Math.min(d, daysInMonth(y, m)) }))

describe('the offset', () => {
  it('is what the tz database says Asia/Shanghai is, and whole hours', () => {
    const t = Date.UTC(2026, 6, 1, 0, 0, 0)
    expect(shanghaiByTzDatabase(t).hour * HOUR_MS).toBe(OFFSET_SECONDS * 1000)
    expect(OFFSET_SECONDS % 3600).toBe(0)
    expect(DAY_MS).toBe(24 * HOUR_MS)
    expect(HOUR_MS).toBe(60 * 60 * 1000)
  })
})

describe('localParts and fromLocal', () => {
  it('reads the wall clock as the tz database does, since 1992 (property)', () => {
    fc.assert(
      fc.property(modernInstant, (t) => {
        const { millisecond, ...parts } = localParts(t)
        expect(parts).toEqual(shanghaiByTzDatabase(t))
        expect(millisecond).toBe(((t % 1000) + 1000) % 1000)
      }),
    )
  })

  it('names the weekday and the parts of a known instant', () => {
    // 2026-01-01 is a Thursday; 2025-12-31T16:00Z is its first instant in Shenyang.
    expect(localParts(Date.UTC(2025, 11, 31, 16, 0, 0, 1))).toEqual({
      year: 2026,
      month: 1,
      day: 1,
      hour: 0,
      minute: 0,
      second: 0,
      millisecond: 1,
      weekday: 4,
    })
    expect(localParts(Date.UTC(2025, 11, 31, 15, 59, 59, 999))).toMatchObject({ year: 2025, month: 12, day: 31, hour: 23 })
  })

  it('are inverses over nearly the whole range of Date, negative and huge instants included (property)', () => {
    fc.assert(
      fc.property(fc.oneof(anyInstant, fourDigitYearInstant), (t) => {
        const p = localParts(t)
        expect(fromLocal(p.year, p.month, p.day, p.hour, p.minute, p.second, p.millisecond)).toBe(t)
      }),
    )
  })

  it('takes the years 0–99 as they are (Date.UTC would read them as 1900–1999)', () => {
    expect(formatDay(fromLocal(50, 1, 1))).toBe('0050-01-01')
    expect(formatDay(fromLocal(0, 1, 1))).toBe('0000-01-01')
    expect(localParts(fromLocal(99, 12, 31, 23, 59, 59, 999))).toMatchObject({ year: 99, month: 12, day: 31, hour: 23 })
    expect(fromLocal(99, 13, 1)).toBe(fromLocal(100, 1, 1))
    expect(fromLocal(100, 1, 1) - fromLocal(99, 1, 1)).toBe(365 * DAY_MS)
    expect(formatDay(fromLocal(-1, 1, 1))).toBe('-000001-01-01')
  })

  it('rolls parts over as Date.UTC does', () => {
    expect(fromLocal(2026, 13, 1)).toBe(fromLocal(2027, 1, 1))
    expect(fromLocal(2026, 3, 0)).toBe(fromLocal(2026, 2, 28))
    expect(fromLocal(2026, 1, 1, 24)).toBe(fromLocal(2026, 1, 2))
    expect(fromLocal(2026, 0, 1)).toBe(fromLocal(2025, 12, 1))
    expect(fromLocal(2026, 1, 1, 0, 0, 0, -1)).toBe(fromLocal(2025, 12, 31, 23, 59, 59, 999))
  })

  it('defaults to the first of the month at midnight', () => {
    expect(fromLocal(2026, 3)).toBe(fromLocal(2026, 3, 1, 0, 0, 0, 0))
    expect(fromLocal(2026, 3, 1)).toBe(Date.UTC(2026, 1, 28, 16))
  })
})

describe('days', () => {
  it('starts the day at midnight Beijing time, not UTC', () => {
    expect(startOfDay(fromLocal(2026, 3, 1, 7, 59, 59))).toBe(fromLocal(2026, 3, 1))
    expect(startOfDay(fromLocal(2026, 3, 1))).toBe(fromLocal(2026, 3, 1))
    expect(startOfDay(fromLocal(2026, 2, 28, 23, 59, 59))).toBe(fromLocal(2026, 2, 28))
    expect(startOfNextDay(fromLocal(2026, 12, 31, 12))).toBe(fromLocal(2027, 1, 1))
    // 16:00 UTC is already the next day in Shenyang.
    expect(startOfDay(Date.UTC(2026, 2, 1, 16))).toBe(Date.UTC(2026, 2, 1, 16))
    expect(startOfDay(Date.UTC(2026, 2, 1, 15, 59, 59, 999))).toBe(Date.UTC(2026, 2, 0, 16))
  })

  it('puts every instant in [startOfDay, startOfNextDay), one day long, at local midnight (property)', () => {
    fc.assert(
      fc.property(fc.oneof(anyInstant, modernInstant), (t) => {
        const start = startOfDay(t)
        expect(start).toBeLessThanOrEqual(t)
        expect(t).toBeLessThan(startOfNextDay(t))
        expect(startOfNextDay(t) - start).toBe(DAY_MS)
        expect(startOfDay(start)).toBe(start)
        expect(startOfDay(startOfNextDay(t))).toBe(startOfNextDay(t))
        const [p, q] = [localParts(t), localParts(start)]
        expect(q).toMatchObject({ year: p.year, month: p.month, day: p.day, hour: 0, minute: 0, second: 0, millisecond: 0 })
      }),
    )
  })

  it('is the same day whatever the time within it (property)', () => {
    fc.assert(
      fc.property(fourDigitYearInstant, fc.integer({ min: 0, max: DAY_MS - 1 }), (t, offset) => {
        expect(formatDay(startOfDay(t) + offset)).toBe(formatDay(t))
      }),
    )
  })
})

describe('months and years', () => {
  it('starts the month on the 1st at Beijing midnight, across year ends and leap years', () => {
    // 2026-03-31T20:00Z is already April 1st in Shenyang.
    expect(startOfMonth(Date.UTC(2026, 2, 31, 20))).toBe(fromLocal(2026, 4, 1))
    expect(startOfMonth(fromLocal(2026, 3, 31, 23, 59, 59))).toBe(fromLocal(2026, 3, 1))
    expect(startOfNextMonth(fromLocal(2026, 12, 15, 10))).toBe(fromLocal(2027, 1, 1))
    expect(startOfNextMonth(fromLocal(2028, 2, 10, 10)) - startOfMonth(fromLocal(2028, 2, 10, 10))).toBe(29 * DAY_MS)
    expect(startOfNextMonth(fromLocal(2026, 2, 10)) - startOfMonth(fromLocal(2026, 2, 10))).toBe(28 * DAY_MS)
    expect(startOfNextMonth(fromLocal(2100, 2, 10)) - startOfMonth(fromLocal(2100, 2, 10))).toBe(28 * DAY_MS)
    expect(startOfNextMonth(fromLocal(2000, 2, 10)) - startOfMonth(fromLocal(2000, 2, 10))).toBe(29 * DAY_MS)
  })

  it('puts every instant in [startOfMonth, startOfNextMonth), from the 1st to the month’s last day (property)', () => {
    fc.assert(
      fc.property(fc.oneof(anyInstant, fourDigitYearInstant), (t) => {
        const [start, next] = [startOfMonth(t), startOfNextMonth(t)]
        expect(start).toBeLessThanOrEqual(t)
        expect(t).toBeLessThan(next)
        const p = localParts(t)
        expect(localParts(start)).toMatchObject({ year: p.year, month: p.month, day: 1, hour: 0, minute: 0, second: 0 })
        expect(localParts(next)).toMatchObject({ day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 })
        expect(localParts(next).month).toBe((p.month % 12) + 1)
        expect((next - start) / DAY_MS).toBe(daysInMonth(p.year, p.month))
        expect(startOfMonth(next)).toBe(next)
        expect(startOfMonth(next - 1)).toBe(start)
      }),
    )
  })

  it('counts the calendar year in Shenyang', () => {
    // 31 December 16:00 UTC is already 1 January.
    expect(calendarYear(Date.UTC(2026, 11, 31, 16))).toBe(2027)
    expect(calendarYear(Date.UTC(2026, 11, 31, 15, 59, 59, 999))).toBe(2026)
    expect(calendarYear(fromLocal(2027, 1, 1) - 1)).toBe(2026)
    expect(calendarYear(fromLocal(2027, 1, 1))).toBe(2027)
    expect(calendarYear(0)).toBe(1970)
  })

  it('agrees with the day text on the year (property)', () => {
    fc.assert(
      fc.property(fourDigitYearInstant, (t) => {
        expect(pad(calendarYear(t), 4)).toBe(formatDay(t).slice(0, 4))
      }),
    )
  })
})

describe('addCalendarMonths', () => {
  it('keeps the local time and clamps the day to the target month’s end', () => {
    expect(addCalendarMonths(fromLocal(2026, 1, 31), 1)).toBe(fromLocal(2026, 2, 28))
    expect(addCalendarMonths(fromLocal(2028, 1, 31), 1)).toBe(fromLocal(2028, 2, 29))
    expect(addCalendarMonths(fromLocal(2028, 2, 29), 12)).toBe(fromLocal(2029, 2, 28))
    expect(addCalendarMonths(fromLocal(2028, 2, 29), 48)).toBe(fromLocal(2032, 2, 29))
    expect(addCalendarMonths(fromLocal(2026, 3, 31, 9, 15), -1)).toBe(fromLocal(2026, 2, 28, 9, 15))
    expect(addCalendarMonths(fromLocal(2026, 5, 31), 1)).toBe(fromLocal(2026, 6, 30))
    expect(addCalendarMonths(fromLocal(2026, 3, 15, 10, 30), 36)).toBe(fromLocal(2029, 3, 15, 10, 30))
    expect(addCalendarMonths(fromLocal(2026, 11, 30), 3)).toBe(fromLocal(2027, 2, 28))
    expect(addCalendarMonths(fromLocal(2026, 5, 10), -5)).toBe(fromLocal(2025, 12, 10))
    expect(addCalendarMonths(fromLocal(2026, 12, 31, 23, 59, 59, 999), 1)).toBe(fromLocal(2027, 1, 31, 23, 59, 59, 999))
    expect(addCalendarMonths(fromLocal(2027, 1, 15), -1)).toBe(fromLocal(2026, 12, 15))
    // 2026-02-28T17:00Z is 1 March, 01:00 in Shenyang: a month later is 1 April, 01:00.
    expect(formatDay(addCalendarMonths(Date.UTC(2026, 1, 28, 17), 1))).toBe('2026-04-01')
    expect(addCalendarMonths(Date.UTC(2026, 1, 28, 17), 1)).toBe(fromLocal(2026, 4, 1, 1))
  })

  it('moves by whole months, same time of day, day clamped (property)', () => {
    fc.assert(
      fc.property(fourDigitYearInstant, fc.integer({ min: -1200, max: 1200 }), (t, n) => {
        const p = localParts(t)
        const index = p.year * 12 + (p.month - 1) + n
        const [y, m] = [Math.floor(index / 12), (((index % 12) + 12) % 12) + 1]
        fc.pre(y >= 0 && y <= 9999)
        const moved = addCalendarMonths(t, n)
        const expected = fromLocal(y, m, Math.min(p.day, daysInMonth(y, m)), p.hour, p.minute, p.second, p.millisecond)
        expect(moved).toBe(expected)
        expect(moved - startOfDay(moved)).toBe(t - startOfDay(t))
        if (p.day <= 28) expect(addCalendarMonths(moved, -n)).toBe(t)
      }),
    )
  })

  it('is the identity for 0 months and never reorders two instants (property)', () => {
    fc.assert(
      fc.property(fourDigitYearInstant, fourDigitYearInstant, fc.integer({ min: -120, max: 120 }), (a, b, n) => {
        expect(addCalendarMonths(a, 0)).toBe(a)
        const [lo, hi] = a <= b ? [a, b] : [b, a]
        expect(addCalendarMonths(lo, n)).toBeLessThanOrEqual(addCalendarMonths(hi, n))
      }),
    )
  })
})

describe('text', () => {
  it('writes the Shanghai date, month and time of an instant', () => {
    expect(formatDay(Date.UTC(2026, 10, 27, 16))).toBe('2026-11-28')
    expect(formatDay(Date.UTC(2026, 10, 27, 15, 59, 59, 999))).toBe('2026-11-27')
    expect(formatMonth(Date.UTC(2026, 11, 31, 16))).toBe('2027-01')
    expect(formatMonth(Date.UTC(2026, 11, 31, 15, 59, 59, 999))).toBe('2026-12')
    const offsetText = `+${pad(OFFSET_SECONDS / 3600)}:00`
    expect(formatIso(Date.UTC(2026, 9, 30, 0, 0, 0, 999))).toBe(`2026-10-30T08:00:00${offsetText}`)
    expect(formatIso(Date.UTC(2026, 9, 30, 16))).toBe(`2026-10-31T00:00:00${offsetText}`)
  })

  it('writes years outside 0000–9999 whole, in ISO’s expanded form, and refuses an instant Date cannot hold', () => {
    expect(formatDay(fromLocal(10_000, 1, 1))).toBe('+010000-01-01')
    expect(formatMonth(fromLocal(10_000, 1, 1))).toBe('+010000-01')
    expect(formatDay(fromLocal(-1, 12, 31))).toBe('-000001-12-31')
    expect(formatIso(fromLocal(-1, 12, 31, 23, 59, 59)).slice(0, 20)).toBe('-000001-12-31T23:59:')
    expect(() => formatDay(Number.NaN)).toThrow(RangeError)
    expect(() => formatDay(9e15)).toThrow(RangeError)
  })

  it('reads an instant back from its formatIso, to the second (property)', () => {
    fc.assert(
      fc.property(fourDigitYearInstant, (t) => {
        const text = formatIso(t)
        expect(text.slice(0, 10)).toBe(formatDay(t))
        expect(text.slice(0, 7)).toBe(formatMonth(t))
        expect(parseInstant(text)).toBe(Math.floor(t / 1000) * 1000)
        expect(Date.parse(text)).toBe(Math.floor(t / 1000) * 1000)
      }),
    )
  })

  it('formats and parses a day as inverses, for every real day of the years 0000–9999 (property)', () => {
    fc.assert(
      fc.property(realDay, ({ y, m, d }) => {
        const text = dayText(y, m, d)
        const ms = parseDay(text)
        expect(ms).not.toBeNull()
        expect(formatDay(ms!)).toBe(text)
        expect(startOfDay(ms!)).toBe(ms)
        expect(localParts(ms!)).toMatchObject({ year: y, month: m, day: d, hour: 0 })
      }),
    )
    fc.assert(
      fc.property(fourDigitYearInstant, (t) => {
        expect(parseDay(formatDay(t))).toBe(startOfDay(t))
      }),
    )
  })

  it('refuses what is not a real day', () => {
    for (const bad of [
      '2026-02-31',
      '2026-02-30',
      '2026-02-29',
      '2100-02-29',
      '2026-04-31',
      '2026-13-01',
      '2026-00-10',
      '2026-01-00',
      '2026-01-32',
      '2026-1-01',
      '26-01-01',
      ' 2026-01-01',
      '2026-01-01 ',
      '2026-01-01T00:00',
      '2026/01/01',
      '２０２６-01-01',
      '+02026-01-01',
      '',
    ])
      expect(parseDay(bad), bad).toBeNull()
    expect(parseDay('2028-02-29')).toBe(fromLocal(2028, 2, 29))
    expect(parseDay('2000-02-29')).toBe(fromLocal(2000, 2, 29))
    expect(parseDay('0000-01-01')).toBe(fromLocal(0, 1, 1))
    expect(parseDay('9999-12-31')).toBe(fromLocal(9999, 12, 31))
  })

  it('knows a real day from any four-two-two digits (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        (y, m, d) => {
          const isReal = m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m)
          expect(parseDay(dayText(y, m, d)) !== null).toBe(isReal)
          expect(parseDayEnd(dayText(y, m, d)) !== null).toBe(isReal)
        },
      ),
    )
  })

  it('ends a day at its last second, for "valid through" dates', () => {
    expect(parseDayEnd('2099-01-31')).toBe(fromLocal(2099, 1, 31, 23, 59, 59))
    expect(parseDayEnd('2026-12-31')).toBe(fromLocal(2027, 1, 1) - 1000)
    expect(parseDayEnd('2026-02-29')).toBeNull()
    fc.assert(
      fc.property(realDay, ({ y, m, d }) => {
        const end = parseDayEnd(dayText(y, m, d))!
        expect(formatDay(end)).toBe(dayText(y, m, d))
        expect(startOfNextDay(end) - end).toBe(1000)
      }),
    )
  })

  it('bounds a month and refuses what is not YYYY-MM', () => {
    expect(parseMonth('2027-01')).toEqual({ start: fromLocal(2027, 1, 1), end: fromLocal(2027, 2, 1) })
    expect(parseMonth('2026-12')).toEqual({ start: fromLocal(2026, 12, 1), end: fromLocal(2027, 1, 1) })
    expect(parseMonth('0050-06')).toEqual({ start: fromLocal(50, 6, 1), end: fromLocal(50, 7, 1) })
    for (const bad of ['2026-13', '2026-1', '26-01', '2026-00', '2026-01-01', ' 2026-01', ''])
      expect(parseMonth(bad), bad).toBeNull()
    fc.assert(
      fc.property(fourDigitYearInstant, (t) => {
        expect(parseMonth(formatMonth(t))).toEqual({ start: startOfMonth(t), end: startOfNextMonth(t) })
      }),
    )
  })

  it('reads a date as its Shanghai midnight, a date-time only with an explicit offset', () => {
    expect(parseInstant('2026-10-30')).toBe(fromLocal(2026, 10, 30))
    expect(parseInstant('2026-10-30T08:00Z')).toBe(Date.UTC(2026, 9, 30, 8))
    expect(parseInstant('2026-10-30T08:00:00.5Z')).toBe(Date.UTC(2026, 9, 30, 8, 0, 0, 500))
    expect(parseInstant('2026-10-30T08:00:00-05:30')).toBe(Date.UTC(2026, 9, 30, 13, 30))
    expect(parseInstant(formatIso(fromLocal(2026, 10, 30, 8)))).toBe(fromLocal(2026, 10, 30, 8))
    for (const bad of [
      '2026-10-30T08:00', // no offset: ambiguous
      '2026-10-30 08:00Z',
      '2026-02-31',
      '2026-02-31T10:00Z', // Date.parse would roll it into March
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00Z',
      '2026-01-01T25:00Z',
      '2026-01-01T10:00+24:00',
      '2026-01-01T10:00+0530', // an offset without its colon
      'yesterday',
      '',
    ])
      expect(parseInstant(bad), bad).toBeNull()
  })
})

describe('shiftMonth', () => {
  it('moves a YYYY-MM across year ends', () => {
    expect(shiftMonth('2026-01', -1)).toBe('2025-12')
    expect(shiftMonth('2026-12', 1)).toBe('2027-01')
    expect(shiftMonth('2026-05', 0)).toBe('2026-05')
    expect(shiftMonth('2026-05', -17)).toBe('2024-12')
    expect(shiftMonth('2026-05', 24)).toBe('2028-05')
    expect(shiftMonth('1000-01', -1)).toBe('0999-12')
  })

  it('agrees with moving the month’s start, and undoes itself (property)', () => {
    fc.assert(
      fc.property(fourDigitYearInstant, fc.integer({ min: -1200, max: 1200 }), (t, n) => {
        const moved = addCalendarMonths(startOfMonth(t), n)
        fc.pre(calendarYear(moved) >= 0 && calendarYear(moved) <= 9999)
        expect(shiftMonth(formatMonth(t), n)).toBe(formatMonth(moved))
        expect(shiftMonth(shiftMonth(formatMonth(t), n), -n)).toBe(formatMonth(t))
      }),
    )
  })
})
