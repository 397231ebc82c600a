import { Link, NavLink, useLocation } from '@remix-run/react'
import { useEffect, useRef, useState } from 'react'
import type { Role } from '#db/schema/identity.ts'
import { Form } from '#app/components/form.tsx'
import { translate, type Lang, type MessageKey } from '#app/i18n/messages.ts'
import { ROLE_NAV, type NavGroup } from '#app/nav.ts'

export interface SiteHeaderUser {
  displayName: string
  role: Role
  home: string
  restricted: boolean
  scope: string | null | undefined
  unread: number
}

/**
 * The page header (ADR 0041): the brand and the account tools on the first row, the navigation on the second, each
 * role's links in a few groups shown as disclosure menus (`<details>`: keyboard operable and announced as expanded or
 * collapsed without any script). Below the narrow breakpoint (app.css) the navigation and the tools fold behind one
 * menu button once the page has hydrated; without JavaScript they stay unfolded, stacked, so every link is reachable.
 */
export function SiteHeader({ lang, user }: { lang: Lang; user: SiteHeaderUser | null }) {
  const t = (key: MessageKey, vars?: Record<string, string | number>) => translate(lang, key, vars)
  const location = useLocation()
  const headerRef = useRef<HTMLElement>(null)
  const menuButtonRef = useRef<HTMLButtonElement>(null)
  const [hydrated, setHydrated] = useState(false)
  const [menuOpen, setMenuOpen] = useState(false)

  useEffect(() => setHydrated(true), [])

  // A followed link closes every open menu: the client router keeps the header mounted.
  useEffect(() => {
    setMenuOpen(false)
    headerRef.current?.querySelectorAll('details[open]').forEach((d) => d.removeAttribute('open'))
  }, [location.pathname, location.search])

  useEffect(() => {
    const header = headerRef.current
    if (!header) return
    const groups = () => Array.from(header.querySelectorAll<HTMLDetailsElement>('details.nav-group'))
    // One group open at a time.
    const onToggle = (event: Event) => {
      const opened = event.target
      if (opened instanceof HTMLDetailsElement && opened.open) {
        for (const d of groups()) if (d !== opened) d.open = false
      }
    }
    // Escape closes the open group (focus back on its button), then the menu.
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return
      const open = groups().find((d) => d.open)
      if (open) {
        open.open = false
        open.querySelector('summary')?.focus()
        return
      }
      setMenuOpen((wasOpen) => {
        if (wasOpen) menuButtonRef.current?.focus()
        return false
      })
    }
    // A click elsewhere closes the open group (not the narrow menu: that one has its own button).
    const onPointerDown = (event: PointerEvent) => {
      for (const d of groups()) if (d.open && !d.contains(event.target as Node)) d.open = false
    }
    header.addEventListener('toggle', onToggle, true)
    document.addEventListener('keydown', onKeyDown)
    document.addEventListener('pointerdown', onPointerDown)
    return () => {
      header.removeEventListener('toggle', onToggle, true)
      document.removeEventListener('keydown', onKeyDown)
      document.removeEventListener('pointerdown', onPointerDown)
    }
  }, [])

  return (
    <header
      className="top"
      ref={headerRef}
      data-collapsible={hydrated ? 'true' : undefined}
      data-menu-open={menuOpen ? 'true' : undefined}
    >
      <Link to="/" className="brand">
        {t('app.name')}
      </Link>
      <button
        type="button"
        className="menu-button"
        ref={menuButtonRef}
        aria-expanded={menuOpen}
        aria-controls="site-menu"
        data-testid="menu-button"
        onClick={() => setMenuOpen((open) => !open)}
      >
        {t('shell.menu')}
      </button>
      <div className="site-menu" id="site-menu" data-testid="site-menu">
        <nav className="main-nav" aria-label={t('shell.nav')} data-testid="main-nav">
          <ul>
            <li>
              <NavLink to="/catalog">{t('nav.catalog')}</NavLink>
            </li>
            <li>
              <NavLink to="/fees">{t('nav.fees')}</NavLink>
            </li>
            {user && (
              <li>
                <NavLink to={user.home} end>
                  {t('nav.home')}
                </NavLink>
              </li>
            )}
            {user &&
              !user.restricted &&
              ROLE_NAV[user.role].map((group) => (
                <NavGroupItem key={group.label} group={group} lang={lang} pathname={location.pathname} />
              ))}
          </ul>
        </nav>
        <div className="tools">
          {user && (
            <span className="who" data-testid="who">
              {user.displayName} · {translate(lang, `role.${user.role}`)}
              {user.scope ? ` · ${user.scope}` : ''}
            </span>
          )}
          {/* The read-only auditor has no inbox: nothing is addressed to it. */}
          {user && !user.restricted && user.role !== 'auditor' && (
            // The count's words are for screen readers; the accessible name starts with the visible text (WCAG 2.5.3).
            <Link to="/inbox" data-testid="inbox-link">
              {t('cases.nav.inbox')}
              {user.unread > 0 && (
                <>
                  <span className="badge bad" data-testid="inbox-unread">
                    {user.unread}
                  </span>
                  <span className="visually-hidden">{t('shell.unread')}</span>
                </>
              )}
            </Link>
          )}
          {user && (
            <Link to="/account/password" data-testid="account-link">
              {t('nav.account')}
            </Link>
          )}
          <Form method="post" action="/lang">
            <input type="hidden" name="lang" value={lang === 'zh' ? 'en' : 'zh'} />
            <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
            <button type="submit" data-testid="lang-switch" lang={lang === 'zh' ? 'en' : 'zh-CN'}>
              {t('lang.switch')}
            </button>
          </Form>
          {user ? (
            <Form method="post" action="/logout">
              <button type="submit">{t('nav.signOut')}</button>
            </Form>
          ) : (
            <Link to="/login">{t('nav.signIn')}</Link>
          )}
        </div>
      </div>
    </header>
  )
}

/** A group: one link when it holds one entry, else a disclosure menu. */
function NavGroupItem({ group, lang, pathname }: { group: NavGroup; lang: Lang; pathname: string }) {
  const [only] = group.items
  if (group.items.length === 1 && only) {
    return (
      <li>
        <NavLink to={only.to}>{translate(lang, only.label)}</NavLink>
      </li>
    )
  }
  const isCurrent = group.items.some((item) => pathname === item.to || pathname.startsWith(`${item.to}/`))
  return (
    <li>
      <details className="nav-group" data-testid="nav-group">
        <summary className={isCurrent ? 'current' : undefined}>{translate(lang, group.label)}</summary>
        <ul>
          {group.items.map((item) => (
            <li key={item.to}>
              <NavLink to={item.to}>{translate(lang, item.label)}</NavLink>
            </li>
          ))}
        </ul>
      </details>
    </li>
  )
}
