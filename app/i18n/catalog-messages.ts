// UI strings of the catalog pages. Keys are prefixed 'catalog.'; every zh key needs its en twin.
const zh = {
  'catalog.placeholder': '',
} as const

const en: Record<keyof typeof zh, string> = {
  'catalog.placeholder': '',
}

export const catalogMessages = { zh, en }
