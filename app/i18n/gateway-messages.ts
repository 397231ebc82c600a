// UI strings of the gateway pages. Keys are prefixed 'gateway.'; every zh key needs its en twin.
const zh = {
  'gateway.placeholder': '',
} as const

const en: Record<keyof typeof zh, string> = {
  'gateway.placeholder': '',
}

export const gatewayMessages = { zh, en }
