import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { signOut } from '#app/domain.server.ts'
import { getOptionalUser, getSessionToken, sessionCookie } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { userActor } from '#platform/identity/permissions.ts'

export async function action({ request, context }: ActionFunctionArgs) {
  // Signing someone out from another site is a nuisance worth refusing too: the form carries the token.
  await readForm(request, context)
  const token = await getSessionToken(request, context)
  const user = await getOptionalUser(request, context)
  if (token && user) {
    await signOut(context.platform.db, {
      token,
      actor: userActor(user),
      requestId: context.platform.requestId,
    })
  }
  return redirect('/login', { headers: { 'set-cookie': await sessionCookie(context).serialize('', { maxAge: 0 }) } })
}

export const loader = () => redirect('/')
