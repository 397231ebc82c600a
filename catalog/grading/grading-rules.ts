import { REFUSED_LEVELS, SENSITIVITY_LEVELS, type PiTag, type ProductForm, type SensitivityLevel } from '#db/schema/catalog.ts'
import { checkOutput, type OutputKind } from '#catalog/output-rules/output-rules.ts'
import { fail, type DomainError } from '#platform/result.ts'

/** The lowest level a dataset with any personal-information field may have (ADR 0037). */
export const PERSONAL_DATA_FLOOR: SensitivityLevel = 'L2'

export const USAGE_REQUIREMENTS_MAX_LENGTH = 2000
export const PROPOSAL_NOTE_MAX_LENGTH = 500

/** Whether `level` is below the floor for a dataset whose fields carry these tags. */
export function isBelowPersonalFloor(level: SensitivityLevel, tags: readonly (PiTag | null)[]): boolean {
  return tags.some((t) => t !== null) && SENSITIVITY_LEVELS.indexOf(level) < SENSITIVITY_LEVELS.indexOf(PERSONAL_DATA_FLOOR)
}

export function refuseBelowPersonalFloor(level: SensitivityLevel, tags: readonly (PiTag | null)[]) {
  if (!isBelowPersonalFloor(level, tags)) return null
  return fail(
    'validation',
    'personal_data_below_l2',
    `A dataset with personal-information fields is graded ${PERSONAL_DATA_FLOOR} or above`,
    { level: 'personal_data_below_l2' },
  )
}

/** A level as typed: L1–L4, `level_not_operable` for core/secret (Art. 6), `invalid` otherwise. */
export function parseLevel(raw: unknown): { level: SensitivityLevel } | { error: { ok: false; error: DomainError } } {
  const text = typeof raw === 'string' ? raw.trim() : ''
  if ((REFUSED_LEVELS as readonly string[]).includes(text.toLowerCase()))
    return {
      error: fail('validation', 'level_not_operable', `Data graded ${text} is never operated (Art. 6)`, {
        level: 'level_not_operable',
      }),
    }
  if (!(SENSITIVITY_LEVELS as readonly string[]).includes(text))
    return {
      error: fail('validation', 'invalid_level', 'The level is one of L1, L2, L3, L4', { level: text ? 'invalid' : 'required' }),
    }
  return { level: text as SensitivityLevel }
}

/** What a product lets out of its datasets when its link says nothing: its form's output (Art. 2). */
export const OUTPUT_KIND_OF_FORM: Readonly<Record<ProductForm, OutputKind | null>> = {
  service: 'record',
  verification: 'verdict',
  model: 'score',
  component: 'aggregate',
  report: 'aggregate',
  tool: null,
}

export function outputKindOf(form: ProductForm, declared: OutputKind | null): OutputKind | null {
  return declared ?? OUTPUT_KIND_OF_FORM[form]
}

/** Why a product's output no longer complies with `level`, or null when it does. */
export function nonCompliance(level: SensitivityLevel, kind: OutputKind | null): string | null {
  if (kind === null) return null
  const allowed = checkOutput(level, kind)
  return allowed.ok ? null : `${level.toLowerCase()}_forbids_${kind}`
}

const KIND_ZH: Record<OutputKind, string> = { record: '明细记录', aggregate: '汇总统计', verdict: '核验结论', score: '评分' }

/** The suspension reason shown to the bureau and the operator (products.suspension_reason). */
export function regradingSuspensionReason(opts: {
  datasetCode: string
  from: SensitivityLevel
  to: SensitivityLevel
  kind: OutputKind
  sourceUnitZh: string
}): string {
  return (
    `数源单位${opts.sourceUnitZh}将数据集 ${opts.datasetCode} 重新定级为 ${opts.to}（原 ${opts.from}）；本产品输出该数据集的${KIND_ZH[opts.kind]}，` +
    `${opts.to} 级数据不得如此输出，自动暂停（${opts.to.toLowerCase()}_forbids_${opts.kind}）。` +
    ` / Re-graded ${opts.from} → ${opts.to} by the source unit; the product lets out ${opts.kind}s of it, which ${opts.to} forbids.`
  )
}
