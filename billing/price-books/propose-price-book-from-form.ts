import type { Db } from '#db/client.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import type { DomainError, Result } from '#platform/result.ts'
import { parsePriceProposal, PRICE_FIELD, type PriceProposalForm } from './parse-price-proposal.ts'
import { proposePriceBook } from './propose-price-book.ts'

/** The form's input that a charge's problem belongs to: the usage charge (0) or the base fee (1). */
function formFieldOf(key: string): string {
  const [head, index, sub] = key.split('.')
  if (head !== 'charges' || index === undefined) return key
  if (index === '1') return 'baseFee'
  if (sub === 'model' || sub === 'chargeUnit') return sub
  return PRICE_FIELD
}

/**
 * `proposePriceBook`'s refusal in the form's terms: its fields are keyed by charge (`charges.0.tiers.1.upTo`, `charges.1`),
 * the form's by input (`price`, `baseFee`, `model`); the first problem per input wins. A ceiling named by a
 * `price_above_ceiling` refusal travels as `<input>.ceiling` (fen per unit), as the operation names it `charges.<i>.ceiling`.
 */
function inFormTerms(error: DomainError): DomainError {
  if (!error.fields) return error
  const fields: Record<string, string> = {}
  for (const [key, code] of Object.entries(error.fields)) {
    const isCeiling = key.endsWith('.ceiling') && key.startsWith('charges.')
    const field = formFieldOf(isCeiling ? key.slice(0, -'.ceiling'.length) : key)
    fields[isCeiling ? `${field}.ceiling` : field] ??= code
  }
  return { ...error, fields }
}

/**
 * The operator's proposal as posted by the pricing page: the form is read by `parsePriceProposal` and proposed by
 * `proposePriceBook`, and every refusal names the form's own inputs.
 */
export async function proposePriceBookFromForm(
  db: Db,
  opts: { form: PriceProposalForm; actor: Actor; requestId?: string | null; now?: number },
): Promise<Result<{ id: string; version: number }>> {
  // Checked first, so a caller without the right learns nothing about the form either.
  const denied = refuseUnlessPermitted(opts.actor, 'price_book.propose')
  if (denied) return denied
  const input = parsePriceProposal(opts.form)
  if (!input.ok) return input
  const proposed = await proposePriceBook(db, { input: input.value, actor: opts.actor, requestId: opts.requestId, now: opts.now })
  return proposed.ok ? proposed : { ok: false, error: inFormTerms(proposed.error) }
}
