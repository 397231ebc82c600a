import { createHash } from 'node:crypto'
import type { Db } from '#db/client.ts'
import { listPricesInForce } from '#billing/price-books/list-prices-in-force.ts'
import { CHARGE_UNIT_LABELS } from '#billing/invoices/labels.ts'
import { Decimal } from '#billing/money/decimal.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { AUDIT_HASH_ALGORITHM } from '#platform/audit/audit-hash.ts'

/** The acceptance hash uses the audit chain's algorithm (SM3, ADR 0001), so one algorithm vouches for every record. */
export const AGREEMENT_HASH_ALGORITHM = AUDIT_HASH_ALGORITHM

export function hashAgreementText(text: string): string {
  return createHash(AGREEMENT_HASH_ALGORITHM).update(text, 'utf8').digest('hex')
}

export interface AgreementTextSource {
  kind: 'cooperation' | 'platform_service'
  version: number
  titleZh: string
  titleEn: string
  bodyZh: string
  bodyEn: string
  effectiveAt: number
}

export const KIND_LABELS = {
  cooperation: { zh: '合作协议', en: 'Cooperation agreement' },
  platform_service: { zh: '平台服务协议', en: 'Platform service agreement' },
} as const

// Art. 13 duties, stated in every version whatever its body says: the generated part cannot be drafted away.
const DATA_SECURITY_DUTIES = [
  '一、不得导出、留存或转售原始数据；平台只提供经审核的数据产品与服务（原始数据不出域）。',
  '   No export, retention or resale of raw data: only reviewed data products and services are provided.',
  '二、不得以任何方式对脱敏、匿名化数据进行重新识别。',
  '   No re-identification of masked or anonymised data by any means.',
  '三、保存调用与使用日志，配合数据主管部门检查。',
  '   Keep logs of calls and use, and make them available to the data bureau.',
  '四、发生或可能发生数据安全事件时，立即采取处置措施并向运营单位和数据主管部门报告。',
  '   Report any actual or suspected data-security incident to the operator and the data bureau at once.',
]

/** Fen per unit (a decimal string, may be below one fen) → ¥ with at least 2 decimals. */
function yuanText(fenPerUnit: string): string {
  const yuan = new Decimal(fenPerUnit).div(100)
  return `¥${yuan.toFixed(Math.max(2, yuan.decimalPlaces()))}`
}

/**
 * The text carries no clock reading: rendered twice under the same prices it is the same bytes, so the hash a page
 * showed can be checked again at acceptance (a price decided in between changes it, and the partner is shown the new one).
 *
 * The exact text a partner is shown and accepts: the version's body (zh, then en), then a generated section stating the
 * pricing terms — the fee disclosure (/fees) and every published product's approved price in force at `at` from the
 * price books — and the data-security duties (Art. 13). Its hash is what the acceptance records.
 */
export async function renderAgreementText(db: Db, version: AgreementTextSource, at: number): Promise<string> {
  const prices = await listPricesInForce(db, { at, publishedOnly: true })
  const lines: string[] = [
    `${version.titleZh}（${KIND_LABELS[version.kind].zh} 第 ${version.version} 版）`,
    `${version.titleEn} (${KIND_LABELS[version.kind].en}, version ${version.version})`,
    `生效日期 Effective: ${formatDay(version.effectiveAt)}（Asia/Shanghai）`,
    '',
    version.bodyZh.trim(),
    '',
    version.bodyEn.trim(),
    '',
    '附：价格条款 Pricing terms',
    '收费标准以平台收费公示（/fees）为准；下列为接受时有效的、经数据主管部门批准的价格。',
    'The fee disclosure (/fees) governs; the approved prices in force at acceptance are:',
  ]
  let priced = 0
  for (const p of prices) {
    for (const c of p.charges) {
      if (!c.price || !c.maxUnitPrice) continue
      priced++
      const unit = CHARGE_UNIT_LABELS[c.chargeUnit]
      const ceiling = c.ceiling ? `，上限 ceiling ${yuanText(c.ceiling.maxUnitPrice)}` : ''
      const book = p.priceBook ? `，价目表 price book v${p.priceBook.version}${p.priceBook.isTrial ? '（试行 trial）' : ''}` : ''
      lines.push(
        `- ${p.productCode} ${p.nameZh} / ${p.nameEn}：${unit.zh} ${unit.en}，${c.price.model}，最高单价 max unit price ${yuanText(c.maxUnitPrice)}${ceiling}${book}`,
      )
    }
  }
  if (priced === 0) lines.push('- （暂无在用价格 No approved price in force）')
  lines.push('', '附：数据安全义务 Data-security duties (Art. 13)', ...DATA_SECURITY_DUTIES)
  return lines.join('\n')
}
