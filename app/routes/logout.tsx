import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { signOut } from '#app/domain.server.ts'
import { getOptionalUser, getSessionToken, sessionCookie } from '#app/session.server.ts'

export async function action({ request, context }: ActionFunctionArgs) {
  const token = await getSessionToken(request, context)
  const user = await getOptionalUser(request, context)
  if (token && user) {
    await signOut(context.platform.db, {
      token,
      actor: { id: user.id, label: user.username, role: user.role },
      requestId: context.platform.requestId,
    })
  }
  return redirect('/login', { headers: { 'set-cookie': await sessionCookie(context).serialize('', { maxAge: 0 }) } })
}

export const loader = () => redirect('/')
