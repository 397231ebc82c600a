import { NavLink } from '@remix-run/react'
import { useT } from '#app/i18n/use-t.ts'

/** The account pages every signed-in user has: their password and their second factor. */
export function AccountNav() {
  const t = useT()
  return (
    <nav className="subnav" data-testid="account-nav">
      <NavLink to="/account/password">{t('auth.password.title')}</NavLink> ·{' '}
      <NavLink to="/account/two-factor">{t('auth.enrol.title')}</NavLink>
    </nav>
  )
}
