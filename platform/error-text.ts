/** The message of an error and of its causes: drizzle wraps driver errors ("Failed query: …", cause: SQLite's message). */
export function errorText(error: unknown): string {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; current && depth < 5; depth++) {
    parts.push(String((current as Error).message ?? current))
    current = (current as { cause?: unknown }).cause
  }
  return parts.join(' | ')
}
