import { Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { Field, FormError, replyFor } from '#app/forms/field.tsx'
import type { FormReply } from '#app/forms/action-reply.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'

type Severity = 'low' | 'medium' | 'high' | 'critical'
interface Affected {
  products: string[]
  datasets: string[]
  partners: string[]
  platform: boolean
}
const SEVERITIES: Severity[] = ['low', 'medium', 'high', 'critical']

function AffectedText({ affected }: { affected: Affected }) {
  const t = useT()
  const parts = [...affected.products, ...affected.datasets, ...affected.partners]
  return (
    <>
      {affected.platform && <strong>{t('emergency.incidents.platform')} </strong>}
      {parts.map((p) => (
        <code key={p}>{p} </code>
      ))}
    </>
  )
}

/** The incident register and the form to open one (operator and bureau). */
export function IncidentList({
  incidents,
  base,
}: {
  incidents: {
    code: string
    title: string
    severity: Severity
    state: 'open' | 'closed'
    affected: Affected
    openedAt: number
    openedByLabel: string
  }[]
  base: string
}) {
  const t = useT()
  const lang = useLang()
  const reply = replyFor(useActionData<FormReply>(), 'open')
  const busy = useNavigation().state !== 'idle'
  return (
    <>
      <h1>{t('emergency.incidents.title')}</h1>
      <p className="lead">{t('emergency.incidents.intro')}</p>
      {incidents.length === 0 ? (
        <p className="muted">{t('emergency.incidents.none')}</p>
      ) : (
        <table data-testid="incidents">
          <thead>
            <tr>
              <th>{t('col.code')}</th>
              <th>{t('emergency.incidents.titleField')}</th>
              <th>{t('emergency.incidents.severity')}</th>
              <th>{t('emergency.incidents.state')}</th>
              <th>{t('emergency.incidents.affected')}</th>
              <th>{t('emergency.incidents.openedAt')}</th>
            </tr>
          </thead>
          <tbody>
            {incidents.map((i) => (
              <tr key={i.code} data-testid={`incident-${i.code}`}>
                <td>
                  <Link to={`${base}/${i.code}`}>{i.code}</Link>
                </td>
                <td>{i.title}</td>
                <td>{t(`emergency.severity.${i.severity}`)}</td>
                <td>
                  <span className={`badge ${i.state === 'open' ? 'bad' : 'ok'}`}>
                    {t(`emergency.incidents.state.${i.state}`)}
                  </span>
                </td>
                <td>
                  <AffectedText affected={i.affected} />
                </td>
                <td>
                  {formatTime(i.openedAt, lang)} · {i.openedByLabel}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('emergency.incidents.open')}</h2>
      <Form method="post" data-testid="open-incident">
        <input type="hidden" name="intent" value="open" />
        <Field label={t('emergency.incidents.titleField')} error={reply?.fields.title} area="emergency">
          <input name="title" maxLength={200} />
        </Field>
        <Field label={t('emergency.incidents.severity')} error={reply?.fields.severity} area="emergency">
          <select name="severity" defaultValue="medium">
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {t(`emergency.severity.${s}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('emergency.incidents.affectedProducts')} error={reply?.fields.affectedProducts} area="emergency">
          <input name="affectedProducts" maxLength={2000} />
        </Field>
        <Field label={t('emergency.incidents.affectedDatasets')} error={reply?.fields.affectedDatasets} area="emergency">
          <input name="affectedDatasets" maxLength={2000} />
        </Field>
        <Field label={t('emergency.incidents.affectedPartners')} error={reply?.fields.affectedPartners} area="emergency">
          <input name="affectedPartners" maxLength={2000} />
        </Field>
        <label className="billing-check">
          <input type="checkbox" name="affectedPlatform" value="on" /> {t('emergency.incidents.affectedPlatform')}
        </label>
        <Field label={t('emergency.incidents.description')} error={reply?.fields.description} area="emergency">
          <textarea name="description" rows={4} />
        </Field>
        <FormError code={reply?.fields.affected ?? reply?.formError} area="emergency" />
        <button type="submit" className="primary" disabled={busy}>
          {t('emergency.incidents.submit')}
        </button>
      </Form>
    </>
  )
}

/** One incident: what it affects, its timeline, and (while open) the forms to add to it and to close it. */
export function IncidentDetail({
  incident,
  base,
}: {
  incident: {
    code: string
    title: string
    severity: Severity
    state: 'open' | 'closed'
    affected: Affected
    openedAt: number
    closedAt: number | null
    closedByLabel: string | null
    closureSummary: string | null
    entries: { id: string; kind: 'opened' | 'note' | 'action' | 'closed'; at: number; text: string; actorLabel: string }[]
  }
  base: string
}) {
  const t = useT()
  const lang = useLang()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const busy = useNavigation().state !== 'idle'
  const entryReply = replyFor(data, 'entry')
  const closeReply = replyFor(data, 'close')
  const done = params.get('done')
  return (
    <>
      <p>
        <Link to={base}>{t('emergency.incidents.back')}</Link>
      </p>
      <h1>
        {incident.title} <code>{incident.code}</code>
      </h1>
      {done === 'entry' && !data && (
        <p className="notice" role="status">
          {t('emergency.incidents.added')}
        </p>
      )}
      {done === 'close' && !data && (
        <p className="notice" role="status">
          {t('emergency.incidents.closed')}
        </p>
      )}
      <p>
        {t('emergency.incidents.severity')}: {t(`emergency.severity.${incident.severity}`)} ·{' '}
        <span className={`badge ${incident.state === 'open' ? 'bad' : 'ok'}`} data-testid="incident-state">
          {t(`emergency.incidents.state.${incident.state}`)}
        </span>{' '}
        · {t('emergency.incidents.affected')}: <AffectedText affected={incident.affected} />
      </p>
      <h2>{t('emergency.incidents.timeline')}</h2>
      <ol className="timeline" data-testid="timeline">
        {incident.entries.map((e) => (
          <li key={e.id}>
            <strong>{t(`emergency.incidents.entry.${e.kind}`)}</strong> · {formatTime(e.at, lang)} · {e.actorLabel}
            <p>{e.text}</p>
          </li>
        ))}
      </ol>
      {incident.state === 'open' && (
        <>
          <h2>{t('emergency.incidents.addEntry')}</h2>
          <Form method="post" data-testid="add-entry">
            <input type="hidden" name="intent" value="entry" />
            <Field label={t('emergency.incidents.entryKind')} error={entryReply?.fields.kind} area="emergency">
              <select name="kind" defaultValue="note">
                <option value="note">{t('emergency.incidents.entry.note')}</option>
                <option value="action">{t('emergency.incidents.entry.action')}</option>
              </select>
            </Field>
            <Field label={t('emergency.incidents.entryText')} error={entryReply?.fields.text} area="emergency">
              <textarea name="text" rows={3} />
            </Field>
            <FormError code={entryReply?.formError} area="emergency" />
            <button type="submit" disabled={busy}>
              {t('emergency.incidents.add')}
            </button>
          </Form>
          <h2>{t('emergency.incidents.close')}</h2>
          <Form method="post" data-testid="close-incident">
            <input type="hidden" name="intent" value="close" />
            <Field label={t('emergency.incidents.summary')} error={closeReply?.fields.summary} area="emergency">
              <textarea name="summary" rows={4} />
            </Field>
            <FormError code={closeReply?.formError} area="emergency" />
            <button type="submit" className="primary" disabled={busy}>
              {t('emergency.incidents.close')}
            </button>
          </Form>
        </>
      )}
    </>
  )
}
