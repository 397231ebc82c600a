import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { summarizeUsage } from '#app/domain.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount } from '#app/lib/format.ts'
import { requireUser } from '#app/session.server.ts'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['partner_admin'])
  const usage = await summarizeUsage(context.platform.db, { partnerId: user.partnerId, days: 30, recentLimit: 0 })
  return { partnerName: user.partnerName, totalCalls: usage.totalCalls, byProduct: usage.byProduct }
}

export default function PartnerHome() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  return (
    <>
      <h1 data-testid="home-title">{t('partner.title')}</h1>
      <p className="lead">
        {data.partnerName} · {t('partner.intro')}
      </p>
      <div className="stats">
        <div className="stat">
          <div className="value">{formatCount(data.totalCalls, lang)}</div>
          <div className="label">
            {t('usage.total')} (30d) · <Link to="/partner/usage">{t('nav.usage')}</Link>
          </div>
        </div>
      </div>
    </>
  )
}
