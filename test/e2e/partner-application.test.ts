import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { makeUscc } from '#platform/codes/uscc.ts'
import { launchBrowser, signIn, waitForHydration } from '#test/support/browser.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'

// Issue 12 in the browser (ADR 0030): a visitor finds "become a partner" in the catalog, applies and uploads a
// document; the operator reviews and approves; the invited administrator sets a password and lands signed in.
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')
const PASSWORD = 'Qx7#lantern-Ridge'
const NAME = '沈阳浏览器测试科技有限公司'
const USCC = makeUscc({ registrationAuthority: '9', orgType: '1', divisionCode: '210104', orgCodeBody8: 'MA0E0001' })

describe('a visitor applies, the operator approves, the invited administrator signs in', () => {
  let browser: Browser
  let platform: PlatformHarness
  const contexts: BrowserContext[] = []
  let applicant: Page
  let statusUrl = ''
  let number = ''

  beforeAll(async () => {
    ;[browser, platform] = await Promise.all([launchBrowser(), startPlatform()])
  })
  afterAll(async () => {
    for (const c of contexts) await c.close()
    await browser?.close()
    await platform?.stop()
  })
  const at = (path: string) => new URL(path, platform.url).href
  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
    contexts.push(context)
    return context.newPage()
  }

  it('the visitor goes from the catalog to the form, applies and uploads a document', async () => {
    applicant = await newPage()
    await applicant.goto(at('/catalog'))
    await waitForHydration(applicant)
    await applicant.getByTestId('become-partner-link').click()
    await applicant.waitForURL((u) => u.pathname === '/apply')
    await waitForHydration(applicant)
    // A wrong check digit first: the field says so, nothing is stored.
    await applicant.getByTestId('apply-name').fill(NAME)
    await applicant.getByTestId('apply-uscc').fill(USCC.slice(0, 17) + (USCC.endsWith('0') ? '1' : '0'))
    await applicant.getByTestId('apply-contact-name').fill('王芳')
    await applicant.getByTestId('apply-contact-phone').fill('13800001111')
    await applicant.getByTestId('apply-contact-email').fill('wang@example.cn')
    await applicant.getByTestId('apply-scenarios').fill('小微企业贷前核验')
    await applicant.getByTestId('apply-submit').click()
    await applicant.getByTestId('apply-uscc-error').waitFor()
    await applicant.getByTestId('apply-uscc').fill(USCC)
    await applicant.getByTestId('apply-submit').click()
    await applicant.waitForURL((u) => u.pathname.startsWith('/apply/status/'))
    statusUrl = applicant.url().split('?')[0]!
    await applicant.getByTestId('apply-submitted').waitFor()
    number = (await applicant.getByTestId('apply-number').textContent())!.trim()
    expect(number).toMatch(/^SQ-\d{4}-\d{6}$/)
    expect(await applicant.getByTestId('apply-state').getAttribute('data-state')).toBe('submitted')
    await waitForHydration(applicant)
    await applicant.getByTestId('document-file').setInputFiles({ name: '营业执照.pdf', mimeType: 'application/pdf', buffer: PDF })
    await applicant.getByTestId('document-submit').click()
    await applicant.getByTestId('document-done').waitFor()
    await applicant.getByTestId('apply-documents').getByText('营业执照.pdf').waitFor()
  })

  let inviteUrl = ''
  it('the operator finds it in the queue, sees the document and approves it', async () => {
    const operator = await newPage()
    await signIn(operator, platform.url, 'operator')
    await operator.goto(at('/operator/applications'))
    await operator.getByTestId(`application-${number}`).getByRole('link').click()
    await operator.waitForURL((u) => u.pathname === `/operator/applications/${number}`)
    await waitForHydration(operator)
    await operator.getByTestId('application-documents').getByText('营业执照.pdf').waitFor()
    expect(await operator.getByTestId('application-subject').textContent()).toBe(USCC)
    await operator.getByTestId('application-start').click()
    await operator.getByTestId('application-state').getByText('审核中').waitFor()
    operator.once('dialog', (dialog) => void dialog.accept())
    await operator.getByTestId('application-approve').click()
    await operator.getByTestId('approved').waitFor()
    inviteUrl = (await operator.getByTestId('invite-url').textContent())!.trim()
    expect(inviteUrl).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/)
  })

  it('the applicant sees the approval and, through the status page, sets the password and lands signed in', async () => {
    await applicant.goto(statusUrl)
    expect(await applicant.getByTestId('apply-state').getAttribute('data-state')).toBe('approved')
    await applicant.getByTestId('apply-invite-link').click()
    await applicant.waitForURL((u) => u.pathname.startsWith('/invite/'))
    await waitForHydration(applicant)
    await applicant.getByTestId('invite-password').fill(PASSWORD)
    await applicant.getByTestId('invite-confirm').fill(PASSWORD)
    await applicant.getByTestId('invite-submit').click()
    await applicant.waitForURL((u) => u.pathname === '/partner')
    expect(await applicant.content()).toContain(NAME)
    // The operator's link is spent too: a second browser is told so.
    const late = await newPage()
    await late.goto(inviteUrl)
    expect(await late.getByTestId('invite-refused').getAttribute('data-state')).toBe('used')
  })
})
