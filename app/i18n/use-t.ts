import { useRouteLoaderData } from '@remix-run/react'
import { translate, type Lang, type MessageKey } from './messages.ts'

interface RootData {
  lang: Lang
}

export function useLang(): Lang {
  return useRouteLoaderData<RootData>('root')?.lang ?? 'zh'
}

/** `t('usage.title')` in the user's language. */
export function useT() {
  const lang = useLang()
  return (key: MessageKey, vars?: Record<string, string | number>) => translate(lang, key, vars)
}
