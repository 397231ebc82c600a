import type { ProductOperation } from '../products/product-operation.ts'
import { decodeComponent } from './request-target.ts'

interface CompiledRoute {
  op: ProductOperation
  pattern: RegExp
  names: string[]
}

export type RouteMatch =
  { kind: 'found'; op: ProductOperation; params: Record<string, string> } | { kind: 'method_not_allowed' } | { kind: 'not_found' }

/**
 * Matches `METHOD /path` against the operations' paths; `{name}` segments match one path segment, decoded strictly
 * (a malformed escape or a control character throws `bad_request`).
 */
export class RouteTable {
  #exact = new Map<string, ProductOperation>()
  #patterns: CompiledRoute[] = []
  #paths = new Set<string>()

  constructor(operations: ProductOperation[]) {
    for (const op of operations) {
      if (!op.path.includes('{')) {
        this.#exact.set(`${op.method} ${op.path}`, op)
        this.#paths.add(op.path)
        continue
      }
      const names: string[] = []
      const source = op.path
        .split('/')
        .map((segment) => {
          const m = segment.match(/^\{(\w+)\}$/)
          if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          names.push(m[1]!)
          return '([^/]+)'
        })
        .join('/')
      this.#patterns.push({ op, pattern: new RegExp(`^${source}$`), names })
    }
  }

  match(method: string, path: string): RouteMatch {
    const exact = this.#exact.get(`${method} ${path}`)
    if (exact) return { kind: 'found', op: exact, params: {} }
    let pathKnown = this.#paths.has(path)
    for (const route of this.#patterns) {
      const m = route.pattern.exec(path)
      if (!m) continue
      pathKnown = true
      if (route.op.method !== method) continue
      const params: Record<string, string> = {}
      route.names.forEach((name, i) => {
        params[name] = decodeComponent(m[i + 1]!, 'path')
      })
      return { kind: 'found', op: route.op, params }
    }
    return pathKnown ? { kind: 'method_not_allowed' } : { kind: 'not_found' }
  }
}
