// A partner's standing under the agreements (Art. 2, 22; ADR 0031), pure: no I/O, no clock. Shared by the gateway's
// access rule (which loads the state through its 500 ms cache) and by partner-access (gating activation, the partner's
// pages, the CLI), so both answer alike at the same instant.

export const AGREEMENT_KIND_LIST = ['cooperation', 'platform_service'] as const
export type AgreementKindName = (typeof AGREEMENT_KIND_LIST)[number]

export interface ApprovedVersion {
  id: string
  kind: AgreementKindName
  version: number
  effectiveAt: number
  acceptBy: number | null
}

export interface KindStanding {
  kind: AgreementKindName
  /** The current version (approved, latest effective date ≤ at); null = no agreement of this kind in force yet. */
  current: ApprovedVersion | null
  isCurrentAccepted: boolean
  /** An earlier version accepted, and the current one's accept-by date not reached: still answering, acceptance pending. */
  isInGrace: boolean
  /** Calls and activation are refused for this kind. */
  isBlocking: boolean
}

export interface AgreementStanding {
  kinds: KindStanding[]
  /** Some kind blocks: the partner's subscriptions do not answer (`agreement_not_accepted`). */
  isBlocked: boolean
  /** Some current version awaits the partner's acceptance (blocking or in grace): shown on its pages. */
  isPending: boolean
}

/** The approved version of `kind` with the latest effective date ≤ at (the higher version number breaks a tie). */
export function currentVersionOf(
  versions: readonly ApprovedVersion[],
  kind: AgreementKindName,
  at: number,
): ApprovedVersion | null {
  let best: ApprovedVersion | null = null
  for (const v of versions) {
    if (v.kind !== kind || v.effectiveAt > at) continue
    if (!best || v.effectiveAt > best.effectiveAt || (v.effectiveAt === best.effectiveAt && v.version > best.version)) best = v
  }
  return best
}

/**
 * A kind with no version in force asks nothing (an install before its first agreement keeps working). A partner that
 * never accepted any version of a kind is blocked at once; one that accepted an earlier version keeps answering until
 * the current version's accept-by date (none: at once).
 */
export function decideAgreementStanding(
  versions: readonly ApprovedVersion[],
  acceptedVersionIds: ReadonlySet<string>,
  at: number,
): AgreementStanding {
  const kinds = AGREEMENT_KIND_LIST.map((kind): KindStanding => {
    const current = currentVersionOf(versions, kind, at)
    if (!current) return { kind, current, isCurrentAccepted: true, isInGrace: false, isBlocking: false }
    if (acceptedVersionIds.has(current.id)) return { kind, current, isCurrentAccepted: true, isInGrace: false, isBlocking: false }
    const hasEarlier = versions.some((v) => v.kind === kind && v.id !== current.id && acceptedVersionIds.has(v.id))
    const isInGrace = hasEarlier && current.acceptBy !== null && at < current.acceptBy
    return { kind, current, isCurrentAccepted: false, isInGrace, isBlocking: !isInGrace }
  })
  return {
    kinds,
    isBlocked: kinds.some((k) => k.isBlocking),
    isPending: kinds.some((k) => !k.isCurrentAccepted),
  }
}
