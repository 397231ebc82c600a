import { Link } from '@remix-run/react'
import { translate, type Lang } from '#app/i18n/messages.ts'
import { formatTime } from '#app/lib/format.ts'

export interface PendingAgreements {
  kinds: ('cooperation' | 'platform_service')[]
  isBlocked: boolean
  /** The earliest accept-by date of the versions in grace; null when blocked or none. */
  acceptBy: number | null
}

/** A new agreement version awaits the partner's acceptance: said on every page of its people (ADR 0031). */
export function AgreementBanner({ pending, lang, canAccept }: { pending: PendingAgreements; lang: Lang; canAccept: boolean }) {
  const kinds = pending.kinds.map((k) => translate(lang, `agree.kind.${k}`)).join(translate(lang, 'common.enumeration'))
  const deadline = pending.isBlocked
    ? translate(lang, 'agree.pending.blocked')
    : pending.acceptBy
      ? translate(lang, 'agree.pending.deadline', { date: formatTime(pending.acceptBy, lang) })
      : ''
  return (
    <div className="emergency-banner" role="alert" data-testid="agreement-banner">
      <strong>{translate(lang, 'agree.pending.banner', { kinds, deadline })}</strong>{' '}
      {canAccept && <Link to="/partner/agreements">{translate(lang, 'agree.pending.link')}</Link>}
    </div>
  )
}
