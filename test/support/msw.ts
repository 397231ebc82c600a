import { setupServer } from 'msw/node'

/**
 * msw intercepts calls to systems outside the platform (Lago, source-unit
 * interfaces): each gets its own handler file under test/mocks/ and tests add
 * them with `server.use(...)`. Requests to the platform itself (localhost)
 * pass through; anything else unhandled fails the test.
 */
export const server = setupServer()

export function startMsw() {
  server.listen({
    onUnhandledRequest(request, print) {
      const { hostname } = new URL(request.url)
      if (hostname === 'localhost' || hostname === '127.0.0.1') return
      print.error()
    },
  })
}
