import { useEffect } from 'react'

/**
 * On a narrow screen a wide table scrolls sideways inside its card (app.css), and a `<pre>` (agreement texts, code) scrolls
 * at any width. One that scrolls joins the tab order so the keyboard can scroll it too (WCAG 2.1.1; axe
 * `scrollable-region-focusable`); one that fits leaves it again. One hook in the layout, not a wrapper in every route:
 * every table and `<pre>` of every page, today's and tomorrow's (ADR 0041).
 */
export function useKeyboardScrollableTables(): void {
  useEffect(() => {
    const main = document.getElementById('main')
    if (!main) return
    let frame = 0
    const mark = () => {
      frame = 0
      for (const box of Array.from(main.querySelectorAll<HTMLElement>('table, pre'))) {
        const scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1
        if (scrolls && !box.hasAttribute('tabindex')) {
          box.setAttribute('tabindex', '0')
          box.dataset.keyboardScroll = 'true'
        } else if (!scrolls && box.dataset.keyboardScroll) {
          box.removeAttribute('tabindex')
          delete box.dataset.keyboardScroll
        }
      }
    }
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(mark)
    }
    schedule()
    const observer = new MutationObserver(schedule)
    observer.observe(main, { childList: true, subtree: true })
    window.addEventListener('resize', schedule)
    return () => {
      observer.disconnect()
      window.removeEventListener('resize', schedule)
      if (frame) cancelAnimationFrame(frame)
    }
  }, [])
}
