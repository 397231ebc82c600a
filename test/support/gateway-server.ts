import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import createClient from 'openapi-fetch'
import type { paths } from '#api-specs/generated/openapi.d.ts'
import { createGateway, type Gateway } from '#gateway/create-gateway.ts'
import { createTestDatabase, type TestDatabase } from './test-database.ts'

export { demoApiKey } from './demo-credentials.ts'

export interface GatewayHarness {
  database: TestDatabase
  gateway: Gateway
  baseUrl: string
  client: ReturnType<typeof createClient<paths>>
  stop(): Promise<void>
}

/** The gateway alone on a bare node:http server over a private database copy. */
export async function startGateway(): Promise<GatewayHarness> {
  const database = await createTestDatabase()
  const gateway = createGateway({ db: database.db })
  const server: Server = createServer((req, res) => gateway.handle(req, res))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    database,
    gateway,
    baseUrl,
    client: createClient<paths>({ baseUrl }),
    async stop() {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
      await gateway.close()
      database.destroy()
    },
  }
}
