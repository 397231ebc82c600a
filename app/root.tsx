import { redirect, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useLoaderData, useRouteLoaderData } from '@remix-run/react'
import type { ReactNode } from 'react'
import appStyles from '#app/styles/app.css'
// The CJK web font, regular weight only, as the build copies it (hashed) from its npm package: a fallback (ADR 0041).
import notoSansScStyles from '@fontsource/noto-sans-sc/400.css'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { getCsrfToken } from '#app/lib/csrf.server.ts'
import { useNonce } from '#app/components/nonce.tsx'
import { translate, type Lang } from '#app/i18n/messages.ts'
import { getLang, getOptionalUser, RESTRICTION_PAGE, ROLE_HOME } from '#app/session.server.ts'
import { SiteHeader } from '#app/components/site-header.tsx'
import { useKeyboardScrollableTables } from '#app/components/keyboard-scrollable-tables.ts'
import { getEmergencyState } from '#app/domain.server.ts'
import { EmergencyBanner } from '#app/components/supervision/emergency-banner.tsx'
import { countUnreadNotifications } from '#app/domain.server.ts'
import { findPendingAgreements } from '#app/domain.server.ts'
import { AgreementBanner } from '#app/components/agreement-banner.tsx'

export const links: LinksFunction = () => [
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
  { rel: 'stylesheet', href: notoSansScStyles },
  { rel: 'stylesheet', href: appStyles },
]

export const meta: MetaFunction = () => [{ title: '沈阳市公共数据授权运营平台' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const lang = await getLang(request)
  const user = await getOptionalUser(request, context)
  // A password to change or a second factor to enrol comes before anything else, public pages included.
  const restrictedTo = user?.restriction ? RESTRICTION_PAGE[user.restriction] : null
  const path = new URL(request.url).pathname
  if (restrictedTo && path !== restrictedTo && path !== '/lang' && path !== '/logout') throw redirect(restrictedTo)
  return {
    lang,
    // Every form of the app posts it back (app/components/form.tsx, ADR 0017).
    csrfToken: await getCsrfToken(request, context),
    user: user
      ? {
          displayName: user.displayName,
          role: user.role,
          home: ROLE_HOME[user.role],
          restricted: restrictedTo !== null,
          scope: user.partnerName ?? user.sourceUnitName,
          // The emergency stops in force, as a banner on every page of the operator and the bureau (ADR 0029).
          emergency:
            !restrictedTo && (user.role === 'operator' || user.role === 'bureau')
              ? (await getEmergencyState(context.platform.db, { historyLimit: 1 })).active.map((s) => ({
                  productCode: s.productCode,
                  reason: s.reason,
                }))
              : [],
          // A new agreement version awaiting the partner's acceptance, on every page of its people (ADR 0031).
          agreements: restrictedTo ? null : await findPendingAgreements(context.platform.db, user),
          // The inbox badge (ADR 0028): a restricted session sees only its one page, so no count.
          unread: restrictedTo ? 0 : await countUnreadNotifications(context.platform.db, { userId: user.id }),
        }
      : null,
  }
}

type RootData = Awaited<ReturnType<typeof loader>>

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<RootData>('root')
  const nonce = useNonce()
  useKeyboardScrollableTables()
  const lang: Lang = data?.lang ?? 'zh'
  const t = (k: Parameters<typeof translate>[1]) => translate(lang, k)
  return (
    <html lang={lang === 'zh' ? 'zh-CN' : 'en'}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          {t('shell.skip')}
        </a>
        <SiteHeader lang={lang} user={data?.user ?? null} />
        {data?.user && data.user.emergency.length > 0 && (
          <EmergencyBanner stops={data.user.emergency} lang={lang} home={data.user.home} />
        )}
        {data?.user?.agreements && (
          <AgreementBanner pending={data.user.agreements} lang={lang} canAccept={data.user.role === 'partner_admin'} />
        )}
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  )
}

export default function App() {
  useLoaderData<typeof loader>()
  return <Outlet />
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
