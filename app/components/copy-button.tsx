import { useEffect, useRef, useState } from 'react'
import { useT } from '#app/i18n/use-t.ts'

/**
 * A button that copies `text` to the clipboard (issue 16, ADR 0045): its visible label turns to "已复制 / Copied" and a
 * live region says so to a screen reader. Rendered only once the page runs JavaScript: without it there is no button
 * that cannot work, and the text beside it stays selectable. `what` names what is copied for a screen reader
 * ("复制 新密钥"), after the visible word so the accessible name starts with what is seen.
 */
export function CopyButton({ text, what, testId }: { text: string; what: string; testId?: string }) {
  const t = useT()
  const [ready, setReady] = useState(false)
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  useEffect(() => {
    setReady(true)
    return () => {
      if (timer.current) clearTimeout(timer.current)
    }
  }, [])
  if (!ready) return null

  async function copy() {
    let done = false
    try {
      if (navigator.clipboard?.writeText) {
        await navigator.clipboard.writeText(text)
        done = true
      }
    } catch {
      done = false
    }
    if (!done) done = copyBySelection(text)
    setState(done ? 'copied' : 'failed')
    if (timer.current) clearTimeout(timer.current)
    timer.current = setTimeout(() => setState('idle'), 2500)
  }

  return (
    <span className="copy-button">
      <button type="button" onClick={copy} data-testid={testId} data-state={state}>
        {state === 'copied' ? t('copy.done') : t('copy.button')}
        <span className="visually-hidden"> {what}</span>
      </button>
      <span role="status" className={state === 'failed' ? 'field-error' : 'visually-hidden'}>
        {state === 'copied' ? t('copy.done') : state === 'failed' ? t('copy.failed') : ''}
      </span>
    </span>
  )
}

/** Where the Clipboard API is missing (an insecure origin): the older copy of a selected, off-screen text. */
function copyBySelection(text: string): boolean {
  const area = document.createElement('textarea')
  area.value = text
  area.setAttribute('readonly', '')
  area.style.position = 'fixed'
  area.style.opacity = '0'
  document.body.appendChild(area)
  area.select()
  try {
    return document.execCommand('copy')
  } catch {
    return false
  } finally {
    area.remove()
  }
}
