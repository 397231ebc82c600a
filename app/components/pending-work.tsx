import { Link } from '@remix-run/react'
import type { MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount } from '#app/lib/format.ts'

/** A role's queues on its home page: each with its count and a link to where it is decided (issue 16). */
export function PendingWorkPanel({ queues }: { queues: { key: string; count: number; href: string }[] }) {
  const t = useT()
  const lang = useLang()
  if (queues.length === 0) return null
  const total = queues.reduce((sum, q) => sum + q.count, 0)
  return (
    <section className="panel" aria-labelledby="pending-work-title" data-testid="pending-work">
      <h2 id="pending-work-title">{t('work.title')}</h2>
      {total === 0 ? <p className="muted">{t('work.none')}</p> : null}
      <ul className="worklist">
        {queues.map((q) => (
          <li key={q.key} data-testid={`pending-${q.key}`} data-count={q.count}>
            <Link to={q.href}>
              {t(`work.queue.${q.key}` as MessageKey)}
              <span className={`badge ${q.count > 0 ? 'warn' : ''}`} aria-label={t('work.count', { n: q.count })}>
                {formatCount(q.count, lang)}
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  )
}
