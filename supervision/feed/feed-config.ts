import { readEnv } from '#platform/env.ts'

/** Where the feed goes and the key that signs it: both set (platform/env.ts checks the key), else the feed is off. */
export interface SupervisionFeedConfig {
  url: string
  /** The shared HMAC-SM3 key. Never logged, never shown, never put in an error. */
  key: string
}

/** The feed's settings from the environment, or null when it is off (SUPERVISION_FEED_URL unset). */
export function supervisionFeedConfigFromEnv(
  source: Record<string, string | undefined> = process.env,
): SupervisionFeedConfig | null {
  const env = readEnv(source)
  if (!env.SUPERVISION_FEED_URL || !env.SUPERVISION_FEED_KEY) return null
  return { url: env.SUPERVISION_FEED_URL, key: env.SUPERVISION_FEED_KEY }
}

/** The URL as shown on the bureau's page and by the CLI: no user info, no query (either could carry a secret). */
export function displayFeedUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return '(invalid URL)'
  }
}
