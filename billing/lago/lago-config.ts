import { readEnv } from '#platform/env.ts'

/** Where Lago is: both variables set, else the embedded engine alone (docs/decisions/0012). */
export interface LagoConfig {
  apiUrl: string
  apiKey: string
}

/** Lago's settings from the environment, or null when mirroring is off. */
export function lagoConfigFromEnv(source: Record<string, string | undefined> = process.env): LagoConfig | null {
  const env = readEnv(source)
  if (!env.LAGO_API_URL || !env.LAGO_API_KEY) return null
  return { apiUrl: env.LAGO_API_URL.replace(/\/+$/, ''), apiKey: env.LAGO_API_KEY }
}
