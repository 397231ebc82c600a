import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { listApiKeys } from '#app/domain.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { requireUser } from '#app/session.server.ts'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['partner_developer'])
  const keys = await listApiKeys(context.platform.db, { partnerId: user.partnerId! })
  return { keys, origin: new URL(request.url).origin }
}

export default function DeveloperHome() {
  const { keys, origin } = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  const prefix = keys[0]?.displayPrefix ?? 'sdp_xxxxxxxx'
  return (
    <>
      <h1 data-testid="home-title">{t('developer.title')}</h1>
      <p className="lead">{t('developer.intro')}</p>
      <h2>{t('nav.keys')}</h2>
      {keys.length === 0 ? (
        <p className="muted">{t('keys.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t('col.name')}</th>
              <th>{t('col.prefix')}</th>
              <th>{t('col.created')}</th>
              <th>{t('col.lastUsed')}</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>{k.displayPrefix}…</code>
                </td>
                <td>{formatTime(k.createdAt, lang)}</td>
                <td>{formatTime(k.lastUsedAt, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('keys.quickStart')}</h2>
      <pre>{`curl -s -X POST ${origin}/api/v1/verifications/enterprise \\
  -H "Authorization: Bearer ${prefix}…" \\
  -H "Content-Type: application/json" \\
  -d '{"uscc":"<统一社会信用代码>","name":"<企业名称>"}'`}</pre>
      <p>
        <Link to="/developer/usage">{t('nav.usage')}</Link> · <a href="/api/v1/openapi.json">{t('nav.apiDocs')} (OpenAPI)</a>
      </p>
    </>
  )
}
