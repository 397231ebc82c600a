import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// Shanghai's UTC offset is written once, in the calendar module (ADR 0022). This guard reads every source file of the
// repository and names each place where the offset is written anyway, in code or in a string: comments may explain
// it, code must ask the calendar.

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const HOME = 'platform/calendar/shanghai-calendar.ts'
const SKIPPED = new Set(['node_modules', 'build', 'public/build', '.cache', '.git', 'api-specs/generated', 'test/.tmp', 'data'])
const SOURCE = /\.(ts|tsx|mjs)$/

/** Ways of writing UTC+8 (hours × seconds or milliseconds, the seconds themselves, ISO offsets, zone names). */
const OFFSET_PATTERNS: readonly RegExp[] = [
  /\b8\s*\*\s*3_?600\b|\b8\s*\*\s*3_?600_?000\b|\b8\s*\*\s*60\s*\*\s*60\b/,
  /\b3_?600(?:_?000)?\s*\*\s*8\b|\b60\s*\*\s*60\s*\*\s*8\b/,
  /\b28_?800(?:_?000)?\b/,
  /\+08:?00/,
  /\b(?:UTC|GMT)\s*\+\s*0?8\b/,
]

/** The text of a file with its comments blanked out (lines kept), so that a match is in code or in a string. */
function codeOf(fileName: string, text: string): string {
  const kind = fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : fileName.endsWith('.mjs') ? ts.ScriptKind.JS : ts.ScriptKind.TS
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind)
  const code = text.replace(/[^\n]/g, ' ').split('')
  const keep = (node: ts.Node) => {
    // JSDoc blocks are comments too; the parser hangs them on the node they document.
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return
    const children = node.getChildren(sourceFile)
    if (children.length > 0) return children.forEach(keep)
    // A token: its own text is code; the trivia before it (whitespace and comments) stays blank.
    for (let i = node.getStart(sourceFile); i < node.end; i++) code[i] = text[i]!
  }
  keep(sourceFile)
  return code.join('')
}

/** `line: text` for each line of code (comments blanked) that writes the offset. */
function findOffsets(fileName: string, text: string): string[] {
  const lines = text.split('\n')
  return codeOf(fileName, text)
    .split('\n')
    .flatMap((line, i) => (OFFSET_PATTERNS.some((p) => p.test(line)) ? [`${i + 1}: ${lines[i]!.trim()}`] : []))
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const name = relative(ROOT, path).split('\\').join('/')
    if (entry.isDirectory()) {
      if (!SKIPPED.has(name)) yield* sourceFiles(path)
    } else if (SOURCE.test(entry.name)) yield name
  }
}

describe('the UTC offset is written only in the calendar module', () => {
  it('finds the offset in code and strings, not in comments', () => {
    // The samples are built from H so that this file does not write the offset itself.
    const H = 8
    const found = (text: string, file = 'x.ts') => findOffsets(file, text).length > 0
    expect(found(`const a = ${H} * 3600`)).toBe(true)
    expect(found(`const a = ${H} * 3_600_000`)).toBe(true)
    expect(found(`const a = ${H} * 60 * 60`)).toBe(true)
    expect(found(`const a = 3600_000 * ${H}`)).toBe(true)
    expect(found(`const a = ${H * 3600}`)).toBe(true)
    expect(found(`const a = 28_${H}00`)).toBe(true)
    expect(found(`sql\`strftime('%Y', at / 1000 + ${H * 3600}, 'unixepoch')\``)).toBe(true)
    expect(found(`const t = Date.parse(\`\${day}T00:00+0${H}:00\`)`)).toBe(true)
    expect(found(`const z = '+0${H}00'`)).toBe(true)
    expect(found(`const url = 'http://example.test/' + ${H * 3600}`)).toBe(true)
    expect(found(`const s = /* a */ 'UTC+${H}'`)).toBe(true)
    expect(found(`const p = <p>北京时间 UTC+${H}</p>`, 'x.tsx')).toBe(true)
    expect(found(`export const x = ${H} * 3600`, 'x.mjs')).toBe(true)

    expect(found(`// Shanghai is UTC+${H}, ${H} * 3600 s\nconst a = 1`)).toBe(false)
    expect(found(`/* 2026-01-01T00:00+0${H}:00 */ const a = 1`)).toBe(false)
    expect(found(`/** Midnight +0${H}:00. */\nexport function f() {}`)).toBe(false)
    expect(found(`const a = 1 // ${H * 3600} s`)).toBe(false)
    expect(found(`const a = 18 * 3600 + ${H * 36000} + ${H} * 36000`)).toBe(false)
    expect(found(`const p = <p>{/* UTC+${H} */}</p>`, 'x.tsx')).toBe(false)
    expect(findOffsets('x.ts', `const a = 1\n\nconst b = ${H} * 3600 // here`)).toEqual([`3: const b = ${H} * 3600 // here`])
  })

  it(`has no offset outside ${HOME}`, () => {
    const offenders = [...sourceFiles(ROOT)]
      .filter((file) => file !== HOME)
      .flatMap((file) => findOffsets(file, readFileSync(join(ROOT, file), 'utf8')).map((hit) => `${file}:${hit}`))
    expect(offenders, 'write the offset through platform/calendar/shanghai-calendar.ts').toEqual([])
  })
})
