import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { citationProblem, explanationProblem, isPlaceholderText } from './legal-basis.ts'

describe("a refusal's legal basis (Art. 15)", () => {
  it('refuses placeholders in either field', () => {
    for (const text of ['无', ' 无。', 'N/A', 'none', '——', '...', '不适用', '略', '同上', '000', 'xxxx'])
      expect([text, isPlaceholderText(text)]).toEqual([text, true])
    expect(citationProblem('无')).toBe('placeholder')
    expect(explanationProblem('None.')).toBe('placeholder')
  })

  it('wants the citation to name a source of law', () => {
    expect(citationProblem('《中华人民共和国个人信息保护法》第十三条')).toBeNull()
    expect(citationProblem('数据安全法第二十一条')).toBeNull()
    expect(citationProblem('《沈阳市公共数据授权运营管理办法》第十五条')).toBeNull()
    expect(citationProblem('Personal Information Protection Law, Art. 13')).toBeNull()
    expect(citationProblem('我们不同意')).toBe('no_source_named')
    expect(citationProblem('see attachment')).toBe('no_source_named')
  })

  it('wants an explanation of at least a short sentence', () => {
    expect(explanationProblem('涉及个人')).toBe('too_short')
    expect(explanationProblem('缺少个人同意或其他合法性基础')).toBeNull()
  })

  it('never calls a real sentence with a named law a placeholder', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), (s) => {
        const citation = `《${s}法》第${s.length}条`
        expect(citationProblem(citation)).toBeNull()
      }),
    )
  })
})
