import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { useState } from 'react'
import { z } from 'zod'
import {
  DATA_DOMAINS,
  DELIVERY_MODES,
  FIELD_TYPES,
  listDatasets,
  listSourceUnits,
  PI_TAGS,
  REFUSED_LEVELS,
  registerDataset,
  SENSITIVITY_LEVELS,
  UPDATE_FREQUENCIES,
} from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { useFormatDay, useOptionLabel } from '#app/components/catalog/catalog-ui.tsx'
import { Field, FieldError, FormError } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { requireActor, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  const { db } = context.platform
  const [datasets, sourceUnits] = await Promise.all([listDatasets(db), listSourceUnits(db)])
  return {
    datasets,
    sourceUnits,
    options: {
      domains: [...DATA_DOMAINS],
      levels: [...SENSITIVITY_LEVELS, ...REFUSED_LEVELS],
      deliveryModes: [...DELIVERY_MODES],
      frequencies: [...UPDATE_FREQUENCIES],
      fieldTypes: [...FIELD_TYPES],
      piTags: [...PI_TAGS],
    },
  }
}

const text = (max: number) => z.string().trim().max(max, 'too_long')

const formSchema = z.object({
  sourceUnitId: z.string().min(1, 'required'),
  code: text(40).default(''),
  nameZh: text(100).min(1, 'required'),
  nameEn: text(200).min(1, 'required'),
  description: text(2000).default(''),
  domain: z.string().min(1, 'required'),
  level: z.string().min(1, 'required'),
  deliveryMode: z.string().min(1, 'required'),
  updateFrequency: z.string().min(1, 'required'),
  interfaceUrl: text(500).default(''),
  pullEveryMinutes: z
    .string()
    .trim()
    .regex(/^\d{0,6}$/, 'invalid')
    .default(''),
})

/** `fields.<i>.<prop>` inputs → the field list, in editor order. */
function readFields(form: FormData) {
  const rows = new Map<number, Record<string, string>>()
  for (const [key, value] of form.entries()) {
    const m = /^fields\.(\d{1,3})\.(name|labelZh|type|required|piTag)$/.exec(key)
    if (!m || typeof value !== 'string') continue
    const i = Number(m[1])
    rows.set(i, { ...rows.get(i), [m[2]!]: value })
  }
  return [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, r]) => ({
      name: r.name ?? '',
      labelZh: r.labelZh ?? '',
      type: r.type as never,
      required: r.required === 'on',
      piTag: (r.piTag || null) as never,
    }))
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const form = await readForm(request, context)
  const parsed = formSchema.safeParse(Object.fromEntries(form))
  if (!parsed.success) return invalidForm(parsed.error)
  const v = parsed.data
  const result = await registerDataset(context.platform.db, {
    actor,
    requestId: context.platform.requestId,
    input: {
      sourceUnitId: v.sourceUnitId,
      code: v.code || undefined,
      nameZh: v.nameZh,
      nameEn: v.nameEn,
      description: v.description,
      domain: v.domain as never,
      level: v.level,
      deliveryMode: v.deliveryMode as never,
      updateFrequency: v.updateFrequency as never,
      interfaceUrl: v.interfaceUrl || null,
      pullEveryMinutes: v.pullEveryMinutes ? Number(v.pullEveryMinutes) : 0,
      fields: readFields(form),
    },
  })
  if (!result.ok) return failedForm(result.error)
  return redirect(`/operator/datasets/${result.value.code}?registered=1`)
}

interface FieldRow {
  key: number
}

export default function OperatorDatasets() {
  const { datasets, sourceUnits, options } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const t = useT()
  const lang = useLang()
  const label = useOptionLabel()
  const day = useFormatDay()
  const busy = useNavigation().state !== 'idle'
  const [rows, setRows] = useState<FieldRow[]>([{ key: 0 }])
  const [mode, setMode] = useState('file')
  const err = (name: string) => data?.fields[name]
  // A long form: when fields are marked, say so above the button too (some, like a field row's type, have no text).
  const formCode = data?.formError ?? (data && Object.keys(data.fields).length > 0 ? 'invalid_dataset' : null)
  return (
    <>
      <h1>{t('catalog.datasets.title')}</h1>
      <p className="lead">{t('catalog.datasets.intro')}</p>
      <table data-testid="datasets-table">
        <thead>
          <tr>
            <th>{t('col.code')}</th>
            <th>{t('col.name')}</th>
            <th>{t('role.source_unit')}</th>
            <th>{t('col.domain')}</th>
            <th>{t('col.level')}</th>
            <th>{t('col.delivery')}</th>
            <th>{t('catalog.datasets.authorizedUntil')}</th>
          </tr>
        </thead>
        <tbody>
          {datasets.map((d) => (
            <tr key={d.code} data-testid={`dataset-${d.code}`}>
              <td>
                <Link to={`/operator/datasets/${d.code}`}>
                  <code>{d.code}</code>
                </Link>
              </td>
              <td>{lang === 'zh' ? d.nameZh : d.nameEn}</td>
              <td>{lang === 'zh' ? d.sourceUnitZh : d.sourceUnitEn}</td>
              <td>{label('domain', d.domain)}</td>
              <td>{label('level', d.level)}</td>
              <td>{label('delivery', d.deliveryMode)}</td>
              <td>
                {d.authorizedUntil ? (
                  day(d.authorizedUntil)
                ) : (
                  <span className="badge bad">{t('catalog.datasets.notAuthorized')}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t('catalog.datasets.register')}</h2>
      <div className="panel">
        <p className="muted">{t('catalog.datasets.registerHint')}</p>
        <FormError code={formCode} area="catalog" />
        <Form method="post" className="stack catalog-wide" noValidate data-testid="register-dataset">
          <Field label={t('role.source_unit')} error={err('sourceUnitId')} area="catalog">
            <select name="sourceUnitId" defaultValue="">
              <option value="">{t('catalog.choose')}</option>
              {sourceUnits.map((u) => (
                <option key={u.id} value={u.id}>
                  {lang === 'zh' ? u.nameZh : u.nameEn}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('catalog.datasets.code')} error={err('code')} area="catalog" hint={t('catalog.datasets.codeHint')}>
            <input name="code" placeholder="DS-XXXX-0001" />
          </Field>
          <Field label={t('catalog.nameZh')} error={err('nameZh')} area="catalog">
            <input name="nameZh" />
          </Field>
          <Field label={t('catalog.nameEn')} error={err('nameEn')} area="catalog">
            <input name="nameEn" />
          </Field>
          <Field label={t('catalog.description')} error={err('description')} area="catalog">
            <textarea name="description" rows={2} />
          </Field>
          <Field label={t('col.domain')} error={err('domain')} area="catalog">
            <select name="domain" defaultValue="credit">
              {options.domains.map((d) => (
                <option key={d} value={d}>
                  {label('domain', d)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('col.level')} error={err('level')} area="catalog">
            <select name="level" defaultValue="L2" data-testid="level-select">
              {options.levels.map((l) => (
                <option key={l} value={l}>
                  {label('level', l)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('col.delivery')} error={err('deliveryMode')} area="catalog">
            <select name="deliveryMode" value={mode} onChange={(e) => setMode(e.target.value)}>
              {options.deliveryModes.map((m) => (
                <option key={m} value={m}>
                  {label('delivery', m)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('catalog.datasets.frequency')} error={err('updateFrequency')} area="catalog">
            <select name="updateFrequency" defaultValue="monthly">
              {options.frequencies.map((f) => (
                <option key={f} value={f}>
                  {label('frequency', f)}
                </option>
              ))}
            </select>
          </Field>
          {mode === 'interface' && (
            <>
              <Field label={t('catalog.datasets.interfaceUrl')} error={err('interfaceUrl')} area="catalog">
                <input name="interfaceUrl" type="url" placeholder="https://" />
              </Field>
              <Field label={t('catalog.datasets.pullEvery')} error={err('pullEveryMinutes')} area="catalog">
                <input name="pullEveryMinutes" inputMode="numeric" defaultValue="0" />
              </Field>
            </>
          )}
          <fieldset className="catalog-fields-editor" data-testid="fields-editor">
            <legend>{t('catalog.datasets.fields')}</legend>
            <FieldError code={err('fields')} area="catalog" />
            <table>
              <thead>
                <tr>
                  <th>{t('catalog.field.name')}</th>
                  <th>{t('catalog.field.label')}</th>
                  <th>{t('catalog.field.type')}</th>
                  <th>{t('catalog.field.required')}</th>
                  <th>{t('catalog.field.piTag')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {rows.map((row, i) => (
                  <tr key={row.key} data-testid="field-row">
                    <td>
                      <input
                        name={`fields.${i}.name`}
                        aria-label={t('catalog.field.name')}
                        placeholder="uscc"
                        aria-invalid={err(`fields.${i}.name`) ? true : undefined}
                        aria-describedby={err(`fields.${i}.name`) ? `field-${i}-name-error` : undefined}
                      />
                      <FieldError code={err(`fields.${i}.name`)} id={`field-${i}-name-error`} area="catalog" />
                    </td>
                    <td>
                      <input name={`fields.${i}.labelZh`} aria-label={t('catalog.field.label')} />
                    </td>
                    <td>
                      <select name={`fields.${i}.type`} aria-label={t('catalog.field.type')} defaultValue="string">
                        {options.fieldTypes.map((ft) => (
                          <option key={ft} value={ft}>
                            {label('fieldType', ft)}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      <input type="checkbox" name={`fields.${i}.required`} aria-label={t('catalog.field.required')} />
                    </td>
                    <td>
                      <select name={`fields.${i}.piTag`} aria-label={t('catalog.field.piTag')} defaultValue="">
                        <option value="">—</option>
                        {options.piTags.map((tag) => (
                          <option key={tag} value={tag}>
                            {label('piTag', tag)}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      {rows.length > 1 && (
                        <button type="button" onClick={() => setRows(rows.filter((r) => r.key !== row.key))}>
                          {t('catalog.remove')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <button
              type="button"
              data-testid="add-field"
              onClick={() => setRows([...rows, { key: Math.max(...rows.map((r) => r.key)) + 1 }])}
            >
              {t('catalog.datasets.addField')}
            </button>
          </fieldset>
          <button type="submit" className="primary" disabled={busy}>
            {t('catalog.datasets.registerSubmit')}
          </button>
        </Form>
      </div>
    </>
  )
}
