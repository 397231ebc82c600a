// The developer's quick-start requests (issue 16: examples that run as written). A product's API path may hold
// parameters (`/components/{view}/query`, `/services/enterprise-credit-profile/{uscc}`); the catalog's example body
// names their values. The path takes them (URL-encoded) and they leave the body, which the API would refuse with them;
// a GET sends what remains as its query string. The same function builds the page's curl lines and the test that runs
// every one of them against the gateway.

export interface QuickStartRequest {
  method: string
  /** The path with its parameters filled in, and a GET's query string. */
  path: string
  /** JSON text of the body (not for a GET). */
  body: string | null
}

export function quickStartRequest(apiPath: string, example: string | null): QuickStartRequest {
  const [method = 'POST', rawPath = apiPath] = apiPath.includes(' ') ? apiPath.split(' ') : ['POST', apiPath]
  let values: Record<string, unknown> = {}
  try {
    const parsed: unknown = example ? JSON.parse(example) : {}
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) values = { ...(parsed as Record<string, unknown>) }
  } catch {
    values = {}
  }
  const path = rawPath.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name]
    delete values[name]
    return encodeURIComponent(value === undefined || value === null ? `{${name}}` : String(value))
  })
  if (method === 'GET') {
    const query = new URLSearchParams(
      Object.entries(values).flatMap(([k, v]) => (v === undefined || v === null ? [] : [[k, String(v)]])),
    ).toString()
    return { method, path: query ? `${path}?${query}` : path, body: null }
  }
  return { method, path, body: JSON.stringify(values) }
}

/** One curl command, as the page shows it: the key's prefix only (the key itself is shown once, at creation). */
export function curlLine(origin: string, prefix: string, request: QuickStartRequest): string {
  const url = `${origin}${request.path}`
  const lines = [`curl -s -X ${request.method} '${url}' \\`, `  -H "Authorization: Bearer ${prefix}…"`]
  if (request.body !== null) {
    lines[1] += ' \\'
    lines.push(`  -H "Content-Type: application/json" \\`, `  -d '${request.body.replace(/'/g, "'\\''")}'`)
  }
  return lines.join('\n')
}
