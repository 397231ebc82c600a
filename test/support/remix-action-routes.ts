import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ROLES, type Role } from '#db/schema/identity.ts'

const ROUTES_DIR = fileURLToPath(new URL('../../app/routes/', import.meta.url))

export interface ActionRoute {
  /** The route file, e.g. `operator.datasets.$code.tsx`. */
  file: string
  /** URL path segments: literal text, or `{ param }` for a `$param` segment. */
  segments: (string | { param: string })[]
  /** An `_index` route: a form posts to it with `?index`. */
  isIndex: boolean
  /** Roles the route's requireUser() or requireActor() admits (empty: no sign-in needed). */
  roles: Role[]
  /** Form field names its page uses (hostile variants post to these). */
  fields: string[]
  /** `intent` values from its zod schemas, so a hostile post can reach each branch of the action. */
  intents: string[]
  /** True when the action reads its form with readForm (app/lib/read-form.server.ts). */
  readsForm: boolean
}

/**
 * Every route file under app/routes that exports an `action`, read from the files themselves so a new route is fuzzed
 * without anyone listing it. The flat-route file name gives the URL (Remix v2 conventions: `.` separates segments,
 * `$x` is a param, `_index` an index route, a leading `_` a pathless layout, a trailing `_` opts out of nesting,
 * `[x]` escapes).
 */
export function discoverActionRoutes(): ActionRoute[] {
  return discoverRoutes('action')
}

/** Every route file that exports a `loader` (pages and resource routes such as CSV and PDF downloads). */
export function discoverLoaderRoutes(): ActionRoute[] {
  return discoverRoutes('loader')
}

function discoverRoutes(exported: 'action' | 'loader'): ActionRoute[] {
  const exports = new RegExp(
    `export\\s+(async\\s+)?function\\s+${exported}\\b|export\\s+const\\s+${exported}\\b|export\\s*\\{[^}]*\\b${exported}\\b`,
  )
  return readdirSync(ROUTES_DIR)
    .filter((file) => /\.(tsx|ts|jsx|js)$/.test(file) && !/\.test\./.test(file) && !file.startsWith('.'))
    .sort()
    .flatMap((file) => {
      const source = readFileSync(ROUTES_DIR + file, 'utf8')
      if (!exports.test(source)) return []
      return [{ file, ...routeShape(file), ...routeSourceFacts(source) }]
    })
}

export function routeShape(file: string): Pick<ActionRoute, 'segments' | 'isIndex'> {
  const name = file.replace(/\.(tsx|ts|jsx|js)$/, '')
  // Split on dots outside [escapes].
  const parts: string[] = []
  let current = ''
  let escaped = false
  for (const ch of name) {
    if (ch === '[') escaped = true
    else if (ch === ']') escaped = false
    else if (ch === '.' && !escaped) {
      parts.push(current)
      current = ''
      continue
    }
    current += ch
  }
  parts.push(current)
  let isIndex = false
  const segments: ActionRoute['segments'] = []
  for (const part of parts) {
    if (part === '_index') {
      isIndex = true
      continue
    }
    if (part.startsWith('_')) continue
    const bare = part.endsWith('_') ? part.slice(0, -1) : part
    if (bare.startsWith('$')) segments.push({ param: bare.slice(1) || '*' })
    else segments.push(bare.replace(/[[\]]/g, ''))
  }
  return { segments, isIndex }
}

function routeSourceFacts(source: string): Pick<ActionRoute, 'roles' | 'fields' | 'intents' | 'readsForm'> {
  const roles = new Set<Role>()
  for (const call of source.matchAll(/require(?:User|Actor)\(\s*request\s*,\s*context\s*,\s*([^)]*)\)/g)) {
    let list = call[1]!.trim()
    // `requireActor(request, context, ROLES)`: the constant declared in the file.
    if (/^[A-Za-z_]\w*$/.test(list)) list = new RegExp(`const\\s+${list}\\b[^=]*=\\s*(\\[[^\\]]*\\])`).exec(source)?.[1] ?? ''
    for (const literal of list.matchAll(/'([a-z_]+)'/g)) {
      if ((ROLES as readonly string[]).includes(literal[1]!)) roles.add(literal[1] as Role)
    }
  }
  const fields = new Set<string>()
  for (const m of source.matchAll(/\bname=(?:"([^"]+)"|\{'([^']+)'\}|\{`([^`$]+)`\})/g)) fields.add(m[1] ?? m[2] ?? m[3]!)
  for (const m of source.matchAll(/\bname=\{`([^`$]*)\$\{[^}]*\}([^`]*)`\}/g)) fields.add(`${m[1]}0${m[2]}`)
  const intents = new Set<string>()
  for (const m of source.matchAll(/z\.literal\('([\w-]+)'\)/g)) intents.add(m[1]!)
  for (const m of source.matchAll(/name="intent"\s+value="([\w-]+)"/g)) intents.add(m[1]!)
  return { roles: [...roles], fields: [...fields].sort(), intents: [...intents].sort(), readsForm: /\breadForm\(/.test(source) }
}

/** The URL path of a route with each param filled in (values are inserted as given: already encoded, or hostile). */
export function fillPath(route: ActionRoute, values: (param: string) => string): string {
  return '/' + route.segments.map((s) => (typeof s === 'string' ? s : values(s.param))).join('/')
}
