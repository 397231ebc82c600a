import { createHash, randomBytes } from 'node:crypto'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { z } from 'zod'
import { APPLICATION_PURPOSES, PARTNER_KINDS } from '#db/schema/index.ts'
import { isValidIdCard } from '#platform/codes/id-card.ts'
import { isValidUscc } from '#platform/codes/uscc.ts'
import { blindIndex, blindIndexCandidates } from '#platform/crypto/blind-index.ts'
import { getDataKeyring } from '#platform/crypto/data-keyring.ts'
import { isSealedValue, openValue, sealValue } from '#platform/crypto/sealed-value.ts'

/** Qualification documents: at most this many per application, each at most this large (PDF, PNG, JPEG). */
export const DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
export const DOCUMENT_MAX_FILES = 5
/** Applications accepted from one address (IPv6 by /64) in an hour: a form anyone can post is a form anyone can flood. */
export const APPLICATIONS_PER_ADDRESS_PER_HOUR = 5
export const APPLICATION_THROTTLE_WINDOW_MS = 60 * 60 * 1000
/** How long an invite link works. */
export const INVITE_TTL_MS = 72 * 60 * 60 * 1000
/** States in which an application is still open (counted as a duplicate of a new one). */
export const OPEN_APPLICATION_STATES = ['submitted', 'under_review'] as const

const text = (max: number) => z.string().trim().min(1, 'required').max(max, 'too_long')

/** The applicant's answers; the code of the subject's kind checked by its checksum (GB 11643, GB 32100). */
export const applicationInputSchema = z
  .object({
    kind: z.enum(PARTNER_KINDS, { message: 'invalid_choice' }),
    name: text(100),
    uscc: z.string().trim().toUpperCase().max(18, 'too_long').optional().default(''),
    idNumber: z.string().trim().toUpperCase().max(18, 'too_long').optional().default(''),
    contactName: text(50),
    contactPhone: z
      .string()
      .trim()
      .regex(/^(1\d{10}|0\d{2,3}-?\d{7,8})$/, 'invalid_phone'),
    contactEmail: z.string().trim().max(200, 'too_long').email('invalid_email'),
    scenarios: text(2000),
    purpose: z.enum(APPLICATION_PURPOSES, { message: 'invalid_choice' }),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'natural_person') {
      if (!v.idNumber) ctx.addIssue({ code: 'custom', path: ['idNumber'], message: 'required' })
      else if (!isValidIdCard(v.idNumber)) ctx.addIssue({ code: 'custom', path: ['idNumber'], message: 'invalid_id_card' })
    } else if (!v.uscc) ctx.addIssue({ code: 'custom', path: ['uscc'], message: 'required' })
    else if (!isValidUscc(v.uscc)) ctx.addIssue({ code: 'custom', path: ['uscc'], message: 'invalid_uscc' })
  })
export type ApplicationInput = z.input<typeof applicationInputSchema>

export const newToken = () => randomBytes(32).toString('base64url')
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')
/** A token as it can appear in a link: 43 base64url characters; anything else is not looked up. */
export const isTokenShaped = (token: string) => /^[A-Za-z0-9_-]{43}$/.test(token)

/** `2101**********123X`: the ID number as lists and the applicant's page show it. */
export const maskIdNumber = (id: string | null) =>
  id ? `${id.slice(0, 4)}${'*'.repeat(Math.max(0, id.length - 8))}${id.slice(-4)}` : null
/** `138****5678`. */
export const maskPhone = (phone: string) => (phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****')

/** Where the documents live: `application-documents/` beside the database file (outside the web root), as evidence. */
export function applicationDocumentDirectoryOf(databaseUrl: string, cwd = process.cwd()): string {
  if (!databaseUrl.startsWith('file:')) return resolve(cwd, 'data', 'application-documents')
  const path = databaseUrl.slice('file:'.length).split('?')[0]!
  return join(dirname(isAbsolute(path) ? path : resolve(cwd, path)), 'application-documents')
}

// The natural person's ID number and the contact's phone are sealed at rest (db/sealed-columns.ts, ADR 0019).
const ID_NUMBER_CONTEXT = 'partner_applications.id_number'
const PHONE_CONTEXT = 'partner_applications.contact_phone'
export const sealIdNumber = (plain: string) => sealValue(getDataKeyring(), plain, ID_NUMBER_CONTEXT)
export const sealPhone = (plain: string) => sealValue(getDataKeyring(), plain, PHONE_CONTEXT)
export const idNumberIndex = (plain: string) => blindIndex(getDataKeyring(), 'id_card', plain)
/** Every blind index the ID number may be stored under (the keyring's keys, during a rotation). */
export const idNumberIndexCandidates = (plain: string) => blindIndexCandidates(getDataKeyring(), 'id_card', plain)
const openOrPlain = (value: string, context: string) =>
  isSealedValue(value) ? openValue(getDataKeyring(), value, context) : value
export const openIdNumber = (stored: string | null) => (stored === null ? null : openOrPlain(stored, ID_NUMBER_CONTEXT))
export const openPhone = (stored: string) => openOrPlain(stored, PHONE_CONTEXT)
