import type { LinksFunction, LoaderFunctionArgs } from '@remix-run/node'
import { useEffect, useState } from 'react'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// Swagger UI is served from its npm package (server/create-platform-server.ts mounts
// node_modules/swagger-ui-dist at /vendor/swagger-ui): no CDN.
const SWAGGER_BASE = '/vendor/swagger-ui'
const SPEC_URL = '/api/v1/openapi.json'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: `${SWAGGER_BASE}/swagger-ui.css` }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['partner_admin', 'partner_developer'])
  return null
}

type SwaggerBundle = ((config: Record<string, unknown>) => unknown) & { presets: { apis: unknown } }

function loadSwaggerBundle(): Promise<SwaggerBundle> {
  const w = window as unknown as { SwaggerUIBundle?: SwaggerBundle }
  if (w.SwaggerUIBundle) return Promise.resolve(w.SwaggerUIBundle)
  return new Promise((resolve, reject) => {
    const script = document.createElement('script')
    script.src = `${SWAGGER_BASE}/swagger-ui-bundle.js`
    script.async = true
    script.onload = () => (w.SwaggerUIBundle ? resolve(w.SwaggerUIBundle) : reject(new Error('Swagger UI did not load')))
    script.onerror = () => reject(new Error('Swagger UI did not load'))
    document.head.appendChild(script)
  })
}

export default function DeveloperDocs() {
  const t = useT()
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading')
  useEffect(() => {
    let cancelled = false
    loadSwaggerBundle().then(
      (SwaggerUIBundle) => {
        if (cancelled) return
        SwaggerUIBundle({
          url: SPEC_URL,
          dom_id: '#swagger-ui',
          deepLinking: true,
          presets: [SwaggerUIBundle.presets.apis],
          tryItOutEnabled: false,
          persistAuthorization: false,
        })
        setState('ready')
      },
      () => !cancelled && setState('failed'),
    )
    return () => {
      cancelled = true
    }
  }, [])
  return (
    <>
      <h1>{t('gateway.docs.title')}</h1>
      <p className="lead">{t('gateway.docs.intro')}</p>
      <p>
        <a href={SPEC_URL}>{t('gateway.docs.spec')}</a>
      </p>
      {state === 'loading' && <p className="muted">{t('gateway.docs.loading')}</p>}
      {state === 'failed' && (
        <p className="form-error" role="alert">
          {t('error.500')}
        </p>
      )}
      <div id="swagger-ui" className="swagger-host" data-testid="swagger-ui" data-state={state} />
    </>
  )
}
