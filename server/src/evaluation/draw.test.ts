/**
 * The committee draw from its published inputs: the exclusions (回避) with their reasons, then the
 * draw, recomputed here by an independent implementation of the formula in shared/src/committee-draw.ts
 * (written from its description, not calling it), over a pool of 40.
 */
import { createHash } from 'node:crypto';
import { committeeSeed, drawCommittee, type ExpertEntry, poolSnapshotText } from '@bidhall/shared';
import { describe, expect, it } from 'vitest';
import { exclusionsOf } from './exclusions.ts';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const creditCode = (n: number) => `91110000${String(n).padStart(9, '0')}X`;

const pool: ExpertEntry[] = Array.from({ length: 40 }, (_, i) => ({
  code: `E${String(i + 1).padStart(4, '0')}`,
  name: `专家${i + 1}`,
  identity: `1101051980010${String(10000 + i)}`,
  specialties: i % 3 === 0 ? ['A080101', 'B020301'] : i % 3 === 1 ? ['A080101'] : ['B020301'],
  region: i < 20 ? '北京市' : '上海市',
  employerName: `单位${i}`,
  employerCreditCode: creditCode(i),
  relations: i === 7 ? [creditCode(900)] : [],
  status: i === 11 ? 'suspended' : i === 12 ? 'retired' : 'active',
  suspendedUntil: null,
}));

/** The formula again, from its description: tickets, order, quotas in turn, then reserves. */
function recompute(
  candidates: readonly ExpertEntry[],
  quotas: readonly { specialty: string; seats: number }[],
  reserves: number,
  seed: string,
) {
  const lines = candidates
    .map((c) => `${c.code}|${[...c.specialties].sort().join(';')}`)
    .sort((a, b) => (a.split('|')[0]! < b.split('|')[0]! ? -1 : 1));
  const snapshot = sha256(lines.join('\n'));
  const tickets = new Map(candidates.map((c) => [c.code, sha256(`${seed}:${snapshot}:${c.code}`)]));
  const ordered = [...candidates].sort((a, b) => {
    const [ta, tb] = [tickets.get(a.code)!, tickets.get(b.code)!];
    return ta === tb ? (a.code < b.code ? -1 : 1) : ta < tb ? -1 : 1;
  });
  const taken = new Set<string>();
  const members: { code: string; specialty: string }[] = [];
  for (const q of quotas) {
    let left = q.seats;
    for (const c of ordered) {
      if (left === 0) break;
      if (taken.has(c.code) || !c.specialties.includes(q.specialty)) continue;
      taken.add(c.code);
      members.push({ code: c.code, specialty: q.specialty });
      left--;
    }
  }
  const spare = ordered
    .filter((c) => !taken.has(c.code))
    .map((c) => ({
      code: c.code,
      specialty: quotas.find((q) => c.specialties.includes(q.specialty))?.specialty,
    }))
    .filter((r): r is { code: string; specialty: string } => r.specialty !== undefined)
    .slice(0, reserves);
  return { members, reserves: spare };
}

describe('the committee draw', () => {
  const rules = {
    bidderCreditCodes: [creditCode(3), creditCode(900)],
    tendereeCreditCode: creditCode(20),
    maxServicesForTenderee: 3,
    servicesForTenderee: new Map([['E0031', 4]]),
    at: new Date('2026-12-03T00:00:00Z'),
  };

  it('excludes experts with a reason each: a bidder’s employee, a declared relation, the tenderee’s own, suspended, retired, too many services', () => {
    const { eligible, excluded } = exclusionsOf(pool, rules);
    expect(excluded).toEqual([
      { code: 'E0004', reasons: ['sameEmployerAsBidder'] },
      { code: 'E0008', reasons: ['relationWithBidder'] },
      { code: 'E0012', reasons: ['suspended'] },
      { code: 'E0013', reasons: ['retired'] },
      { code: 'E0021', reasons: ['tendereeOrganisation'] },
      { code: 'E0031', reasons: ['servedTendereeTooOften'] },
    ]);
    expect(eligible).toHaveLength(34);
    // A suspension that ended before the tender counts no more.
    const lapsed = exclusionsOf([{ ...pool[11]!, suspendedUntil: '2026-06-30' }], rules);
    expect(lapsed.excluded).toEqual([]);
  });

  it('draws by quota and reserves from published inputs, the same as an independent recomputation', () => {
    const { eligible } = exclusionsOf(pool, rules);
    const quotas = [
      { specialty: 'A080101', seats: 3 },
      { specialty: 'B020301', seats: 2 },
    ];
    const seed = committeeSeed('platform-seed-2f9c', 'supervisor-seed-81aa');
    const draw = drawCommittee({ candidates: eligible, quotas, reserves: 3, seed }, sha256);
    expect(draw.ok).toBe(true);
    if (!draw.ok) return;
    expect(draw).toMatchObject(recompute(eligible, quotas, 3, seed));
    expect(draw.members).toHaveLength(5);
    expect(new Set([...draw.members, ...draw.reserves].map((m) => m.code)).size).toBe(8);
    // Everyone drawn fits the quota drawn for, and nobody excluded is drawn.
    for (const m of draw.members)
      expect(pool.find((e) => e.code === m.code)!.specialties).toContain(m.specialty);
    expect(draw.members.map((m) => m.code)).not.toContain('E0004');
    // The snapshot is what the hash covers: one candidate more, or another seed, draws otherwise.
    const other = drawCommittee({ candidates: eligible, quotas, reserves: 3, seed: `${seed}x` }, sha256);
    expect(other).not.toEqual(draw);
    expect(poolSnapshotText(eligible)).toBe(poolSnapshotText([...eligible].reverse()));
  });

  it('draws nobody when a specialty has too few eligible experts, and says how many are missing', () => {
    const draw = drawCommittee(
      {
        candidates: pool.slice(0, 4),
        quotas: [{ specialty: 'B020301', seats: 4 }],
        reserves: 0,
        seed: 's:t',
      },
      sha256,
    );
    expect(draw).toEqual({ ok: false, short: { specialty: 'B020301', missing: 1 } });
  });
});
