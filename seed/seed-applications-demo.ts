import { eq } from 'drizzle-orm'
import { mkdir, writeFile } from 'node:fs/promises'
import { createHash, randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { Db } from '#db/client.ts'
import { partnerApplicationDocuments, partnerApplications } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { makeUscc } from '#platform/codes/uscc.ts'
import { applicationDocumentDirectoryOf, hashToken, newToken, sealPhone } from '#partner-access/applications/application-rules.ts'

const seedActor: Actor = { id: null, label: 'seed', role: 'system' }
export const DEMO_APPLICATION_NUMBER = 'SQ-2026-000001'
export const DEMO_DOCUMENT_ID = '5eed0000-0000-4000-8000-00000000a001'

/** A one-page PDF saying what it is: the demo application's business licence stand-in. */
export function demoQualificationPdf(title = 'Business licence (demo)'): Uint8Array {
  const text = `BT /F1 18 Tf 72 720 Td (${title.replace(/[()\\]/g, '')}) Tj ET`
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]
  let body = '%PDF-1.4\n'
  const offsets: number[] = []
  objects.forEach((o, i) => {
    offsets.push(body.length)
    body += `${i + 1} 0 obj\n${o}\nendobj\n`
  })
  const xref = body.length
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return new TextEncoder().encode(body)
}

/**
 * One pending application (issue 12's demo): a legal person with a generated USCC and a small PDF in the data
 * directory. Its status link is random and not kept (the demo reviews it as the operator). Idempotent.
 */
export async function seedApplicationsDemo(db: Db, opts: { directory?: string } = {}): Promise<void> {
  const [found] = await db
    .select({ id: partnerApplications.id })
    .from(partnerApplications)
    .where(eq(partnerApplications.number, DEMO_APPLICATION_NUMBER))
  if (found) return
  const directory = opts.directory ?? applicationDocumentDirectoryOf(process.env.DATABASE_URL ?? 'file:./data/platform.db')
  const id = randomUUID()
  // A fixed id: every demo install (and every test run's base) writes the same small file, not one more each time.
  const documentId = DEMO_DOCUMENT_ID
  const pdf = demoQualificationPdf()
  await mkdir(directory, { recursive: true, mode: 0o700 })
  await writeFile(join(directory, documentId), pdf, { mode: 0o600 })
  const uscc = makeUscc({ registrationAuthority: '9', orgType: '1', divisionCode: '210106', orgCodeBody8: 'MA0Q0001' })
  await recordAudit(
    db,
    {
      actor: seedActor,
      action: 'partner_application.submit',
      objectType: 'partner_application',
      objectId: id,
      detail: { number: DEMO_APPLICATION_NUMBER, kind: 'legal_person', uscc, demo: true },
    },
    [
      db.insert(partnerApplications).values({
        id,
        number: DEMO_APPLICATION_NUMBER,
        kind: 'legal_person',
        name: '沈阳北方数智服务有限公司',
        uscc,
        contactName: '刘洋',
        contactPhone: sealPhone('13900001234'),
        contactEmail: 'liuyang@beifang-demo.cn',
        scenarios: '小微企业贷前核验：核验企业登记状态与法定代表人。',
        purpose: 'industrial',
        statusTokenHash: hashToken(newToken()),
        address: '127.0.0.1',
      }),
      db.insert(partnerApplicationDocuments).values({
        id: documentId,
        applicationId: id,
        fileName: '营业执照.pdf',
        mediaType: 'application/pdf',
        bytes: pdf.byteLength,
        sha256: createHash('sha256').update(pdf).digest('hex'),
      }),
    ],
  )
}
