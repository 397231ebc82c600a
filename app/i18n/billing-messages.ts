// UI strings of the billing pages. Keys are prefixed 'billing.'; every zh key needs its en twin.
const zh = {
  'billing.placeholder': '',
} as const

const en: Record<keyof typeof zh, string> = {
  'billing.placeholder': '',
}

export const billingMessages = { zh, en }
