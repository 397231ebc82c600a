import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { TechnicalDetail } from '#app/components/technical-detail.tsx'
import { Link, useActionData, useLoaderData, useNavigation, useRevalidator, useSearchParams } from '@remix-run/react'
import { Form, useCsrfToken } from '#app/components/form.tsx'
import { CSRF_HEADER } from '#platform/csrf/csrf-names.ts'
import { useRef, useState, type FormEvent } from 'react'
import { z } from 'zod'
import {
  findDataset,
  findDatasetGrading,
  loadDatasetTable,
  PROPOSAL_NOTE_MAX_LENGTH,
  proposeDatasetLevel,
  pullDatasetInterface,
  type LoadOutcome,
} from '#app/domain.server.ts'
import { GradingHistory, GradingProducts, GradingState } from '#app/components/catalog/dataset-grading.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { StateBadge, useFormatDay, useOptionLabel } from '#app/components/catalog/catalog-ui.tsx'
import { Field, FormError, replyFor } from '#app/forms/field.tsx'
import { failedForm, formError, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatTime } from '#app/lib/format.ts'
import { requireActor } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const dataset = await findDataset(context.platform.db, { code: params.code ?? '' })
  if (!dataset) throw new Response('Not found', { status: 404 })
  const { id: _id, sourceUnitId: _unit, ...rest } = dataset
  // Art. 5 (ADR 0037): the level is proposed here and decided by the source unit.
  const grading = await findDatasetGrading(context.platform.db, { actor, code: dataset.code })
  return { dataset: rest, grading, now: Date.now() }
}

const intentSchema = z.object({ intent: z.enum(['load_table', 'pull']) })
const proposeSchema = z.object({
  intent: z.literal('propose'),
  level: z.string().trim().min(1, 'required').max(8, 'invalid'),
  note: z.string().trim().max(PROPOSAL_NOTE_MAX_LENGTH, 'too_long').default(''),
})

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const form = Object.fromEntries(await readForm(request, context))
  const code = params.code ?? ''
  if (form.intent === 'propose') {
    const proposal = proposeSchema.safeParse(form)
    if (!proposal.success) return invalidForm(proposal.error, { target: 'propose' })
    const proposed = await proposeDatasetLevel(context.platform.db, {
      actor,
      datasetCode: code,
      level: proposal.data.level,
      note: proposal.data.note,
      requestId: context.platform.requestId,
    })
    if (!proposed.ok) return failedForm(proposed.error, { target: 'propose', shownFields: ['level', 'note'] })
    return redirect(`/operator/datasets/${encodeURIComponent(code)}?proposed=${proposed.value.level}`)
  }
  const parsed = intentSchema.safeParse(form)
  // The intent is the only field, and a hidden one: a bad one is the form's error.
  if (!parsed.success) return formError('invalid')
  const opts = {
    actor,
    requestId: context.platform.requestId,
    datasetCode: code,
    trigger: 'manual' as const,
  }
  const { db } = context.platform
  const result = parsed.data.intent === 'pull' ? await pullDatasetInterface(db, opts) : await loadDatasetTable(db, opts)
  if (!result.ok) return failedForm(result.error)
  return redirect(`/operator/datasets/${encodeURIComponent(code)}?load=${result.value.state}`)
}

type UploadState =
  | { phase: 'idle' }
  | { phase: 'uploading'; loaded: number; total: number }
  | { phase: 'processing' }
  | { phase: 'done'; outcome: LoadOutcome }
  | { phase: 'error'; code: string }

/** File upload with progress: XMLHttpRequest reports bytes sent, then the server validates and loads. */
function UploadForm({ code }: { code: string }) {
  const t = useT()
  const lang = useLang()
  const revalidator = useRevalidator()
  const csrfToken = useCsrfToken()
  const input = useRef<HTMLInputElement>(null)
  const [state, setState] = useState<UploadState>({ phase: 'idle' })
  const busy = state.phase === 'uploading' || state.phase === 'processing'

  function onSubmit(event: FormEvent) {
    event.preventDefault()
    const file = input.current?.files?.[0]
    if (!file) return setState({ phase: 'error', code: 'file_required' })
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `/operator/datasets/${encodeURIComponent(code)}/upload`)
    xhr.setRequestHeader('content-type', 'application/octet-stream')
    xhr.setRequestHeader('x-file-name', encodeURIComponent(file.name))
    xhr.setRequestHeader(CSRF_HEADER, csrfToken)
    xhr.upload.onprogress = (e) =>
      setState({ phase: 'uploading', loaded: e.loaded, total: e.lengthComputable ? e.total : file.size })
    xhr.upload.onload = () => setState({ phase: 'processing' })
    xhr.onload = () => {
      let body: { outcome?: LoadOutcome; error?: string } = {}
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        body = { error: 'upload_failed' }
      }
      setState(body.outcome ? { phase: 'done', outcome: body.outcome } : { phase: 'error', code: body.error ?? 'upload_failed' })
      revalidator.revalidate()
    }
    xhr.onerror = () => setState({ phase: 'error', code: 'upload_failed' })
    setState({ phase: 'uploading', loaded: 0, total: file.size })
    xhr.send(file)
  }

  return (
    <form onSubmit={onSubmit} className="stack catalog-upload" data-testid="upload-form">
      <label>
        {t('catalog.upload.file')}
        <input ref={input} type="file" name="file" accept=".csv,.json,text/csv,application/json" disabled={busy} />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {t('catalog.upload.submit')}
      </button>
      {state.phase === 'uploading' && (
        <p data-testid="upload-progress">
          <progress value={state.loaded} max={state.total || 1} /> {t('catalog.upload.sending')}{' '}
          {state.total ? Math.floor((state.loaded / state.total) * 100) : 0}% ({formatCount(state.loaded, lang)} /{' '}
          {formatCount(state.total, lang)} B)
        </p>
      )}
      {state.phase === 'processing' && (
        <p data-testid="upload-progress">
          <progress /> {t('catalog.upload.processing')}
        </p>
      )}
      {state.phase === 'error' && <FormError code={state.code} area="catalog" testId="upload-error" />}
      {state.phase === 'done' && <LoadResult outcome={state.outcome} />}
    </form>
  )
}

function LoadResult({ outcome }: { outcome: LoadOutcome }) {
  const t = useT()
  const label = useOptionLabel()
  return (
    <div
      className={outcome.state === 'succeeded' ? 'notice' : 'form-error'}
      role="status"
      data-testid="upload-result"
      data-state={outcome.state}
    >
      <p>
        {outcome.state === 'succeeded'
          ? t('catalog.load.succeeded', { n: outcome.rowsLoaded })
          : t('catalog.load.rejected', { bad: outcome.rowsRejected, total: outcome.rowsTotal })}
        {outcome.error && outcome.state !== 'succeeded' ? ` ${outcome.error}` : ''}
      </p>
      {outcome.problems.length > 0 && (
        <ul data-testid="upload-problems">
          {outcome.problems.slice(0, 20).map((p, i) => (
            <li key={i}>
              {t('catalog.load.problem', { row: p.row, field: p.field || '—', problem: label('problem', p.problem) })}
              {p.value !== undefined ? ` (${p.value})` : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

export default function OperatorDataset() {
  const { dataset: d, grading, now } = useLoaderData<typeof loader>()
  const reply = useActionData<FormReply>()
  const proposeReply = replyFor(reply, 'propose')
  const data = reply && reply.target !== 'propose' ? reply : undefined
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const label = useOptionLabel()
  const day = useFormatDay()
  const busy = useNavigation().state !== 'idle'
  const inForce = d.authorizations.filter((a) => a.state === 'active' && a.startsAt <= now && a.endsAt > now)
  const modes = new Set(inForce.map((a) => a.deliveryMode))
  const lastPull = d.loads.find((l) => l.mode === 'interface')
  const loadFlag = params.get('load')
  return (
    <>
      <p>
        <Link to="/operator/datasets">← {t('catalog.datasets.title')}</Link>
      </p>
      <h1 data-testid="dataset-title">
        {lang === 'zh' ? d.nameZh : d.nameEn} <code>{d.code}</code>
      </h1>
      <p>
        <span className="badge">{d.level}</span> <span className="badge">{label('domain', d.domain)}</span>{' '}
        <span className="badge">{label('delivery', d.deliveryMode)}</span> · {lang === 'zh' ? d.sourceUnitZh : d.sourceUnitEn} ·{' '}
        {t('catalog.datasets.registrationCode')} <code data-testid="registration-code">{d.registrationCode}</code> ·{' '}
        {label('frequency', d.updateFrequency)}
      </p>
      {params.get('registered') && (
        <p className="notice" role="status" data-testid="registered">
          {t('catalog.datasets.registered', { code: d.code })}
        </p>
      )}
      {loadFlag && !data && (
        <p className={loadFlag === 'succeeded' ? 'notice' : 'form-error'} role="status" data-testid="load-flag">
          {label('loadFlag', loadFlag)}
        </p>
      )}
      {lastPull && lastPull.state !== 'succeeded' && (
        <p className="form-error" role="alert" data-testid="pull-failure">
          {t('catalog.load.lastPullFailed', { at: formatTime(lastPull.startedAt, lang) })}
          <TechnicalDetail text={lastPull.error} />
        </p>
      )}
      {d.description && <p>{d.description}</p>}
      <div className="stats">
        <div className="stat">
          <div className="value" data-testid="row-count">
            {formatCount(d.rowCount, lang)}
          </div>
          <div className="label">
            {t('catalog.datasets.rowsInStore')} · <code>{d.storeTable ?? 'dataset_records'}</code>
          </div>
        </div>
        <div className="stat">
          <div className="value">{inForce.length > 0 ? day(Math.max(...inForce.map((a) => a.endsAt))) : '—'}</div>
          <div className="label">{t('catalog.datasets.authorizedUntil')}</div>
        </div>
      </div>

      {grading && (
        <section data-testid="grading">
          <h2>{t('grading.nav')}</h2>
          {params.get('proposed') && !proposeReply && (
            <p className="notice" role="status" data-testid="proposed">
              {t('grading.proposed', { level: params.get('proposed')! })}
            </p>
          )}
          <GradingState row={grading} />
          {grading.usageRequirements && (
            <p className="pre-wrap" data-testid="usage-requirements">
              {t('grading.usageRequirements')}
              {t('common.colon')}
              {grading.usageRequirements}
            </p>
          )}
          <Form method="post" className="stack" noValidate data-testid="propose-form">
            <input type="hidden" name="intent" value="propose" />
            <Field label={t('grading.propose.title')} error={proposeReply?.fields.level} area="grading">
              <select name="level" defaultValue={grading.proposed.level}>
                {['L1', 'L2', 'L3', 'L4'].map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('grading.propose.note')} error={proposeReply?.fields.note} area="grading">
              <input name="note" maxLength={PROPOSAL_NOTE_MAX_LENGTH} />
            </Field>
            <FormError code={proposeReply?.formError} area="grading" />
            <button type="submit" disabled={busy} data-testid="propose">
              {t('grading.propose.submit')}
            </button>
          </Form>
          <h3>{t('grading.products')}</h3>
          <GradingProducts products={grading.products} />
          <h3>{t('grading.history')}</h3>
          <GradingHistory history={grading.history} />
        </section>
      )}

      <h2>{t('catalog.datasets.fields')}</h2>
      <table data-testid="field-list">
        <thead>
          <tr>
            <th>{t('catalog.field.name')}</th>
            <th>{t('catalog.field.label')}</th>
            <th>{t('catalog.field.type')}</th>
            <th>{t('catalog.field.required')}</th>
            <th>{t('catalog.field.piTag')}</th>
          </tr>
        </thead>
        <tbody>
          {d.fields.map((f) => (
            <tr key={f.name}>
              <td>
                <code>{f.name}</code>
              </td>
              <td>{f.labelZh}</td>
              <td>{label('fieldType', f.type)}</td>
              <td>{f.required ? '✓' : ''}</td>
              <td>{f.piTag ? <span className="badge">{label('piTag', f.piTag)}</span> : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t('catalog.datasets.intake')}</h2>
      <div className="panel">
        {inForce.length === 0 && <p className="notice">{t('catalog.datasets.intakeNeedsAuthorization')}</p>}
        <FormError code={data?.formError} area="catalog" />
        {(modes.has('file') || (inForce.length === 0 && d.deliveryMode === 'file')) && <UploadForm code={d.code} />}
        {modes.has('table') && (
          <Form method="post">
            <input type="hidden" name="intent" value="load_table" />
            <button type="submit" className="primary" disabled={busy} data-testid="load-table">
              {t('catalog.datasets.loadTable')}
            </button>
          </Form>
        )}
        {modes.has('interface') && (
          <Form method="post">
            <p className="muted">
              {t('catalog.datasets.interfaceFrom')} <code>{d.interfaceUrl ?? '—'}</code>
              {d.pullEveryMinutes > 0 ? ` · ${t('catalog.datasets.pullSchedule', { n: d.pullEveryMinutes })}` : ''}
            </p>
            <input type="hidden" name="intent" value="pull" />
            <button type="submit" className="primary" disabled={busy} data-testid="pull-now">
              {t('catalog.datasets.pullNow')}
            </button>
          </Form>
        )}
      </div>

      <h2>{t('catalog.datasets.lineage')}</h2>
      <table data-testid="loads">
        <thead>
          <tr>
            <th>{t('col.time')}</th>
            <th>{t('col.delivery')}</th>
            <th>{t('catalog.load.trigger')}</th>
            <th>{t('col.actor')}</th>
            <th>{t('col.status')}</th>
            <th className="num">{t('catalog.load.rows')}</th>
            <th>{t('catalog.load.checksum')}</th>
            <th>{t('catalog.load.detail')}</th>
          </tr>
        </thead>
        <tbody>
          {d.loads.length === 0 && (
            <tr>
              <td colSpan={8} className="muted">
                {t('catalog.load.none')}
              </td>
            </tr>
          )}
          {d.loads.map((l) => (
            <tr key={l.id} data-testid="load-row" data-state={l.state}>
              <td>{formatTime(l.startedAt, lang)}</td>
              <td>{label('delivery', l.mode)}</td>
              <td>{label('trigger', l.trigger)}</td>
              <td>{l.actorLabel}</td>
              <td>
                <StateBadge state={l.state} />
              </td>
              <td className="num">
                {formatCount(l.rowsLoaded, lang)} / {formatCount(l.rowsTotal, lang)}
              </td>
              <td>
                <code title={l.checksum ?? ''}>{l.checksum ? `${l.checksum.slice(0, 12)}…` : '—'}</code>
              </td>
              <td>
                {l.fileName && <code>{l.fileName}</code>} {l.attempts > 1 ? t('catalog.load.attempts', { n: l.attempts }) : ''}{' '}
                {l.error}
                {l.problems.length > 0 && (
                  <details>
                    <summary>{t('catalog.load.report', { n: l.problemCount })}</summary>
                    <ul>
                      {l.problems.map((p, i) => (
                        <li key={i}>
                          {t('catalog.load.problem', { row: p.row, field: p.field || '—', problem: label('problem', p.problem) })}
                          {p.value !== undefined ? ` (${p.value})` : ''}
                        </li>
                      ))}
                    </ul>
                  </details>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t('nav.authorizations')}</h2>
      <table data-testid="dataset-authorizations">
        <thead>
          <tr>
            <th>{t('col.code')}</th>
            <th>{t('col.status')}</th>
            <th>{t('col.delivery')}</th>
            <th>{t('catalog.auth.starts')}</th>
            <th>{t('catalog.auth.ends')}</th>
            <th>{t('catalog.auth.ended')}</th>
          </tr>
        </thead>
        <tbody>
          {d.authorizations.map((a) => (
            <tr key={a.code}>
              <td>
                <code>{a.code}</code>
              </td>
              <td>
                <StateBadge state={a.state} />
              </td>
              <td>{label('delivery', a.deliveryMode)}</td>
              <td>{day(a.startsAt)}</td>
              <td>{day(a.endsAt)}</td>
              <td>
                {a.endedAt
                  ? `${day(a.endedAt)} · ${a.endedReason ?? ''} · ${t('catalog.auth.rowsDeleted', { n: a.rowsDeleted ?? 0 })}`
                  : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
