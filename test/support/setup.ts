import { afterAll, afterEach, beforeAll, beforeEach, expect, vi } from 'vitest'
import { server, startMsw } from './msw.ts'

beforeAll(() => startMsw())
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

// console.error during a test fails it, unless the test replaced the spy to expect it.
let errorSpy: ReturnType<typeof vi.spyOn>
beforeEach(() => {
  errorSpy = vi.spyOn(console, 'error')
})
afterEach(() => {
  const calls = errorSpy.mock.calls
  errorSpy.mockRestore()
  expect(calls, 'console.error was called during the test').toEqual([])
})
