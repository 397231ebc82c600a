import { Link } from '@remix-run/react'
import { useT } from '#app/i18n/use-t.ts'

export default function Index() {
  const t = useT()
  return (
    <div className="panel">
      <h1>{t('app.name')}</h1>
      <p className="lead">{t('app.tagline')}</p>
      <p>
        <Link to="/catalog">{t('nav.catalog')}</Link> · <Link to="/fees">{t('nav.fees')}</Link> ·{' '}
        <Link to="/disclosure" data-testid="disclosure-link">
          {t('disclosure.archive.link')}
        </Link>{' '}
        · <Link to="/login">{t('nav.signIn')}</Link> · <a href="/api/v1/openapi.json">OpenAPI</a>
      </p>
      <p className="become-partner" data-testid="become-partner">
        {t('apply.ctaLead')}{' '}
        <Link to="/apply" className="button primary" data-testid="become-partner-link">
          {t('apply.cta')}
        </Link>
      </p>
    </div>
  )
}
