import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { LANGS } from '#app/i18n/messages.ts'
import { getOptionalUser, langCookie, ROLE_HOME } from '#app/session.server.ts'
import { safeRedirect } from '#app/lib/safe-redirect.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context)
  const lang = String(form.get('lang'))
  if (!(LANGS as readonly string[]).includes(lang)) return new Response('Unknown language', { status: 400 })
  // Back to the page the switch was pressed on; a target that is not a path of ours leads home instead.
  const user = await getOptionalUser(request, context)
  const home = user ? ROLE_HOME[user.role] : '/'
  return redirect(safeRedirect(form.get('redirectTo'), home), {
    headers: { 'set-cookie': await langCookie.serialize(lang) },
  })
}

export const loader = () => redirect('/')
