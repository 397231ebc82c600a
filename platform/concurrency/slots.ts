/**
 * At most `max` holders at once, the rest waiting in order: `take()` resolves when a slot is free and gives the
 * function that frees it (calling it twice frees it once). A freed slot passes straight to the next waiter. For CPU
 * work in worker threads (dataset scans, model fits) that must not take the machine from the API.
 */
export function createSlots(max: number): { take: () => Promise<() => void> } {
  let running = 0
  const queue: (() => void)[] = []
  return {
    async take() {
      if (running >= max) await new Promise<void>((resolve) => queue.push(resolve))
      else running++
      let released = false
      return () => {
        if (released) return
        released = true
        const next = queue.shift()
        if (next) next()
        else running--
      }
    },
  }
}
