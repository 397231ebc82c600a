import { createContext, useContext } from 'react'

/**
 * This response's CSP nonce (server/security-headers.ts), provided by app/entry.server.tsx. Inline scripts carry it or
 * the browser refuses to run them. In the browser the value is '' (browsers hide nonces from the DOM; scripts added
 * after hydration are files from our origin, which the policy allows).
 */
export const NonceContext = createContext<string>('')

export const NonceProvider = NonceContext.Provider

export function useNonce(): string {
  return useContext(NonceContext)
}
