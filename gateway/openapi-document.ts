import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const openApiYamlPath = fileURLToPath(new URL('../api-specs/openapi.yaml', import.meta.url))

/** The contract, served as JSON at GET /api/v1/openapi.json. Read once at start. */
export function loadOpenApiJson(): string {
  return JSON.stringify(parse(readFileSync(openApiYamlPath, 'utf8')))
}
