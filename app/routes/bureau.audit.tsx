import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { listAuditEntries, verifyAuditChain } from '#app/domain.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { requireUser } from '#app/session.server.ts'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['bureau'])
  const { db } = context.platform
  return { entries: await listAuditEntries(db, { limit: 200 }), chain: await verifyAuditChain(db) }
}

export default function AuditLog() {
  const { entries, chain } = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  return (
    <>
      <h1>{t('nav.audit')}</h1>
      <p data-testid="audit-chain">
        {chain.ok ? (
          <span className="badge ok">{t('audit.chainOk', { n: chain.entries })}</span>
        ) : (
          <span className="badge bad">{t('audit.chainBroken', { message: chain.message })}</span>
        )}
      </p>
      <table>
        <thead>
          <tr>
            <th className="num">{t('col.seq')}</th>
            <th>{t('col.time')}</th>
            <th>{t('col.actor')}</th>
            <th>{t('col.role')}</th>
            <th>{t('col.action')}</th>
            <th>{t('col.object')}</th>
            <th>{t('col.requestId')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.seq}>
              <td className="num">{e.seq}</td>
              <td>{formatTime(e.at, lang)}</td>
              <td>{e.actorLabel}</td>
              <td>{e.role}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>
                {e.objectType}
                {e.objectId ? <code> {e.objectId.slice(0, 8)}</code> : null}
              </td>
              <td>{e.requestId ? <code>{e.requestId}</code> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
