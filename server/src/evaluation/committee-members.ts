/**
 * Who sits where on a committee, for its steps and its views: a committee and its places, the reader's own
 * place (bound by the certificate's ID number), the seat-network check every member's action passes, the
 * seat a member gets, and the seal (commitment) of a place.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import type { CommitteeSpec } from '../db/schema/index.ts';
import {
  actors,
  bids,
  type Committee,
  type CommitteeMember,
  committeeMembers,
  committees,
  type Seat,
  seats,
} from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { fromSeat } from '../networks.ts';
import type { Actor } from '../steps/step.ts';

/** Who acts, with the certificate identity (ID number) that binds a committee place. */
export interface CommitteeActor extends Actor {
  readonly identity?: string;
}

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Members whose place is running: drawn, called or named, and not ended. */
export const sitting = (m: CommitteeMember) => ['awaiting', 'signed-in', 'declared'].includes(m.state);

/** A place's seal: a fresh nonce and SHA-256(committee ":" who ":" nonce), who being a pool number or ID number. */
export function sealed(committeeId: string, who: string): { nonce: string; commitment: string } {
  const nonce = randomBytes(16).toString('hex');
  return { nonce, commitment: sha256(`${committeeId}:${who}:${nonce}`) };
}

/** The seats of the places still running. */
export const takenSeats = (members: readonly CommitteeMember[]) =>
  new Set(members.filter(sitting).flatMap((m) => (m.seatId ? [m.seatId] : [])));

export const seatLabel = (seat: Pick<Seat, 'centre' | 'room' | 'seat'>) =>
  `${seat.centre} ${seat.room} ${seat.seat}`;

/**
 * The seat for a member: a free seat in the venue of the member's region (the seat catalogue's city), else
 * in the main venue, else in any venue; venues and seats in the order the host gave them.
 */
export function seatFor(
  spec: Pick<CommitteeSpec, 'venues'>,
  region: string | null,
  taken: ReadonlySet<string>,
): string | null {
  const free = (venue: CommitteeSpec['venues'][number]) => venue.seatIds.find((id) => !taken.has(id));
  const local = spec.venues.find((v) => v.city === region && free(v));
  for (const venue of [...(local ? [local] : []), ...spec.venues]) {
    const seat = free(venue);
    if (seat) return seat;
  }
  return null;
}

export async function findCommittee(db: Executor, committeeId: string): Promise<Committee> {
  if (!/^[0-9a-f-]{36}$/i.test(committeeId)) throw new AppError('COMMITTEE_NOT_FOUND');
  const [row] = await db.select().from(committees).where(eq(committees.id, committeeId));
  if (!row) throw new AppError('COMMITTEE_NOT_FOUND');
  return row;
}

export function membersOf(db: Executor, committeeId: string): Promise<CommitteeMember[]> {
  return db
    .select()
    .from(committeeMembers)
    .where(eq(committeeMembers.committeeId, committeeId))
    .orderBy(asc(committeeMembers.drawOrder), asc(committeeMembers.identity));
}

/** The bidders the committee evaluates (those with a bid standing), by name. */
export async function bidderNames(db: Executor, tenderId: string): Promise<string[]> {
  const rows = await db
    .select({ name: actors.name })
    .from(bids)
    .innerJoin(actors, eq(actors.id, bids.bidderId))
    .where(and(eq(bids.tenderId, tenderId), eq(bids.status, 'submitted')));
  return rows.map((r) => r.name).sort();
}

/** The reader's place on the committee: an expert whose certificate's ID number names one. */
export async function placeOf(db: Executor, row: Committee, actor: CommitteeActor): Promise<CommitteeMember> {
  if (actor.role !== 'expert' || !actor.identity) throw new AppError('COMMITTEE_NOT_MEMBER');
  const [member] = await db
    .select()
    .from(committeeMembers)
    .where(and(eq(committeeMembers.committeeId, row.id), eq(committeeMembers.identity, actor.identity)));
  if (!member) throw new AppError('COMMITTEE_NOT_MEMBER');
  if (member.state === 'standby') throw new AppError('COMMITTEE_NOT_MEMBER', { key: 'reserveNotCalled' });
  if (member.state === 'absent' || member.state === 'withdrawn') throw new AppError('COMMITTEE_MEMBER_ENDED');
  return member;
}

/** Every action of a member is from its seat's network; the seat is returned. */
export async function requireAtSeat(db: Executor, member: CommitteeMember, actor: Actor): Promise<Seat> {
  const [seat] = member.seatId ? await db.select().from(seats).where(eq(seats.id, member.seatId)) : [];
  if (!seat) throw new AppError('COMMITTEE_NOT_AT_SEAT', { key: 'noSeatYet' });
  if (!fromSeat([seat.cidr], actor.ip))
    throw new AppError('COMMITTEE_NOT_AT_SEAT', {
      key: 'notAtCommitteeSeat',
      params: { seat: seatLabel(seat), address: actor.ip ?? '—' },
    });
  return seat;
}

export function requireTendereeOf(row: Committee, actor: CommitteeActor): void {
  if (actor.role !== 'tenderee' || actor.identity !== row.spec.tendereeCreditCode)
    throw new AppError('COMMITTEE_NOT_MEMBER', { key: 'notThisTenderee' });
}

/** Who may read a committee at all: supervisors; the tender's host; its tenderee; its members. */

/** The leader, acting at its seat: the reader's place, or NOT_LEADER. */
export async function requireLeaderAtSeat(
  db: Executor,
  row: Committee,
  actor: CommitteeActor,
): Promise<CommitteeMember> {
  const leader = await placeOf(db, row, actor);
  if (row.leaderId !== leader.id) throw new AppError('NOT_LEADER');
  await requireAtSeat(db, leader, actor);
  return leader;
}

/** A sitting member (declared), acting at its seat. */
export async function requireSittingAtSeat(
  db: Executor,
  row: Committee,
  actor: CommitteeActor,
): Promise<CommitteeMember> {
  const member = await placeOf(db, row, actor);
  if (member.state !== 'declared') throw new AppError('COMMITTEE_WRONG_STATE', { key: 'notSignedIn' });
  await requireAtSeat(db, member, actor);
  return member;
}
