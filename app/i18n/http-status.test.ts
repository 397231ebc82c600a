import { describe, expect, it } from 'vitest'
import { httpStatusText } from './messages.ts'

describe('httpStatusText', () => {
  it('puts what a status means beside its number, in either language', () => {
    expect(httpStatusText('zh', 200)).toBe('200 成功')
    expect(httpStatusText('en', 429)).toBe('429 Limit exceeded')
    expect(httpStatusText('zh', 423)).toBe('423 已暂停')
  })

  it('shows a status it has no phrase for as its number', () => {
    expect(httpStatusText('en', 418)).toBe('418')
    expect(httpStatusText('zh', 299)).toBe('299')
  })
})
