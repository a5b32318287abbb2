import {
  type CommitteeDrawView,
  type CommitteeMemberView,
  type CommitteeView,
  committeeDrawFormat,
  type ElectionRoundView,
} from '@bidhall/shared';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import {
  type Committee,
  type CommitteeMember,
  committeeEvents,
  committees,
  experts,
  leaderVotes,
  seats,
} from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { findTender, requireTenderAccess } from '../tenders/tender-service.ts';
import {
  bidderNames,
  type CommitteeActor,
  findCommittee,
  membersOf,
  requireTendereeOf,
  seatLabel,
} from './committee-members.ts';
import { notNowDetail } from './state-machine.ts';

/** The committee as `reader` may see it (names sealed but for the member itself and supervisors). */
export async function committeeView(
  db: Executor,
  committeeId: string,
  reader: CommitteeActor,
): Promise<CommitteeView> {
  const row = await findCommittee(db, committeeId);
  const members = await membersOf(db, row.id);
  await requireReader(db, row, members, reader);
  const tender = await findTender(db, row.tenderId);
  const supervisor = reader.role === 'supervisor';
  const seatRows = await db
    .select()
    .from(seats)
    .where(
      inArray(
        seats.id,
        row.spec.venues.flatMap((v) => v.seatIds),
      ),
    );
  const seatById = new Map(seatRows.map((s) => [s.id, s]));
  const codes = new Map(
    (
      await db
        .select({ id: experts.id, code: experts.code })
        .from(experts)
        .where(
          inArray(
            experts.id,
            members.flatMap((m) => (m.expertId ? [m.expertId] : [])),
          ),
        )
    ).map((e) => [e.id, e.code]),
  );
  const you = members.find((m) => m.identity === reader.identity && reader.role === 'expert') ?? null;
  const seated = (m: CommitteeMember) => m.state === 'signed-in' || m.state === 'declared';
  const youSit = you !== null && seated(you);
  const memberView = (m: CommitteeMember): CommitteeMemberView => {
    const seat = m.seatId ? seatById.get(m.seatId) : undefined;
    // Members who sit together (signed in) know each other, as they do in the video room; the rest
    // of the committee stays sealed to them (reserves, the absent, the withdrawn).
    const unsealed = supervisor || m.id === you?.id || (youSit && seated(m));
    return {
      id: m.id,
      kind: m.kind,
      state: m.state,
      drawOrder: m.drawOrder,
      specialty: m.specialty,
      commitment: m.commitment,
      venue: seat?.city ?? null,
      seat: seat ? seatLabel(seat) : null,
      replaces: m.replaces,
      signInBy: m.signInBy?.toISOString() ?? null,
      signedInAt: m.signedInAt?.toISOString() ?? null,
      declaredAt: m.declaredAt?.toISOString() ?? null,
      leader: row.leaderId === m.id,
      ...(unsealed ? { name: m.name, code: m.expertId ? (codes.get(m.expertId) ?? null) : null } : {}),
      ...(supervisor ? { signedInAddress: m.signedInAddress, conflict: m.conflictStatement } : {}),
      ...(!supervisor && unsealed ? { conflict: m.conflictStatement } : {}),
    };
  };
  return {
    id: row.id,
    tenderId: row.tenderId,
    tenderCode: tender.code,
    title: tender.title,
    status: row.status,
    size: row.spec.size,
    representatives: row.spec.representatives,
    quotas: row.spec.quotas,
    venues: row.spec.venues.map((v, i) => ({
      city: v.city,
      // The centre the venue's seats are in, as people name the place (the city itself is a code).
      centre: seatById.get(v.seatIds[0]!)?.centre ?? v.city,
      main: i === 0,
      seats: v.seatIds.length,
    })),
    reserves: row.spec.reserves,
    leaderMode: row.spec.leader,
    signInOpensAt: row.signInOpensAt.toISOString(),
    signInClosesAt: row.signInClosesAt.toISOString(),
    platformSeedCommitment: row.platformSeedCommitment,
    drawnAt: row.drawnAt?.toISOString() ?? null,
    snapshotSha256: row.snapshotSha256,
    excluded: row.exclusions?.length ?? null,
    members: members.map(memberView),
    election: await electionOf(db, row, members),
    you: you?.id ?? null,
    fault:
      row.status === 'suspended'
        ? {
            from: row.suspendedFrom!,
            since: row.faultSince!.toISOString(),
            reason: row.faultReason ?? '',
            limitAt: row.faultLimitAt!.toISOString(),
          }
        : null,
    evaluationId: row.evaluationId,
    bidders:
      you && !['signed-in', 'declared'].includes(you.state) ? null : await bidderNames(db, row.tenderId),
  };
}

/** Committees the reader may see: a member's own, the tenderee's, a host's agency's, all for supervisors. */
export async function committeeList(db: Executor, reader: CommitteeActor): Promise<CommitteeView[]> {
  const rows = await db.select().from(committees).orderBy(asc(committees.createdAt));
  const views: CommitteeView[] = [];
  for (const row of rows) {
    const view = await committeeView(db, row.id, reader).catch((error: unknown) => {
      if (error instanceof AppError && ['COMMITTEE_NOT_MEMBER', 'FORBIDDEN_TENDER'].includes(error.code))
        return null;
      throw error;
    });
    if (view) views.push(view);
  }
  return views;
}

/** The draw's published inputs and outcome (supervisors: anyone checks it with them). */
export async function committeeDrawInputs(db: Executor, committeeId: string): Promise<CommitteeDrawView> {
  const row = await findCommittee(db, committeeId);
  if (!row.drawn) throw new AppError('COMMITTEE_WRONG_STATE', notNowDetail(row.status));
  return drawView(row);
}

async function requireReader(
  db: Executor,
  row: Committee,
  members: readonly CommitteeMember[],
  reader: CommitteeActor,
): Promise<void> {
  switch (reader.role) {
    case 'supervisor':
      return;
    case 'host':
      requireTenderAccess(reader, await findTender(db, row.tenderId));
      return;
    case 'tenderee':
      requireTendereeOf(row, reader);
      return;
    case 'expert':
      if (members.some((m) => m.identity === reader.identity)) return;
      throw new AppError('COMMITTEE_NOT_MEMBER');
    default:
      throw new AppError('COMMITTEE_NOT_MEMBER');
  }
}

/** The rounds so far: counts of closed rounds only; the running round says how many have voted. */
async function electionOf(
  db: Executor,
  row: Committee,
  members: readonly CommitteeMember[],
): Promise<ElectionRoundView[]> {
  if (row.electionRound === 0) return [];
  const ballots = await db
    .select({ round: leaderVotes.round, candidateId: leaderVotes.candidateId })
    .from(leaderVotes)
    .where(and(eq(leaderVotes.committeeId, row.id), eq(leaderVotes.counts, true)));
  const events = await db
    .select({ data: committeeEvents.data })
    .from(committeeEvents)
    .where(and(eq(committeeEvents.committeeId, row.id), eq(committeeEvents.type, 'round')))
    .orderBy(asc(committeeEvents.seq));
  const closed = events.map(
    (e) => e.data as { round: number; counts: { memberId: string; votes: number }[] },
  );
  const voters = members.filter((m) => m.state === 'declared').length;
  const rounds: ElectionRoundView[] = closed.map((c) => ({
    round: c.round,
    candidates: c.counts.map((x) => x.memberId),
    voted: c.counts.reduce((sum, x) => sum + x.votes, 0),
    voters,
    counts: c.counts,
  }));
  if (row.status === 'electing' && !closed.some((c) => c.round === row.electionRound))
    rounds.push({
      round: row.electionRound,
      candidates: row.electionCandidates ?? [],
      voted: ballots.filter((b) => b.round === row.electionRound).length,
      voters,
      counts: null,
    });
  return rounds;
}

export function drawView(
  row: Pick<
    Committee,
    | 'platformSeedCommitment'
    | 'platformSeed'
    | 'supervisorSeed'
    | 'snapshot'
    | 'snapshotSha256'
    | 'exclusions'
    | 'drawn'
    | 'spec'
  >,
): CommitteeDrawView {
  return {
    format: committeeDrawFormat,
    platformSeedCommitment: row.platformSeedCommitment,
    platformSeed: row.platformSeed!,
    supervisorSeed: row.supervisorSeed!,
    snapshot: row.snapshot!,
    snapshotSha256: row.snapshotSha256!,
    quotas: row.spec.quotas,
    reserves: row.spec.reserves,
    exclusions: row.exclusions ?? [],
    members: row.drawn?.members ?? [],
    reservesDrawn: row.drawn?.reserves ?? [],
  };
}
