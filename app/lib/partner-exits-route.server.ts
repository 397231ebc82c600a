import { redirect, type AppLoadContext } from '@remix-run/node'
import type { Actor } from '#platform/audit/record-audit.ts'
import { z } from 'zod'
import type { Role } from '#db/schema/identity.ts'
import {
  BUREAU_EXIT_KINDS,
  EXIT_KINDS,
  executePartnerExit,
  findReapplyRules,
  setReapplyRules,
  formatDay,
  listPartnerExits,
  parseDay,
  startPartnerExit,
  withdrawPartnerExit,
} from '#app/domain.server.ts'
import { failedForm, invalidForm } from '#app/forms/action-reply.server.ts'
import type { SessionUser } from '#app/session.server.ts'

// The operator's and the bureau's exit pages (ADR 0033): one loader and one action, guarded per role.

type ExitRole = Extract<Role, 'operator' | 'bureau'>

/** The page's data, for a user the route has already admitted. */
export async function loadExits(context: AppLoadContext, user: SessionUser, role: ExitRole) {
  const exits = await listPartnerExits(context.platform.db, {
    actor: { id: user.id, label: user.username, role: user.role },
  })
  const rules = await findReapplyRules(context.platform.db)
  return {
    reapplyRules: {
      monthsByKind: rules.monthsByKind,
      setBy: rules.setBy,
      setOn: rules.setAt !== null ? formatDay(rules.setAt) : null,
      canSet: role === 'bureau',
    },
    kinds: role === 'bureau' ? [...BUREAU_EXIT_KINDS] : [...EXIT_KINDS],
    exits: exits.map((e) => ({
      id: e.id,
      partnerCode: e.partner.code,
      partnerName: e.partner.name,
      kind: e.kind,
      state: e.state,
      reason: e.reason,
      sourceRef: e.sourceRef,
      noticeOn: formatDay(e.noticeAt),
      exitOn: formatDay(e.exitAt),
      certificateNumber: e.certificateNumber,
      outcome: e.outcome,
      withdrawal: e.withdrawal ? { ...e.withdrawal, on: formatDay(e.withdrawal.at) } : null,
    })),
  }
}

/** The two forms of the page; each route names its intents in a comment, for the action fuzz (test/support/remix-action-routes.ts). */
export const exitFormSchema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('start'),
    partnerCode: z.string().trim().min(1, 'required').max(100, 'too_long'),
    kind: z.enum(EXIT_KINDS, { message: 'invalid' }),
    reason: z.string().trim().min(4, 'too_short').max(1000, 'too_long'),
    sourceRef: z.string().trim().max(100, 'too_long').optional(),
    exitOn: z
      .string()
      .trim()
      .refine((s) => s === '' || parseDay(s) !== null, 'invalid')
      .optional(),
  }),
  z.object({ intent: z.literal('execute'), exitId: z.string().trim().min(1).max(64) }),
  z.object({
    intent: z.literal('reapply'),
    voluntary: z.string().max(10, 'invalid_months'),
    breach: z.string().max(10, 'invalid_months'),
    assessment: z.string().max(10, 'invalid_months'),
    qualification: z.string().max(10, 'invalid_months'),
    credit: z.string().max(10, 'invalid_months'),
  }),
  z.object({
    intent: z.literal('withdraw'),
    exitId: z.string().trim().min(1).max(64),
    withdrawReason: z.string().trim().min(4, 'too_short').max(1000, 'too_long'),
  }),
])

/** The action, for an actor the route has already admitted and the form it has read. */
export async function runExitAction(context: AppLoadContext, actor: Actor, role: ExitRole, form: Record<string, unknown>) {
  // A row's forms (execute, withdraw) are targeted by their exit, so the error shows under that row.
  const target =
    form.intent === 'withdraw' || form.intent === 'execute'
      ? `${form.intent}:${String(form.exitId ?? '').slice(0, 64)}`
      : typeof form.intent === 'string'
        ? form.intent
        : null
  const parsed = exitFormSchema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const input = parsed.data
  const { db } = context.platform
  if (input.intent === 'start') {
    const now = Date.now()
    const day = input.exitOn ? parseDay(input.exitOn) : null
    // Today (or no date) means now: the notice and the exit may be the same day; a past day is refused by the domain.
    const exitAt = day === null || formatDay(day) === formatDay(now) ? now : day
    const result = await startPartnerExit(db, {
      actor,
      now,
      input: { partnerCode: input.partnerCode, kind: input.kind, reason: input.reason, sourceRef: input.sourceRef, exitAt },
    })
    if (!result.ok) return failedForm(result.error, { target })
    return redirect(`/${role}/exits?started=${encodeURIComponent(result.value.partnerCode)}`)
  }
  if (input.intent === 'reapply') {
    const { intent: _intent, ...monthsByKind } = input
    const set = await setReapplyRules(db, { actor, monthsByKind })
    if (!set.ok) return failedForm(set.error, { target })
    return redirect(`/${role}/exits?rules=saved`)
  }
  if (input.intent === 'withdraw') {
    const withdrawn = await withdrawPartnerExit(db, { actor, exitId: input.exitId, reason: input.withdrawReason })
    if (!withdrawn.ok) return failedForm(withdrawn.error, { target: `withdraw:${input.exitId}` })
    return redirect(`/${role}/exits?withdrawn=${encodeURIComponent(withdrawn.value.partnerCode)}`)
  }
  const result = await executePartnerExit(db, { actor, exitId: input.exitId, early: true })
  if (!result.ok) return failedForm(result.error, { target: `execute:${input.exitId}` })
  return redirect(
    `/${role}/exits?executed=${encodeURIComponent(result.value.partnerCode)}&number=${result.value.certificateNumber}`,
  )
}
