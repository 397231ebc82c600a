import type { OperationReport } from '#app/domain.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatFen, formatTime } from '#app/lib/format.ts'

// One version of an operation report as both the operator and the bureau see it: narrative and figures per section,
// with the charts drawn on the server (the same SVG as in the PDF; ECharts escapes every name it writes).

interface Chart {
  key: string
  section: string
  title: string
  svg: string
}

type Shown = OperationReport['shown']
type FigureT = Shown['figures']['sections'][number]['figures'][number]

const ROWS_SHOWN = 10

/**
 * The narrative's fields and the limits the browser shows (maxLength). The domain checks the same limits itself
 * (reporting/reports/report-narrative.ts); these are here because server modules do not reach the browser.
 */
export const NARRATIVE_FIELDS = ['summary', 'storage', 'interaction', 'processing', 'fusion', 'market'] as const
export const NARRATIVE_INPUT_MAX = 5000
export const COMMENT_INPUT_MAX = 2000

function value(v: number, unit: FigureT['unit'], lang: 'zh' | 'en') {
  if (unit === 'fen') return formatFen(v)
  if (unit === 'ratio') return `${(v * 100).toFixed(2)}%`
  return formatCount(v, lang)
}

export function ReportStateBadge({ state }: { state: string }) {
  const t = useT()
  const cls = state === 'acknowledged' ? 'badge ok' : state === 'returned' ? 'badge bad' : 'badge'
  return (
    <span className={cls} data-testid="report-state">
      {t(`oreport.state.${state}` as 'oreport.state.draft')}
    </span>
  )
}

export function OperationReportView({
  report,
  charts,
  labels,
  sections,
}: {
  report: OperationReport
  charts: Chart[]
  labels: Record<string, string>
  sections: Record<string, string>
}) {
  const t = useT()
  const lang = useLang()
  const shown = report.shown
  const f = shown.figures
  return (
    <>
      <p className="muted" data-testid="report-meta">
        {t('oreport.meta', { from: f.from, to: f.to, version: shown.version, generatedAt: f.generatedAt })}{' '}
        <ReportStateBadge state={shown.state} />
      </p>
      {shown.bureauComment && (
        <div className="notice" data-testid="bureau-comment">
          <strong>
            {t('oreport.bureauComment')}
            {t('common.colon')}
          </strong>
          <span className="preserve-lines">{shown.bureauComment}</span>
        </div>
      )}
      {shown.narrative.summary && (
        <section className="card">
          <h2>{sections.summary}</h2>
          <p className="preserve-lines" data-testid="narrative-summary">
            {shown.narrative.summary}
          </p>
        </section>
      )}
      {f.sections.map((section) => (
        <section key={section.key} className="card" data-testid={`section-${section.key}`}>
          <h2>{sections[section.key]}</h2>
          {shown.narrative[section.key] && <p className="preserve-lines">{shown.narrative[section.key]}</p>}
          <div className="report-charts">
            {charts
              .filter((c) => c.section === section.key)
              .map((c) => (
                <figure key={c.key} className="report-chart" data-testid={`chart-${c.key}`}>
                  <div role="img" aria-label={c.title} dangerouslySetInnerHTML={{ __html: c.svg }} />
                </figure>
              ))}
          </div>
          <table className="report-figures">
            <tbody>
              {section.figures.map((fig) => (
                <tr key={fig.key} data-testid={`figure-${fig.key}`}>
                  <th scope="row">{labels[fig.key] ?? fig.key}</th>
                  <td className="num" data-testid={`figure-value-${fig.key}`}>
                    {value(fig.value, fig.unit, lang)}
                  </td>
                  <td>
                    {fig.rows && fig.rows.length > 0 && (
                      <details open={fig.rows.length <= ROWS_SHOWN}>
                        <summary>{t('oreport.more', { n: fig.rows.length })}</summary>
                        <table>
                          <tbody>
                            {fig.rows.map((r) => (
                              <tr key={r.key}>
                                <td>{r.label === r.key ? r.key : `${r.label}${t('common.parenthesized', { text: r.key })}`}</td>
                                <td className="num">{value(r.value, fig.unit, lang)}</td>
                                <td className="muted">{r.note ?? ''}</td>
                              </tr>
                            ))}
                          </tbody>
                        </table>
                      </details>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </>
  )
}

export function ReportVersions({ report, basePath }: { report: OperationReport; basePath: string }) {
  const t = useT()
  const lang = useLang()
  return (
    <section className="card">
      <h2>{t('oreport.versions')}</h2>
      <table data-testid="report-versions">
        <thead>
          <tr>
            <th>{t('oreport.col.version')}</th>
            <th>{t('oreport.col.state')}</th>
            <th>{t('oreport.submitted')}</th>
            <th>{t('oreport.bureauComment')}</th>
          </tr>
        </thead>
        <tbody>
          {report.versions.map((v) => (
            <tr key={v.version} data-testid={`report-version-${v.version}`}>
              <td>
                <a href={`${basePath}?version=${v.version}`}>{t('oreport.version.n', { version: v.version })}</a>
              </td>
              <td>
                <ReportStateBadge state={v.state} />
              </td>
              <td>{formatTime(v.submittedAt, lang)}</td>
              <td className="preserve-lines">{v.bureauComment ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

export function ReportDownloads({ period, version }: { period: string; version: number }) {
  const t = useT()
  return (
    <p data-testid="report-downloads">
      {t('oreport.download')}
      {t('common.colon')}
      {(['pdf', 'xlsx', 'csv'] as const).map((format) => (
        <a
          key={format}
          href={`/reports/${encodeURIComponent(period)}/download?format=${format}&version=${version}`}
          data-testid={`download-${format}`}
          download
        >
          {' '}
          {t(`oreport.download.${format}`)}
        </a>
      ))}
    </p>
  )
}

/** The reports of a list page, newest period first. */
export function ReportList({
  reports,
  basePath,
  lang,
}: {
  reports: { period: string; kind: string; latestVersion: number; state: string; updatedAt: number }[]
  basePath: string
  lang: 'zh' | 'en'
}) {
  const t = useT()
  if (reports.length === 0) return <p className="muted">{t('oreport.none')}</p>
  return (
    <table data-testid="report-list">
      <thead>
        <tr>
          <th>{t('oreport.col.period')}</th>
          <th>{t('oreport.col.kind')}</th>
          <th>{t('oreport.col.version')}</th>
          <th>{t('oreport.col.state')}</th>
          <th>{t('oreport.col.updated')}</th>
        </tr>
      </thead>
      <tbody>
        {reports.map((r) => (
          <tr key={r.period} data-testid={`report-row-${r.period}`}>
            <td>
              <a href={`${basePath}/${r.period}`}>{r.period}</a>
            </td>
            <td>{t(`oreport.kind.${r.kind}` as 'oreport.kind.quarterly')}</td>
            <td>{r.latestVersion}</td>
            <td>
              <ReportStateBadge state={r.state} />
            </td>
            <td>{formatTime(r.updatedAt, lang)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
