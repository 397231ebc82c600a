// UI strings of the page shell (issue 16, ADR 0041): the navigation's groups, the menu button, the skip link.
// Keys are prefixed 'shell.'.
const zh = {
  'shell.skip': '跳到主要内容',
  'shell.menu': '菜单',
  'shell.nav': '主导航',
  'shell.account': '账户',
  'shell.group.reviews': '审核',
  'shell.group.supervision': '监管',
  'shell.group.market': '市场',
  'shell.group.logs': '日志',
  'shell.group.security': '安全',
  'shell.group.data': '数据',
  'shell.group.partners': '合作方',
  'shell.group.billing': '计费',
  'shell.group.services': '服务',
  'shell.group.partnership': '合作',
  'shell.group.api': 'API',
  'shell.group.work': '事项',
  'shell.group.docs': '文档',
  'shell.group.usage': '用量',
  'shell.unread': ' 条未读',
} as const

const en: Record<keyof typeof zh, string> = {
  'shell.skip': 'Skip to main content',
  'shell.menu': 'Menu',
  'shell.nav': 'Main navigation',
  'shell.account': 'Account',
  'shell.group.reviews': 'Reviews',
  'shell.group.supervision': 'Supervision',
  'shell.group.market': 'Market',
  'shell.group.logs': 'Logs',
  'shell.group.security': 'Security',
  'shell.group.data': 'Data',
  'shell.group.partners': 'Partners',
  'shell.group.billing': 'Billing',
  'shell.group.services': 'Services',
  'shell.group.partnership': 'Partnership',
  'shell.group.api': 'API',
  'shell.group.work': 'Work',
  'shell.group.docs': 'Docs',
  'shell.group.usage': 'Usage',
  'shell.unread': ' unread',
}

export const uiShellMessages = { zh, en }
