// What a refusal's legal basis (Art. 15) must look like. A citation names a law, regulation, rule or standard (a title
// in 《》, or a word such as 法/条例/办法/规定, or an English "Law/Regulation/Article"); an explanation says why in at least
// a sentence. Placeholders ("无", "none", "-", "不适用") say nothing and are refused: the partner and the bureau must be
// able to check the refusal against the text it cites.

const PLACEHOLDERS = new Set([
  '无',
  '没有',
  '暂无',
  '不适用',
  '略',
  '同上',
  '见附件',
  '其他',
  '否',
  'none',
  'n/a',
  'na',
  'nil',
  'null',
  'no',
  'nothing',
  'tbd',
  'see above',
  'other',
])

/** The text with spaces and punctuation taken away, lower case: what a placeholder check compares. */
const bare = (text: string) => text.toLowerCase().replace(/[\s\p{P}\p{S}]/gu, '')

/** True for a text that only stands in for an answer ("无", "N/A", "——", "..."). */
export function isPlaceholderText(text: string): boolean {
  const b = bare(text)
  return b.length === 0 || PLACEHOLDERS.has(b) || PLACEHOLDERS.has(text.trim().toLowerCase()) || /^(.)\1*$/u.test(b)
}

const NAMES_A_SOURCE =
  /《[^》]{2,}》|法|条例|办法|规定|规则|决定|细则|意见|通知|标准|GB|law|regulation|measures|rules|article|art\./iu

/** A field code when the citation does not name a source of law; null when it does. */
export function citationProblem(citation: string): 'placeholder' | 'no_source_named' | null {
  if (isPlaceholderText(citation)) return 'placeholder'
  if (!NAMES_A_SOURCE.test(citation)) return 'no_source_named'
  return null
}

/** The fewest characters an explanation has (a short Chinese sentence). */
export const MIN_EXPLANATION_LENGTH = 6

/** A field code when the explanation explains nothing; null when it does. */
export function explanationProblem(explanation: string): 'placeholder' | 'too_short' | null {
  if (isPlaceholderText(explanation)) return 'placeholder'
  if ([...explanation.trim()].length < MIN_EXPLANATION_LENGTH) return 'too_short'
  return null
}
