import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useRevalidator } from '@remix-run/react'
import { useState } from 'react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { getSandboxOverview, listPartnerExports, requestSandboxExport } from '#app/domain.server.ts'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { FormError, replyFor } from '#app/forms/field.tsx'
import { readForm } from '#app/lib/read-form.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import type { MessageKey } from '#app/i18n/messages.ts'
import { formatTime } from '#app/lib/format.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The developer's data sandbox (ADR 0038): a query builder that runs jobs through the metered API with a key the
// developer pastes (held in this page's memory only), the disclosed result, and the privacy budget. The page itself
// only reads: every job goes through the gateway, so it is metered, priced and refused exactly like an API call.

const ROLES = ['partner_developer', 'partner_admin'] as const

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ROLES)
  const overview = await getSandboxOverview(context.platform.db, { actor, now: Date.now() })
  if (!overview.ok) throw new Response('forbidden', { status: 403 })
  const exports = await listPartnerExports(context.platform.db, { actor })
  return { ...overview.value, exports: exports.ok ? exports.value : [] }
}

// "Request export" on a released job (issue 13): held for the operator's review; nothing leaves until approved.
const requestSchema = z.object({ intent: z.literal('request-export'), jobId: z.string().min(1).max(64) })

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ROLES)
  const form = Object.fromEntries(await readForm(request, context))
  const target = typeof form.jobId === 'string' ? `export:${form.jobId}` : null
  const parsed = requestSchema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const requested = await requestSandboxExport(context.platform.db, { actor, jobId: parsed.data.jobId, now: Date.now() })
  if (!requested.ok) return failedForm(requested.error, { target })
  return { target, fields: {}, formError: null, requested: requested.value.id }
}

type Overview = ReturnType<typeof useLoaderData<typeof loader>>
type CatalogField = Overview['datasets'][number]['fields'][number]
const OPS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in', 'between'] as const
const FNS = ['count', 'count_subjects', 'sum', 'avg', 'min', 'max'] as const
type Op = (typeof OPS)[number]
type Fn = (typeof FNS)[number]

interface FilterRow {
  field: string
  op: Op
  value: string
}
interface AggregateRow {
  fn: Fn
  field: string
}
interface JobAnswer {
  jobId: string
  k: number
  level: string
  groupBy: string[]
  aggregates: string[]
  groups: {
    key: Record<string, string | number | null>
    values: Record<string, number | null>
    suppressed?: Record<string, string>
  }[]
  disclosure: { groupsSuppressed: number; cellsSuppressed: number; noise: { epsilon: number } | null }
  budget: { period: string; epsilon: number; spent: number; remaining: number; renewsAt: string }
  computeMs: number
}
interface Failure {
  code: string
  message: string
  fields: Record<string, string>
}

export default function DeveloperSandbox() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  const revalidator = useRevalidator()
  const datasets = data.datasets
  const [key, setKey] = useState('')
  const [from, setFrom] = useState(datasets[0]?.code ?? '')
  const [join, setJoin] = useState('')
  const [filters, setFilters] = useState<FilterRow[]>([])
  const [groupBy, setGroupBy] = useState<string[]>([])
  const [aggregates, setAggregates] = useState<AggregateRow[]>([{ fn: 'count_subjects', field: '' }])
  const [epsilon, setEpsilon] = useState('')
  const [running, setRunning] = useState(false)
  const [answer, setAnswer] = useState<JobAnswer | null>(null)
  const [failure, setFailure] = useState<Failure | null>(null)
  const reply = useActionData<FormReply & { requested?: string }>()
  const busy = useNavigation().state !== 'idle'
  const [downloading, setDownloading] = useState<string | null>(null)
  const [downloaded, setDownloaded] = useState<{ id: string; bytes: number; fingerprint: string } | null>(null)
  const [downloadFailure, setDownloadFailure] = useState<{ id: string; code: string; message: string } | null>(null)
  const exportedJobs = new Set(data.exports.map((e) => e.jobId))

  // A download goes through the metered API with the pasted key, like a job: metered as export_bytes, watermarked.
  async function download(exportId: string) {
    setDownloadFailure(null)
    setDownloaded(null)
    if (key.trim() === '') {
      setDownloadFailure({ id: exportId, code: 'missing_key', message: '' })
      return
    }
    setDownloading(exportId)
    try {
      const res = await fetch(`/api/v1/sandbox/exports/${encodeURIComponent(exportId)}/download`, {
        headers: { authorization: `Bearer ${key.trim()}` },
      })
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null
        setDownloadFailure({ id: exportId, ...(body?.error ?? { code: 'internal_error', message: res.statusText }) })
        return
      }
      const blob = await res.blob()
      const url = URL.createObjectURL(blob)
      const a = document.createElement('a')
      a.href = url
      a.download = `sandbox-export-${exportId}.csv`
      document.body.appendChild(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(url), 60_000)
      setDownloaded({ id: exportId, bytes: blob.size, fingerprint: res.headers.get('x-export-fingerprint') ?? '' })
      revalidator.revalidate()
    } catch {
      setDownloadFailure({ id: exportId, code: 'network', message: '' })
    } finally {
      setDownloading(null)
    }
  }
  const requestExportButton = (jobId: string) => {
    const mine = replyFor(reply, `export:${jobId}`)
    return exportedJobs.has(jobId) ? null : (
      <Form method="post" noValidate className="inline-form">
        <input type="hidden" name="intent" value="request-export" />
        <input type="hidden" name="jobId" value={jobId} />
        <button type="submit" disabled={busy} data-testid={`sandbox-request-export-${jobId}`}>
          {t('sandbox.export.request')}
        </button>
        <FormError code={mine?.formError} area="sandbox" />
      </Form>
    )
  }

  const base = datasets.find((d) => d.code === from)
  const joinable = datasets.filter((d) => d.code !== from && base && d.keys.some((k) => base.keys.includes(k)))
  const joined = joinable.find((d) => d.code === join)
  const joinKey = joined && base ? joined.keys.find((k) => base.keys.includes(k)) : undefined
  const fields: CatalogField[] = [...(base?.fields ?? []), ...(joined?.fields ?? [])]
  const fieldByRef = new Map(fields.map((f) => [f.ref, f]))
  const label = (ref: string) => {
    const f = fieldByRef.get(ref)
    return f ? `${lang === 'zh' ? f.labelZh : f.labelEn} (${ref})` : ref
  }
  const aggregateLabel = (k: string) => {
    const [fn, ref] = k.split(':') as [Fn, string | undefined]
    return ref ? `${t(`sandbox.fn.${fn}` as MessageKey)} · ${label(ref)}` : t(`sandbox.fn.${fn}` as MessageKey)
  }
  const budget =
    answer?.budget ??
    (data.subscriptions[0] ? { ...data.subscriptions[0].budget, renewsAt: data.subscriptions[0].budget.renewsAt } : null)
  const fieldError = (path: string) => {
    const code = failure?.fields[path]
    if (!code) return null
    const text = t(`sandbox.field.${code}` as MessageKey, { type: '' })
    return (
      <span className="field-error" role="alert" data-testid={`error-${path}`}>
        {text.startsWith('sandbox.') ? code : text}
      </span>
    )
  }

  function buildQuery() {
    const value = (f: FilterRow): unknown => {
      const type = fieldByRef.get(f.field)?.type
      const one = (s: string) => (type === 'number' && s.trim() !== '' && !Number.isNaN(Number(s)) ? Number(s) : s.trim())
      return f.op === 'in' || f.op === 'not_in' || f.op === 'between' ? f.value.split(',').map(one) : one(f.value)
    }
    return {
      from,
      ...(joined && joinKey ? { join: [{ dataset: joined.code, on: joinKey }] } : {}),
      ...(filters.length > 0 ? { filters: filters.map((f) => ({ field: f.field, op: f.op, value: value(f) })) } : {}),
      ...(groupBy.length > 0 ? { groupBy } : {}),
      aggregates: aggregates.map((a) =>
        a.fn === 'count' || a.fn === 'count_subjects' ? { fn: a.fn } : { fn: a.fn, field: a.field },
      ),
      ...(epsilon.trim() !== '' ? { privacy: { epsilon: Number(epsilon) } } : {}),
    }
  }

  async function run() {
    setFailure(null)
    if (key.trim() === '') {
      setFailure({ code: 'missing_key', message: '', fields: {} })
      return
    }
    setRunning(true)
    try {
      const res = await fetch('/api/v1/sandbox/jobs', {
        method: 'POST',
        headers: { authorization: `Bearer ${key.trim()}`, 'content-type': 'application/json' },
        body: JSON.stringify(buildQuery()),
      })
      const body = (await res.json().catch(() => null)) as
        (JobAnswer & { error?: undefined }) | { error: { code: string; message: string; fields?: Record<string, string> } } | null
      if (res.ok && body && !body.error) {
        setAnswer(body as JobAnswer)
      } else {
        const error = body?.error ?? { code: 'internal_error', message: res.statusText }
        setFailure({ code: error.code, message: error.message, fields: error.fields ?? {} })
      }
      revalidator.revalidate()
    } catch {
      setFailure({ code: 'network', message: '', fields: {} })
    } finally {
      setRunning(false)
    }
  }

  const failureText = (f: Failure) => {
    const known = t(`sandbox.error.${f.code}` as MessageKey)
    return known.startsWith('sandbox.') ? t('sandbox.error.other', { code: f.code, message: f.message }) : known
  }
  const dimensions = fields.filter((f) => f.kind === 'dimension')
  const measures = fields.filter((f) => f.kind === 'measure')

  return (
    <>
      <h1>{t('sandbox.title')}</h1>
      <p className="lead">{t('sandbox.intro')}</p>
      <p className="muted">{t('sandbox.rules')}</p>
      {data.subscriptions.length === 0 ? (
        <p className="notice" data-testid="sandbox-no-subscription">
          {t('sandbox.noSubscription')}
        </p>
      ) : null}
      {budget ? (
        <section className="panel" data-testid="sandbox-budget">
          <h2>{t('sandbox.budget.title')}</h2>
          <p>
            {t('sandbox.budget.line', {
              period: budget.period,
              spent: budget.spent,
              total: budget.epsilon,
              remaining: budget.remaining,
              renews: formatTime(typeof budget.renewsAt === 'number' ? budget.renewsAt : Date.parse(budget.renewsAt), lang),
            })}
          </p>
        </section>
      ) : null}

      <section className="panel" aria-labelledby="sandbox-builder">
        <h2 id="sandbox-builder" className="visually-hidden">
          {t('sandbox.run')}
        </h2>
        <label>
          {t('sandbox.key')}
          <input
            type="password"
            autoComplete="off"
            name="sandbox-key"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            data-testid="sandbox-key"
          />
        </label>
        <p className="muted">{t('sandbox.keyHint')}</p>

        <label>
          {t('sandbox.from')}
          <select
            name="from"
            value={from}
            onChange={(e) => {
              setFrom(e.target.value)
              setJoin('')
              setFilters([])
              setGroupBy([])
              setAggregates([{ fn: 'count_subjects', field: '' }])
            }}
            data-testid="sandbox-from"
          >
            {datasets.map((d) => (
              <option key={d.code} value={d.code}>
                {d.code} · {lang === 'zh' ? d.nameZh : d.nameEn} ({d.level})
              </option>
            ))}
          </select>
        </label>
        {fieldError('from')}
        <label>
          {t('sandbox.join')}
          <select name="join" value={join} onChange={(e) => setJoin(e.target.value)} data-testid="sandbox-join">
            <option value="">{t('sandbox.join.none')}</option>
            {joinable.map((d) => (
              <option key={d.code} value={d.code}>
                {d.code} · {lang === 'zh' ? d.nameZh : d.nameEn} ({d.level}) —{' '}
                {t('sandbox.join.on', { key: d.keys.find((k) => base?.keys.includes(k)) ?? '' })}
              </option>
            ))}
          </select>
        </label>
        {fieldError('join.0.on')}

        <fieldset>
          <legend>{t('sandbox.filters')}</legend>
          {filters.map((f, i) => (
            <div key={i} className="actions" data-testid={`sandbox-filter-${i}`}>
              <select
                aria-label={t('sandbox.filters')}
                value={f.field}
                onChange={(e) => setFilters(filters.map((x, j) => (j === i ? { ...x, field: e.target.value } : x)))}
              >
                {fields.map((fl) => (
                  <option key={fl.ref} value={fl.ref}>
                    {label(fl.ref)}
                  </option>
                ))}
              </select>
              <select
                aria-label="op"
                value={f.op}
                onChange={(e) => setFilters(filters.map((x, j) => (j === i ? { ...x, op: e.target.value as Op } : x)))}
              >
                {OPS.map((op) => (
                  <option key={op} value={op}>
                    {t(`sandbox.op.${op}` as MessageKey)}
                  </option>
                ))}
              </select>
              <input
                aria-label={t('sandbox.filter.value')}
                value={f.value}
                placeholder={f.op === 'in' || f.op === 'not_in' || f.op === 'between' ? t('sandbox.filter.listHint') : ''}
                onChange={(e) => setFilters(filters.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))}
              />
              <button type="button" onClick={() => setFilters(filters.filter((_, j) => j !== i))}>
                {t('sandbox.remove')}
              </button>
              {fieldError(`filters.${i}.field`)}
              {fieldError(`filters.${i}.value`)}
            </div>
          ))}
          <button
            type="button"
            disabled={filters.length >= 12 || fields.length === 0}
            onClick={() => setFilters([...filters, { field: fields[0]!.ref, op: 'eq', value: '' }])}
            data-testid="sandbox-add-filter"
          >
            {t('sandbox.filter.add')}
          </button>
        </fieldset>

        <fieldset data-testid="sandbox-group-by">
          <legend>{t('sandbox.groupBy')}</legend>
          {dimensions.map((d) => (
            <label key={d.ref}>
              <input
                type="checkbox"
                checked={groupBy.includes(d.ref)}
                disabled={!groupBy.includes(d.ref) && groupBy.length >= 3}
                onChange={(e) => setGroupBy(e.target.checked ? [...groupBy, d.ref] : groupBy.filter((g) => g !== d.ref))}
              />
              {label(d.ref)}
            </label>
          ))}
          {groupBy.map((_, i) => fieldError(`groupBy.${i}`))}
          {fieldError('groupBy')}
        </fieldset>

        <fieldset>
          <legend>{t('sandbox.aggregates')}</legend>
          {aggregates.map((a, i) => (
            <div key={i} className="actions" data-testid={`sandbox-aggregate-${i}`}>
              <select
                aria-label={t('sandbox.aggregates')}
                value={a.fn}
                onChange={(e) =>
                  setAggregates(
                    aggregates.map((x, j) =>
                      j === i ? { fn: e.target.value as Fn, field: x.field || (measures[0]?.ref ?? '') } : x,
                    ),
                  )
                }
              >
                {FNS.map((fn) => (
                  <option key={fn} value={fn}>
                    {t(`sandbox.fn.${fn}` as MessageKey)}
                  </option>
                ))}
              </select>
              {a.fn === 'count' || a.fn === 'count_subjects' ? null : (
                <select
                  aria-label={t('sandbox.kind.measure')}
                  value={a.field}
                  onChange={(e) => setAggregates(aggregates.map((x, j) => (j === i ? { ...x, field: e.target.value } : x)))}
                >
                  {measures.map((m) => (
                    <option key={m.ref} value={m.ref}>
                      {label(m.ref)}
                    </option>
                  ))}
                </select>
              )}
              {aggregates.length > 1 ? (
                <button type="button" onClick={() => setAggregates(aggregates.filter((_, j) => j !== i))}>
                  {t('sandbox.remove')}
                </button>
              ) : null}
              {fieldError(`aggregates.${i}.fn`)}
              {fieldError(`aggregates.${i}.field`)}
              {fieldError(`aggregates.${i}`)}
            </div>
          ))}
          <button
            type="button"
            disabled={aggregates.length >= 8}
            onClick={() => setAggregates([...aggregates, { fn: 'count', field: '' }])}
            data-testid="sandbox-add-aggregate"
          >
            {t('sandbox.aggregate.add')}
          </button>
        </fieldset>

        <label>
          {t('sandbox.epsilon')}
          <input
            name="epsilon"
            inputMode="decimal"
            value={epsilon}
            onChange={(e) => setEpsilon(e.target.value)}
            data-testid="sandbox-epsilon"
          />
        </label>
        <p className="muted">{t('sandbox.epsilonHint')}</p>
        {fieldError('privacy.epsilon')}

        <button type="button" onClick={run} disabled={running || datasets.length === 0} data-testid="sandbox-run">
          {running ? t('sandbox.running') : t('sandbox.run')}
        </button>
        {running ? (
          <p role="status" aria-busy="true" data-testid="sandbox-running">
            {t('sandbox.running')}
          </p>
        ) : null}
        {failure ? (
          <p className="form-error" role="alert" data-testid="sandbox-failure" data-code={failure.code}>
            {failureText(failure)}
          </p>
        ) : null}
      </section>

      {answer ? (
        <section data-testid="sandbox-result">
          <h2>{t('sandbox.result.title')}</h2>
          <p data-testid="sandbox-result-summary">
            {t('sandbox.result.summary', {
              k: answer.k,
              level: answer.level,
              groups: answer.groups.length,
              groupsSuppressed: answer.disclosure.groupsSuppressed,
              cellsSuppressed: answer.disclosure.cellsSuppressed,
              computeMs: answer.computeMs,
            })}
          </p>
          {requestExportButton(answer.jobId)}
          {answer.disclosure.noise ? (
            <p className="notice">{t('sandbox.result.noise', { epsilon: answer.disclosure.noise.epsilon })}</p>
          ) : null}
          {answer.groups.length === 0 ? (
            <p className="muted">{t('sandbox.result.empty')}</p>
          ) : (
            <div className="table-scroll">
              <table data-testid="sandbox-result-table">
                <thead>
                  <tr>
                    {answer.groupBy.map((g) => (
                      <th key={g} scope="col">
                        {label(g)}
                      </th>
                    ))}
                    {answer.aggregates.map((a) => (
                      <th key={a} scope="col">
                        {aggregateLabel(a)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {answer.groups.map((g, i) => (
                    <tr key={i}>
                      {answer.groupBy.map((k) => (
                        <td key={k}>{String(g.key[k] ?? '')}</td>
                      ))}
                      {answer.aggregates.map((a) =>
                        g.suppressed?.[a] ? (
                          <td key={a} className="muted" data-suppressed={g.suppressed[a]}>
                            — {t('sandbox.result.suppressed')}
                          </td>
                        ) : (
                          <td key={a}>
                            {g.values[a] === null || g.values[a] === undefined
                              ? '—'
                              : g.values[a]!.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en')}
                          </td>
                        ),
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ) : null}

      <section>
        <h2>{t('sandbox.jobs.title')}</h2>
        {data.jobs.length === 0 ? (
          <p className="muted">{t('sandbox.jobs.none')}</p>
        ) : (
          <div className="table-scroll">
            <table data-testid="sandbox-jobs">
              <thead>
                <tr>
                  <th scope="col">{t('sandbox.jobs.at')}</th>
                  <th scope="col">{t('sandbox.jobs.datasets')}</th>
                  <th scope="col">{t('sandbox.jobs.state')}</th>
                  <th scope="col">ε</th>
                  <th scope="col">{t('sandbox.jobs.compute')}</th>
                  <th scope="col">{t('sandbox.export.request')}</th>
                </tr>
              </thead>
              <tbody>
                {data.jobs.map((j) => {
                  const q = j.query as { from?: string; join?: { dataset: string }[] }
                  return (
                    <tr key={j.id}>
                      <td>{formatTime(j.at, lang)}</td>
                      <td>{[q.from, ...(q.join ?? []).map((x) => x.dataset)].join(' ⋈ ')}</td>
                      <td>
                        <span className={`badge ${j.state === 'released' ? 'ok' : 'bad'}`}>{t(`sandbox.state.${j.state}`)}</span>
                        {j.refusalCode ? ` ${j.refusalCode}` : ''}
                      </td>
                      <td>{j.epsilon ?? '—'}</td>
                      <td>{j.computeMs} ms</td>
                      <td>{j.state === 'released' ? requestExportButton(j.id) : null}</td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section data-testid="sandbox-exports">
        <h2>{t('sandbox.exports.title')}</h2>
        <p className="muted">{t('sandbox.exports.intro')}</p>
        {reply?.requested ? (
          <p className="notice" role="status" data-testid="sandbox-export-requested">
            {t('sandbox.export.requested')}
          </p>
        ) : null}
        {data.exports.length === 0 ? (
          <p className="muted">{t('sandbox.exports.none')}</p>
        ) : (
          <div className="table-scroll">
            <table data-testid="sandbox-exports-table">
              <thead>
                <tr>
                  <th scope="col">{t('sandbox.exports.requestedAt')}</th>
                  <th scope="col">{t('sandbox.exports.job')}</th>
                  <th scope="col">{t('sandbox.exports.level')}</th>
                  <th scope="col">{t('sandbox.exports.state')}</th>
                  <th scope="col">{t('sandbox.exports.reviews')}</th>
                  <th scope="col">{t('sandbox.exports.downloads')}</th>
                  <th scope="col">{t('sandbox.exports.download')}</th>
                </tr>
              </thead>
              <tbody>
                {data.exports.map((e) => (
                  <tr key={e.id} data-testid={`sandbox-export-${e.jobId}`} data-state={e.state}>
                    <td>{formatTime(e.requestedAt, lang)}</td>
                    <td>
                      <code>{e.jobId.slice(0, 8)}</code>
                    </td>
                    <td>{e.level}</td>
                    <td>
                      <span className={`badge ${e.state === 'approved' ? 'ok' : e.state === 'rejected' ? 'bad' : ''}`}>
                        {t(`sandbox.exports.state.${e.state}`)}
                      </span>
                      {e.rejectedReason ? ` ${t('sandbox.exports.rejected', { reason: e.rejectedReason })}` : ''}
                    </td>
                    <td>
                      {e.approvals}/{e.reviewsRequired}
                    </td>
                    <td>{e.downloads}</td>
                    <td>
                      {e.state === 'approved' ? (
                        <button
                          type="button"
                          onClick={() => download(e.id)}
                          disabled={downloading !== null}
                          data-testid={`sandbox-download-${e.jobId}`}
                        >
                          {downloading === e.id ? t('sandbox.exports.downloading') : t('sandbox.exports.download')}
                        </button>
                      ) : (
                        '—'
                      )}
                      {downloaded?.id === e.id ? (
                        <p role="status" data-testid="sandbox-downloaded">
                          {t('sandbox.exports.downloaded', { bytes: downloaded.bytes, fingerprint: downloaded.fingerprint })}
                        </p>
                      ) : null}
                      {downloadFailure?.id === e.id ? (
                        <p className="form-error" role="alert" data-testid="sandbox-download-failure">
                          {downloadFailure.code === 'missing_key'
                            ? t('sandbox.exports.keyNeeded')
                            : failureText({ ...downloadFailure, fields: {} })}
                        </p>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  )
}
