import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { messages, translate, type MessageKey } from './messages.ts'

// Issue 16: English text is English (no Chinese punctuation or typographic apostrophes/quotes), a Chinese message does
// not trail off into an English sentence, and counts read as English plurals.

/** Chinese/full-width punctuation and curly quotes that do not belong in English text. The ellipsis … and dashes do. */
const CJK_PUNCTUATION = /[，。：；！？（）、“”‘’＇〔〕【】《》「」『』]/
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/
/** English messages that name something Chinese on purpose: the language switch reads "中文" in English. */
const CHINESE_ON_PURPOSE = new Set<MessageKey>(['lang.switch'])

const entries = (lang: 'zh' | 'en') => Object.entries(messages[lang]) as [MessageKey, string][]

/** A Chinese message's tail after its last Chinese character, placeholders and codes removed. */
function latinTail(text: string): string {
  const tail =
    text
      .replace(/\{[^{}]*\}/g, ' ')
      .split(CJK)
      .pop() ?? ''
  return tail.replace(/`[^`]*`|"[^"]*"|\([^)]*\)|https?:\S+/g, ' ')
}

describe('English messages', () => {
  it('have no Chinese punctuation, curly quotes or full-width apostrophes', () => {
    const bad = entries('en')
      .filter(([, v]) => CJK_PUNCTUATION.test(v))
      .map(([k, v]) => `${k}: ${v}`)
    expect(bad).toEqual([])
  })

  it('have no Chinese characters (except where naming Chinese is the point)', () => {
    const bad = entries('en')
      .filter(([k, v]) => !CHINESE_ON_PURPOSE.has(k) && CJK.test(v))
      .map(([k, v]) => `${k}: ${v}`)
    expect(bad).toEqual([])
  })

  it('catches what it is meant to catch', () => {
    expect(CJK_PUNCTUATION.test('The partner’s key')).toBe(true)
    expect(CJK_PUNCTUATION.test('Done，thanks')).toBe(true)
    expect(CJK_PUNCTUATION.test("The partner's key… 1–10,000 calls")).toBe(false)
  })
})

describe('Chinese messages', () => {
  it('do not end in an English sentence', () => {
    // Three or more English words after the last Chinese character is an English sentence; units, codes and
    // placeholders (MB, API, {name}) are not.
    const bad = entries('zh')
      .filter(([, v]) => /(?:[A-Za-z]{2,}[\s,.;:]+){3,}[A-Za-z]/.test(latinTail(v)))
      .map(([k, v]) => `${k}: ${v}`)
    expect(bad).toEqual([])
    expect(/(?:[A-Za-z]{2,}[\s,.;:]+){3,}[A-Za-z]/.test(latinTail('拉取失败：the source did not answer in time'))).toBe(true)
  })
})

describe('plurals', () => {
  it('read "1 call", "2 calls" and "1–10,000 calls" in English, and a plain count in Chinese', () => {
    expect(translate('en', 'enum.unitCount.call', { n: 1 })).toBe('call')
    expect(translate('en', 'enum.unitCount.call', { n: 2 })).toBe('calls')
    expect(translate('en', 'enum.unitCount.call', { n: 10_000 })).toBe('calls')
    expect(translate('zh', 'enum.unitCount.call', { n: 2 })).toBe('次')
    expect(translate('en', 'catalog.months', { n: 1 })).toBe('1 month')
    expect(translate('en', 'catalog.months', { n: '12' })).toBe('12 months')
    expect(translate('en', 'gateway.dev.keysSummary', { n: 1 })).toBe('1 active key')
    expect(translate('en', 'cases.queue.cases', { n: '1' })).toMatch(/^1 case past/)
    expect(translate('en', 'catalog.load.succeeded', { n: '1,000' })).toBe('Loaded 1,000 rows.')
  })

  it('leave no ICU syntax on the page when an argument is missing', () => {
    expect(translate('en', 'catalog.months', {})).not.toMatch(/plural|[{}]/)
  })

  it('every ICU message compiles in its language', () => {
    for (const lang of ['zh', 'en'] as const)
      for (const [k, v] of Object.entries(messages[lang]) as [MessageKey, string][])
        if (/,\s*plural\s*,/.test(v)) expect(translate(lang, k, {}), `${lang} ${k}`).not.toMatch(/,\s*plural\s*,/)
  })
})

describe('pages', () => {
  it('never write Chinese punctuation in code: separators and colons come from the messages', () => {
    const bad: string[] = []
    for (const dir of ['app/routes', 'app/components', 'app/components/catalog', 'app/components/supervision']) {
      let names: string[] = []
      try {
        names = readdirSync(dir).filter((n) => n.endsWith('.tsx'))
      } catch {
        continue
      }
      for (const name of names) {
        const lines = readFileSync(join(dir, name), 'utf8').split('\n')
        lines.forEach((line, i) => {
          const code = line
            .replace(/\/\*.*?\*\//g, '')
            .replace(/\/\/.*$/, '')
            .replace(/^\s*\*.*$/, '')
          if (/[，。：；！？（）、]/.test(code)) bad.push(`${dir}/${name}:${i + 1}: ${line.trim()}`)
        })
      }
    }
    expect(bad).toEqual([])
  })
})
