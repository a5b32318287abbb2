/**
 * Who may not sit on a tender's committee (回避, 实施条例 Art 46), each with the reason recorded: the
 * expert works for a bidder (same employer credit code), declared a relation with a bidder, belongs to
 * the tenderee's own organisation, is suspended (by an assessment) or retired, or has served this
 * tenderee more than the tender allows in the period it names. Pure: the committee formation stores its
 * result beside the draw, so the pool snapshot that was drawn from can be recomputed.
 */
import type { ExclusionReason, ExpertEntry } from '@bidhall/shared';

export interface ExclusionRules {
  /** Unified social credit codes of every bidder of the tender. */
  readonly bidderCreditCodes: readonly string[];
  readonly tendereeCreditCode: string;
  /** More than this many services for the tenderee within the period excludes (e.g. 3 in 12 months). */
  readonly maxServicesForTenderee: number;
  /** How many times each expert (by pool number) served this tenderee within the period. */
  readonly servicesForTenderee: ReadonlyMap<string, number>;
  readonly at: Date;
}

export interface Exclusion {
  readonly code: string;
  readonly reasons: readonly ExclusionReason[];
}

export function exclusionsOf(
  pool: readonly ExpertEntry[],
  rules: ExclusionRules,
): { readonly eligible: readonly ExpertEntry[]; readonly excluded: readonly Exclusion[] } {
  const bidders = new Set(rules.bidderCreditCodes);
  const eligible: ExpertEntry[] = [];
  const excluded: Exclusion[] = [];
  for (const expert of pool) {
    const reasons: ExclusionReason[] = [];
    if (bidders.has(expert.employerCreditCode)) reasons.push('sameEmployerAsBidder');
    if (expert.relations.some((code) => bidders.has(code))) reasons.push('relationWithBidder');
    if (expert.employerCreditCode === rules.tendereeCreditCode) reasons.push('tendereeOrganisation');
    // A suspension with an end date lapses after that day (China time, as the pool records it).
    const suspendedUntil = expert.suspendedUntil ? new Date(`${expert.suspendedUntil}T23:59:59+08:00`) : null;
    if (expert.status === 'suspended' && (!suspendedUntil || suspendedUntil >= rules.at))
      reasons.push('suspended');
    if (expert.status === 'retired') reasons.push('retired');
    if ((rules.servicesForTenderee.get(expert.code) ?? 0) > rules.maxServicesForTenderee)
      reasons.push('servedTendereeTooOften');
    if (reasons.length) excluded.push({ code: expert.code, reasons });
    else eligible.push(expert);
  }
  return { eligible, excluded };
}
