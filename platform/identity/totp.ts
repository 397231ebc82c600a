import { createHash, randomBytes } from 'node:crypto'
import { generateSecret, generateURI, verify } from 'otplib'
import QRCode from 'qrcode'
import { getDataKeyring } from '#platform/crypto/data-keyring.ts'
import { openValue, sealValue } from '#platform/crypto/sealed-value.ts'

// TOTP (RFC 6238) through otplib: SHA-1, 6 digits, 30 s, what every authenticator app reads from an otpauth:// URI.
// Secrets are stored SM4-sealed under DATA_ENCRYPTION_KEY (platform/crypto/), bound to their column, never logged.

export const TOTP_ISSUER = '沈阳市公共数据授权运营平台'
export const TOTP_PERIOD_S = 30
/** One step either side of the current one: phones' clocks drift. */
const TOLERANCE_S = TOTP_PERIOD_S
export const RECOVERY_CODE_COUNT = 10

const SECRET_CONTEXT = 'users.totp_secret'
const PENDING_CONTEXT = 'users.totp_pending_secret'

export const newTotpSecret = () => generateSecret({ length: 20 })
export const sealTotpSecret = (secret: string, pending = false) =>
  sealValue(getDataKeyring(), secret, pending ? PENDING_CONTEXT : SECRET_CONTEXT)
export const openTotpSecret = (sealed: string, pending = false) =>
  openValue(getDataKeyring(), sealed, pending ? PENDING_CONTEXT : SECRET_CONTEXT)

export const totpUri = (secret: string, username: string) => generateURI({ issuer: TOTP_ISSUER, label: username, secret })

/** The otpauth:// URI as an SVG QR code in a data: URL: rendered here, no outside service (the CSP allows no other). */
export async function totpQrDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' })
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`
}

export const isTotpCodeShape = (code: string) => /^\d{6}$/.test(code)

/**
 * The time step a code matches, or null. `afterTimeStep`: the last step accepted for this user; that one and earlier
 * are refused, so a code is good once (RFC 6238 §5.2) even within its 30 s.
 */
export async function matchTotp(opts: {
  secret: string
  code: string
  now: number
  afterTimeStep: number | null
}): Promise<number | null> {
  if (!isTotpCodeShape(opts.code)) return null
  try {
    const result = await verify({
      secret: opts.secret,
      token: opts.code,
      epoch: Math.floor(opts.now / 1000),
      epochTolerance: TOLERANCE_S,
      ...(opts.afterTimeStep === null ? {} : { afterTimeStep: opts.afterTimeStep }),
    })
    return result.valid && 'timeStep' in result ? result.timeStep : null
  } catch {
    // A stored step ahead of this clock (another process's clock ahead of ours): no match, rather than a 500.
    return null
  }
}

// Recovery codes: 16 characters of Crockford's base32 (no i, l, o, u: 80 bits), shown as xxxx-xxxx-xxxx-xxxx.
// 80 random bits need no slow hash: SHA-256 is enough to make a stolen table useless.
const RECOVERY_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

export function newRecoveryCode(): string {
  const bytes = randomBytes(16)
  const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b & 31]!)
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-')
}

/** Case, spaces and dashes do not matter when a code is typed back. */
export const normalizeRecoveryCode = (code: string) => code.toLowerCase().replace(/[\s-]/g, '')
export const isRecoveryCodeShape = (code: string) => /^[a-z0-9]{16}$/.test(normalizeRecoveryCode(code))
export const hashRecoveryCode = (code: string) => createHash('sha256').update(normalizeRecoveryCode(code)).digest('hex')
