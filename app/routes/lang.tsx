import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { LANGS } from '#app/i18n/messages.ts'
import { langCookie } from '#app/session.server.ts'
import { safeRedirect } from '#app/lib/safe-redirect.ts'

export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData()
  const lang = String(form.get('lang'))
  if (!(LANGS as readonly string[]).includes(lang)) return new Response('Unknown language', { status: 400 })
  return redirect(safeRedirect(form.get('redirectTo')), { headers: { 'set-cookie': await langCookie.serialize(lang) } })
}

export const loader = () => redirect('/')
