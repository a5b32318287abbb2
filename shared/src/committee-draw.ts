/**
 * The committee draw (专家抽取) as one formula anyone can recompute from the published inputs: the pool
 * snapshot after exclusions (回避), the specialty quotas, and a seed no single party controls (the
 * platform's and the supervisor's, each committed before either is revealed). Used by the server that
 * draws, and by pages and auditors that check it. SHA-256 is passed in (node:crypto on the server, the
 * page's own in a browser), as text in, lowercase hex out.
 *
 *   snapshot = the eligible candidates sorted by code, one line each: code "|" specialties joined by ";"
 *   seed     = platformSeed ":" supervisorSeed
 *   ticket   = SHA-256( seed ":" SHA-256(snapshot) ":" code )      for each candidate
 *   order    = candidates by ticket (hex, ascending), then by code
 *   members  = for each quota in the order given, the first candidates in `order` with its specialty
 *              not chosen yet, up to its seats
 *   reserves = the next candidates in `order` who fit any quota, up to the number asked; a member who
 *              withdraws is replaced by the first reserve with the member's quota specialty
 */

export const committeeDrawFormat = 'bidhall-committee-draw/1';

export interface DrawCandidate {
  readonly code: string;
  readonly specialties: readonly string[];
}

export interface SpecialtyQuota {
  readonly specialty: string;
  readonly seats: number;
}

export interface DrawnSeat {
  readonly code: string;
  /** The quota the candidate was drawn for (reserves: the first quota they fit). */
  readonly specialty: string;
}

export type CommitteeDraw =
  | { readonly ok: true; readonly members: readonly DrawnSeat[]; readonly reserves: readonly DrawnSeat[] }
  /** Too few eligible candidates of a specialty: nobody is drawn. */
  | { readonly ok: false; readonly short: { readonly specialty: string; readonly missing: number } };

type Sha256Hex = (text: string) => string;

/** The pool snapshot's canonical text (what its published hash is of). */
export function poolSnapshotText(candidates: readonly DrawCandidate[]): string {
  return [...candidates]
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    .map((c) => `${c.code}|${[...c.specialties].sort().join(';')}`)
    .join('\n');
}

export function committeeSeed(platformSeed: string, supervisorSeed: string): string {
  return `${platformSeed}:${supervisorSeed}`;
}

/** Draws the members and reserves from `candidates` (already without the excluded ones). */
export function drawCommittee(
  input: {
    readonly candidates: readonly DrawCandidate[];
    readonly quotas: readonly SpecialtyQuota[];
    readonly reserves: number;
    readonly seed: string;
  },
  sha256Hex: Sha256Hex,
): CommitteeDraw {
  const snapshotHash = sha256Hex(poolSnapshotText(input.candidates));
  const order = input.candidates
    .map((candidate) => ({ candidate, ticket: sha256Hex(`${input.seed}:${snapshotHash}:${candidate.code}`) }))
    .sort((a, b) =>
      a.ticket < b.ticket ? -1 : a.ticket > b.ticket ? 1 : a.candidate.code < b.candidate.code ? -1 : 1,
    )
    .map((entry) => entry.candidate);
  const chosen = new Set<string>();
  const members: DrawnSeat[] = [];
  for (const quota of input.quotas) {
    const drawn = order
      .filter((c) => !chosen.has(c.code) && c.specialties.includes(quota.specialty))
      .slice(0, quota.seats);
    if (drawn.length < quota.seats)
      return { ok: false, short: { specialty: quota.specialty, missing: quota.seats - drawn.length } };
    for (const c of drawn) {
      chosen.add(c.code);
      members.push({ code: c.code, specialty: quota.specialty });
    }
  }
  const reserves: DrawnSeat[] = [];
  for (const c of order) {
    if (reserves.length >= input.reserves) break;
    if (chosen.has(c.code)) continue;
    const quota = input.quotas.find((q) => c.specialties.includes(q.specialty));
    if (!quota) continue;
    chosen.add(c.code);
    reserves.push({ code: c.code, specialty: quota.specialty });
  }
  return { ok: true, members, reserves };
}
