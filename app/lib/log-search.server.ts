import type { AppLoadContext } from '@remix-run/node'
import { listLogFilterOptions, searchLogs, verifyAuditChainFor, type LogKind } from '#app/domain.server.ts'
import { getLang } from '#app/session.server.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { HTTP_STATUS_OF_KIND } from '#platform/result.ts'

const QUERY_KEYS = ['kind', 'from', 'to', 'partner', 'product', 'dataset', 'sourceUnit', 'requestId', 'text'] as const

/**
 * The log page's loader for the auditor and the bureau: the search in the URL (one audited read), the chain check when
 * its button asked for it (audited too), and the filter choices. `kind` fixes the log (the bureau's audit trail).
 */
export async function loadLogSearch(request: Request, context: AppLoadContext, actor: Actor, opts: { kind?: LogKind } = {}) {
  const url = new URL(request.url)
  const { db, requestId } = context.platform
  const lang = await getLang(request)
  const input: Record<string, string> = {}
  for (const key of QUERY_KEYS) {
    const value = url.searchParams.get(key)
    if (value !== null && value !== '') input[key] = value
  }
  if (opts.kind) input.kind = opts.kind
  const cursor = url.searchParams.get('cursor')
  const [result, options] = await Promise.all([
    searchLogs(db, { actor, input, cursor, lang, requestId }),
    listLogFilterOptions(db, { lang }),
  ])
  const chain = url.searchParams.get('verify') === '1' ? await verifyAuditChainFor(db, { actor, requestId }) : null
  const data = {
    input,
    options,
    page: result.ok ? result.value : null,
    problem: result.ok ? null : { code: result.error.code, fields: result.error.fields ?? {} },
    chain: chain?.ok ? chain.value : null,
  }
  return { data, status: result.ok ? 200 : HTTP_STATUS_OF_KIND[result.error.kind] }
}
