import { useT } from '#app/i18n/use-t.ts'

/**
 * An outside system's own words (a source unit's interface, the supervision exchange), which are English whatever the
 * page's language: shown on their own line, labelled and marked `lang="en"`, never as the end of a Chinese sentence
 * (ADR 0046).
 */
export function TechnicalDetail({ text, testId }: { text: string | null | undefined; testId?: string }) {
  const t = useT()
  if (!text) return null
  return (
    <small className="muted" style={{ display: 'block' }} data-testid={testId}>
      {t('common.technicalDetail')}
      <span lang="en">{text}</span>
    </small>
  )
}
