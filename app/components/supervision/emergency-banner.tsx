import { Link } from '@remix-run/react'
import { translate, type Lang } from '#app/i18n/messages.ts'

/** While an emergency stop is in force, every page of the operator and the bureau says so (ADR 0029). */
export function EmergencyBanner({
  stops,
  lang,
  home,
}: {
  stops: { productCode: string | null; reason: string }[]
  lang: Lang
  home: string
}) {
  const all = stops.find((s) => s.productCode === null)
  const reason = (all ?? stops[0])!.reason
  const text = all
    ? translate(lang, 'emergency.banner.all', { reason })
    : translate(lang, 'emergency.banner.some', {
        products: stops.map((s) => s.productCode).join(translate(lang, 'common.enumeration')),
        reason,
      })
  return (
    <div className="emergency-banner" role="alert" data-testid="emergency-banner">
      <strong>{text}</strong> <Link to={`${home}/emergency`}>{translate(lang, 'emergency.banner.manage')}</Link>
    </div>
  )
}
