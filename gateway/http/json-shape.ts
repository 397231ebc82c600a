/** Keys that reach an object's prototype when a value is merged or spread: never accepted from a client. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

export interface JsonShapeProblem {
  /** Dotted path of the offending value (`''` for the body itself). */
  path: string
  code: 'prototype_key' | 'unsafe_number'
  message: string
}

/**
 * Walks a parsed JSON value (its depth is already bounded) and finds the first value no operation should ever see:
 * a prototype key, or a number JavaScript cannot hold exactly (beyond ±2^53, or overflowing to Infinity).
 */
export function checkJsonShape(value: unknown, path = ''): JsonShapeProblem | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) {
      return { path, code: 'unsafe_number', message: `${path || 'body'}: number beyond the safe range (±2^53)` }
    }
    return null
  }
  if (value === null || typeof value !== 'object') return null
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = checkJsonShape(value[i], path ? `${path}.${i}` : String(i))
      if (problem) return problem
    }
    return null
  }
  for (const key of Object.keys(value)) {
    const at = path ? `${path}.${key}` : key
    if (PROTOTYPE_KEYS.has(key)) return { path: at, code: 'prototype_key', message: `${at}: key not allowed` }
    const problem = checkJsonShape((value as Record<string, unknown>)[key], at)
    if (problem) return problem
  }
  return null
}
