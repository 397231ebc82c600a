import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { invalidForm } from '#app/forms/action-reply.server.ts'
import { LANGS } from '#app/i18n/messages.ts'
import { getOptionalUser, langCookie, ROLE_HOME } from '#app/session.server.ts'
import { safeRedirect } from '#app/lib/safe-redirect.ts'
import { readForm } from '#app/lib/read-form.server.ts'

const schema = z.object({ lang: z.enum(LANGS) })

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context)
  const parsed = schema.safeParse({ lang: form.get('lang') ?? undefined })
  if (!parsed.success) return invalidForm(parsed.error)
  // Back to the page the switch was pressed on; a target that is not a path of ours leads home instead.
  const user = await getOptionalUser(request, context)
  const home = user ? ROLE_HOME[user.role] : '/'
  return redirect(safeRedirect(form.get('redirectTo'), home), {
    headers: { 'set-cookie': await langCookie.serialize(parsed.data.lang) },
  })
}

export const loader = () => redirect('/')
