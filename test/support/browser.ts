import { chromium, type Browser, type Page } from 'playwright-core'
import { demoPassword } from './demo-credentials.ts'

/** The Debian chromium package: never a downloaded browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  })
}

/** A request's route path: Remix single fetch posts to `/login.data` for `/login`. */
export function routePath(url: string): string {
  return new URL(url).pathname.replace(/\.data$/, '').replace(/^\/_root$/, '/')
}

/** Resolves once the Remix client router exists, so forms submit through it. */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForFunction(() => Boolean((window as unknown as { __remixRouter?: unknown }).__remixRouter))
}

/**
 * Signs in through the login form like a person would. Resolves when the
 * browser has left /login (signed in) or the form shows an error; the caller
 * asserts which. `path` is the login URL to open (default /login).
 */
export async function signIn(
  page: Page,
  baseUrl: string,
  username: string,
  password: string = demoPassword(username),
  path = '/login',
): Promise<void> {
  await page.goto(new URL(path, baseUrl).href)
  await waitForHydration(page)
  const form = page.locator('main form')
  await form.locator('input[name=username]').fill(username)
  await form.locator('input[name=password]').fill(password)
  // Both waits start before the click: on a loaded machine the answer can arrive before `click()` returns, and a
  // wait started after it would miss the answer and time out.
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && routePath(r.url()) === '/login')
  const left = page.waitForURL((url) => url.pathname !== '/login')
  left.catch(() => undefined) // not awaited when the sign-in is refused
  await form.locator('button[type=submit]').click()
  if ((await answered).status() >= 400) await page.getByTestId('login-error').waitFor()
  else await left
}
