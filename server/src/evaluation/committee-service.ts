/**
 * The evaluation committee's steps (docs/evaluation.md, state-machine.ts): the host's specification, the
 * tenderee's representatives, the draw (the supervisor's seed against the platform's committed one), the
 * sign-in at the seat, the signed declarations (pledge and conflicts) with reserves called in draw order,
 * and the leader's election or naming. Every step runs through the step kernel on the committee's row
 * (one audited transaction, events published after the commit); the committee's timed steps (sign-in
 * opening, sign-in deadlines) are the scheduler's. Every action of a member is checked against the
 * network of the seat assigned to it.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import {
  type CommitteeDrawView,
  type CommitteeEvent,
  type CommitteeMemberView,
  type CommitteeStatus,
  type CommitteeView,
  type CreateCommitteeRequest,
  committeeDrawFormat,
  committeeSeed,
  type DeclarationRequest,
  declarationText,
  drawCommittee,
  type ElectionRoundView,
  type ErrorDetail,
  poolSnapshotText,
  type RepresentativesRequest,
} from '@bidhall/shared';
import { and, asc, count, eq, gte, inArray, ne } from 'drizzle-orm';
import { appendInTx } from '../audit/audit-log.ts';
import { verifySmall } from '../cms/signed-data.ts';
import type { Executor, Transaction } from '../db/client.ts';
import {
  actors,
  bids,
  type Committee,
  type CommitteeMember,
  type CommitteeSpec,
  committeeEvents,
  committeeMembers,
  committees,
  type Expert,
  evaluationExperts,
  evaluations,
  evaluationVenues,
  expertServices,
  experts,
  leaderVotes,
  type Seat,
  seats,
  type Tender,
} from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { fromSeat } from '../networks.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import { type Actor, type Aggregate, runStep, type StepContext, type StepScope } from '../steps/step.ts';
import { findTender, requireTenderAccess } from '../tenders/tender-service.ts';
import { exclusionsOf } from './exclusions.ts';
import { entryOf } from './pool.ts';
import {
  beforeReview,
  committeeStatusWords,
  nextTimedStep,
  requireStatus,
  requireTransition,
} from './state-machine.ts';

export const committeeAggregate: Aggregate<Committee, CommitteeEvent> = {
  name: 'committee',
  table: committees,
  id: committees.id,
  nextCheckAt: committees.nextCheckAt,
  lastSeq: committees.lastSeq,
  events: {
    table: committeeEvents,
    aggregateId: committeeEvents.committeeId,
    seq: committeeEvents.seq,
    at: committeeEvents.at,
    type: committeeEvents.type,
    data: committeeEvents.data,
  },
  notFound: 'COMMITTEE_NOT_FOUND',
  nextCheck: (row) => nextTimedStep(row)?.at ?? null,
  auditScope: (row) => ({ tenderId: row.tenderId, target: `committee:${row.id}` }),
  toEvent: ({ aggregateId, seq, at, type, data }) => ({ committeeId: aggregateId, seq, at, type, data }),
};

export interface CommitteeDeps extends StepContext<CommitteeEvent> {
  /** The secret the platform's seeds are derived from (tenders/draw-seed.ts), never stored. */
  readonly drawSecret: string;
  readonly trust: TrustStore;
}

/** Who acts, with the certificate identity (ID number) that binds a committee place. */
export interface CommitteeActor extends Actor {
  readonly identity?: string;
}

type Scope = StepScope<Committee, Record<string, unknown>>;

/** The tender statuses after which a committee may be formed: the bids have been read out. */
const openedStatuses: readonly Tender['status'][] = ['announced', 'confirming', 'closed'];

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export function platformSeedFor(drawSecret: string, committeeId: string): string {
  return createHmac('sha256', drawSecret)
    .update(`${committeeDrawFormat}:${committeeId}`, 'utf8')
    .digest('hex');
}

/** Members whose place is running: drawn, called or named, and not ended. */
const sitting = (m: CommitteeMember) => ['awaiting', 'signed-in', 'declared'].includes(m.state);

const seatLabel = (seat: Pick<Seat, 'centre' | 'room' | 'seat'>) =>
  `${seat.centre} ${seat.room} ${seat.seat}`;

/** The reasons a specification cannot be formed, or null. */
export function specProblem(
  spec: CreateCommitteeRequest,
  catalogue: ReadonlyMap<string, Seat>,
  now: Date,
): ErrorDetail | null {
  const { size, representatives } = spec;
  if (size % 2 === 0) return { key: 'committeeSizeEven', params: { size } };
  const maxRepresentatives = Math.floor(size / 3);
  if (representatives > maxRepresentatives)
    return { key: 'committeeRepresentativesTooMany', params: { size, max: maxRepresentatives } };
  const quotaSum = spec.quotas.reduce((sum, q) => sum + q.seats, 0);
  if (quotaSum !== size - representatives)
    return { key: 'committeeQuotasSum', params: { quotas: quotaSum, experts: size - representatives } };
  const specialties = new Set<string>();
  for (const quota of spec.quotas) {
    if (specialties.has(quota.specialty))
      return { key: 'committeeQuotaTwice', params: { specialty: quota.specialty } };
    specialties.add(quota.specialty);
  }
  const cities = new Set<string>();
  const seatIds = new Set<string>();
  for (const venue of spec.venues) {
    if (cities.has(venue.city)) return { key: 'committeeVenueTwice', params: { city: venue.city } };
    cities.add(venue.city);
    for (const id of venue.seatIds) {
      const seat = catalogue.get(id);
      if (!seat || seatIds.has(id)) return { key: 'committeeSeatUnknown', params: { seat: id } };
      if (seat.city !== venue.city)
        return { key: 'committeeSeatCity', params: { seat: seatLabel(seat), city: venue.city } };
      seatIds.add(id);
    }
  }
  if (seatIds.size < size) return { key: 'committeeSeatsTooFew', params: { seats: seatIds.size, size } };
  const opens = Date.parse(spec.signInOpensAt);
  const closes = Date.parse(spec.signInClosesAt);
  if (!(opens < closes) || closes <= now.getTime()) return { key: 'committeeSignInTimes' };
  return null;
}

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

export class CommitteeService {
  readonly #deps: CommitteeDeps;

  constructor(deps: CommitteeDeps) {
    this.#deps = deps;
  }

  #step<T>(
    committeeId: string,
    actor: Actor,
    action: Parameters<typeof runStep>[4],
    step: (scope: Scope) => Promise<T>,
    options: { skipIfLocked?: boolean } = {},
  ): Promise<T> {
    if (!/^[0-9a-f-]{36}$/i.test(committeeId)) throw new AppError('COMMITTEE_NOT_FOUND');
    return runStep<Committee, Record<string, unknown>, CommitteeEvent, T>(
      committeeAggregate,
      this.#deps,
      committeeId,
      actor,
      action,
      step,
      options,
    );
  }

  /** The host's specification: the committee (drawing) and its video room, with the platform's seed committed. */
  async create(request: CreateCommitteeRequest, actor: CommitteeActor): Promise<CommitteeView> {
    const { db, clock } = this.#deps;
    const tender = await findTender(db, request.tenderId);
    requireTenderAccess(actor, tender);
    if (!openedStatuses.includes(tender.status))
      throw new AppError('COMMITTEE_INVALID', { key: 'committeeTenderNotOpened' });
    const now = clock.now();
    const catalogue = new Map(
      (
        await db
          .select()
          .from(seats)
          .where(
            inArray(
              seats.id,
              request.venues.flatMap((v) => v.seatIds),
            ),
          )
      ).map((s) => [s.id, s]),
    );
    const problem = specProblem(request, catalogue, now);
    if (problem) throw new AppError('COMMITTEE_INVALID', problem);
    const { tenderId, ...spec } = request;
    const committeeId = randomUUID();
    await db.transaction(async (tx) => {
      // One committee per tender at a time (re-formed ones stay, for the record).
      await tx
        .select({ id: committees.id })
        .from(committees)
        .where(eq(committees.tenderId, tenderId))
        .for('update');
      const [existing] = await tx
        .select({ id: committees.id })
        .from(committees)
        .where(and(eq(committees.tenderId, tenderId), ne(committees.status, 're-formed')));
      if (existing) throw new AppError('COMMITTEE_INVALID', { key: 'committeeExists' });
      const [room] = await tx
        .insert(evaluations)
        .values({ tenderId, title: tender.title, mainCity: spec.venues[0]!.city, createdBy: actor.actorId! })
        .returning({ id: evaluations.id });
      await tx.insert(evaluationVenues).values(
        spec.venues.map((venue) => ({
          evaluationId: room!.id,
          city: venue.city,
          seatNetworks: [...new Set(venue.seatIds.map((id) => catalogue.get(id)!.cidr))],
        })),
      );
      const signInOpensAt = new Date(spec.signInOpensAt);
      await tx.insert(committees).values({
        id: committeeId,
        tenderId,
        evaluationId: room!.id,
        spec,
        createdBy: actor.actorId!,
        createdAt: now,
        signInOpensAt,
        signInClosesAt: new Date(spec.signInClosesAt),
        platformSeedCommitment: sha256(platformSeedFor(this.#deps.drawSecret, committeeId)),
      });
      await appendInTx(tx, [
        {
          actorId: actor.actorId,
          role: actor.role,
          ip: actor.ip,
          action: 'committee.create',
          tenderId,
          target: `committee:${committeeId}`,
          outcome: 'ok',
          detail: {
            size: spec.size,
            representatives: spec.representatives,
            reserves: spec.reserves,
            venues: spec.venues.map((v) => v.city).join(','),
          },
          at: now,
        },
      ]);
    });
    return this.view(committeeId, actor);
  }

  /** The tenderee names its representatives: all of them before the draw, or a vacancy's afterwards. */
  nameRepresentatives(
    committeeId: string,
    request: RepresentativesRequest,
    actor: CommitteeActor,
  ): Promise<{ named: number }> {
    return this.#step(committeeId, actor, 'committee.representatives', async (scope) => {
      const { tx, row, now, emit, detail } = scope;
      requireTendereeOf(row, actor);
      requireStatus(row, 'nameRepresentatives');
      const members = await membersOf(tx, row.id);
      const vacancies =
        row.spec.representatives - members.filter((m) => m.kind === 'representative' && sitting(m)).length;
      if (request.representatives.length !== vacancies)
        throw new AppError('COMMITTEE_INVALID', {
          key: 'representativesCount',
          params: { wanted: vacancies, given: request.representatives.length },
        });
      const identities = new Set(members.map((m) => m.identity));
      for (const { identity } of request.representatives) {
        if (identities.has(identity))
          throw new AppError('COMMITTEE_INVALID', { key: 'representativeTaken', params: { identity } });
        identities.add(identity);
      }
      const drawn = row.status !== 'drawing';
      const taken = new Set(members.filter(sitting).flatMap((m) => (m.seatId ? [m.seatId] : [])));
      for (const person of request.representatives) {
        const seatId = drawn ? seatFor(row.spec, null, taken) : null;
        if (seatId) taken.add(seatId);
        const nonce = randomBytes(16).toString('hex');
        await tx.insert(committeeMembers).values({
          committeeId: row.id,
          kind: 'representative',
          identity: person.identity,
          name: person.name,
          nonce,
          commitment: sha256(`${row.id}:${person.identity}:${nonce}`),
          state: 'awaiting',
          seatId,
          signInBy: drawn ? laterOf(row.signInClosesAt, reserveDeadline(row, now)) : row.signInClosesAt,
        });
      }
      detail.named = request.representatives.length;
      await emit('representatives', { named: request.representatives.length });
      if (drawn) await this.#awaitedChanged(tx, row, scope);
      return { named: request.representatives.length };
    });
  }

  /**
   * The supervisor's seed arrives after the platform's is committed (and the platform's is revealed in the
   * same step): neither could choose after seeing the other's. The pool snapshot after exclusions, the
   * exclusions with their reasons, both seeds and the outcome are stored; the places are sealed.
   */
  draw(committeeId: string, supervisorSeed: string, actor: CommitteeActor): Promise<CommitteeDrawView> {
    return this.#step(
      committeeId,
      actor,
      'committee.draw',
      async ({ tx, row, now, emit, detail, update }) => {
        requireStatus(row, 'draw');
        const spec = row.spec;
        const members = await membersOf(tx, row.id);
        const named = members.filter((m) => m.kind === 'representative').length;
        if (named < spec.representatives)
          throw new AppError('COMMITTEE_WRONG_STATE', {
            key: 'representativesMissing',
            params: { missing: spec.representatives - named },
          });
        const pool = await tx.select().from(experts).orderBy(asc(experts.code));
        const bidderCodes = (
          await tx
            .select({ identity: actors.identity })
            .from(bids)
            .innerJoin(actors, eq(actors.id, bids.bidderId))
            .where(and(eq(bids.tenderId, row.tenderId), eq(bids.status, 'submitted')))
        ).map((b) => b.identity);
        const since = new Date(now);
        since.setMonth(since.getMonth() - spec.servicePeriodMonths);
        const services = await tx
          .select({ code: experts.code, times: count() })
          .from(expertServices)
          .innerJoin(experts, eq(experts.id, expertServices.expertId))
          .where(
            and(
              eq(expertServices.tendereeCreditCode, spec.tendereeCreditCode),
              gte(expertServices.servedAt, since),
            ),
          )
          .groupBy(experts.code);
        // The tenderee's representatives are not drawn a second time as experts.
        const representativeIds = new Set(members.map((m) => m.identity));
        const { eligible, excluded } = exclusionsOf(
          pool.map(entryOf).filter((e) => !representativeIds.has(e.identity)),
          {
            bidderCreditCodes: bidderCodes,
            tendereeCreditCode: spec.tendereeCreditCode,
            maxServicesForTenderee: spec.maxServicesForTenderee,
            servicesForTenderee: new Map(services.map((s) => [s.code, Number(s.times)])),
            at: now,
          },
        );
        const platformSeed = platformSeedFor(this.#deps.drawSecret, row.id);
        const outcome = drawCommittee(
          {
            candidates: eligible,
            quotas: spec.quotas,
            reserves: spec.reserves,
            seed: committeeSeed(platformSeed, supervisorSeed),
          },
          sha256,
        );
        if (!outcome.ok)
          throw new AppError('COMMITTEE_DRAW_SHORT', {
            key: 'drawShort',
            params: { specialty: outcome.short.specialty, missing: outcome.short.missing },
          });
        const snapshot = poolSnapshotText(eligible);
        const byCode = new Map<string, Expert>(pool.map((e) => [e.code, e]));
        const taken = new Set<string>();
        const drawn = [
          ...outcome.members.map((d) => ({ ...d, reserve: false })),
          ...outcome.reserves.map((d) => ({ ...d, reserve: true })),
        ];
        for (const [index, place] of drawn.entries()) {
          const expert = byCode.get(place.code)!;
          const seatId = place.reserve ? null : seatFor(spec, expert.region, taken);
          if (seatId) taken.add(seatId);
          const nonce = randomBytes(16).toString('hex');
          await tx.insert(committeeMembers).values({
            committeeId: row.id,
            kind: 'expert',
            expertId: expert.id,
            identity: expert.identity,
            name: expert.name,
            specialty: place.specialty,
            drawOrder: index + 1,
            nonce,
            commitment: sha256(`${row.id}:${expert.code}:${nonce}`),
            state: place.reserve ? 'standby' : 'awaiting',
            seatId,
            signInBy: place.reserve ? null : row.signInClosesAt,
          });
        }
        for (const representative of members) {
          const seatId = seatFor(spec, null, taken);
          if (seatId) taken.add(seatId);
          await tx.update(committeeMembers).set({ seatId }).where(eq(committeeMembers.id, representative.id));
        }
        const snapshotSha256 = sha256(snapshot);
        requireTransition(row.status, 'formed');
        await update({
          status: 'formed',
          platformSeed,
          supervisorSeed,
          drawnAt: now,
          snapshot,
          snapshotSha256,
          exclusions: excluded.map((e) => ({ code: e.code, reasons: [...e.reasons] })),
          drawn: {
            members: outcome.members.map((d) => ({ ...d })),
            reserves: outcome.reserves.map((d) => ({ ...d })),
          },
          awaitedUntil: row.signInClosesAt,
        });
        Object.assign(detail, {
          snapshotSha256,
          candidates: eligible.length,
          excluded: excluded.length,
          members: outcome.members.length,
          reserves: outcome.reserves.length,
        });
        await emit('drawn', { snapshotSha256, excluded: excluded.length, platformSeed, supervisorSeed });
        return drawView({
          ...row,
          platformSeed,
          supervisorSeed,
          snapshot,
          snapshotSha256,
          exclusions: excluded.map((e) => ({ code: e.code, reasons: [...e.reasons] })),
          drawn: { members: [...outcome.members], reserves: [...outcome.reserves] },
        });
      },
    );
  }

  /** The committee's due timed step (the scheduler's): sign-in opening, or a sign-in deadline passed. */
  async runDueStep(committeeId: string): Promise<void> {
    const peek = await findCommittee(this.#deps.db, committeeId);
    const expected = nextTimedStep(peek)?.step;
    if (!expected) return;
    await this.#step(
      committeeId,
      systemActorOf(),
      timedActions[expected],
      async (scope) => {
        const { row, now } = scope;
        const due = nextTimedStep(row);
        // Another process got there first, or the row changed since the peek: nothing to do now.
        if (!due || due.step !== expected || due.at.getTime() > now.getTime()) {
          scope.nothingDone = true;
          await scope.update({});
          return;
        }
        if (due.step === 're-form') {
          requireTransition(row.status, 're-formed');
          await scope.update({ status: 're-formed' });
          Object.assign(scope.detail, {
            suspendedFrom: row.suspendedFrom ?? '',
            reason: row.faultReason ?? '',
          });
          await scope.emit('status', { status: 're-formed' });
          return;
        }
        if (due.step === 'open-sign-in') {
          requireTransition(row.status, 'signing-in');
          await scope.update({ status: 'signing-in' });
          await scope.emit('status', { status: 'signing-in' });
          await this.#advance(scope);
          return;
        }
        await this.#replaceAbsent(scope);
      },
      { skipIfLocked: true },
    );
  }

  /** A member signs in from its seat: the seat, the address and the time are recorded. */
  signIn(committeeId: string, actor: CommitteeActor): Promise<{ signedInAt: string; seat: string }> {
    return this.#step(committeeId, actor, 'committee.sign-in', async (scope) => {
      const { tx, row, now, detail, emit } = scope;
      requireStatus(row, 'signIn');
      const member = await placeOf(tx, row, actor);
      if (member.state === 'signed-in' || member.state === 'declared')
        throw new AppError('COMMITTEE_WRONG_STATE', { key: 'alreadySignedIn' });
      const seat = await requireAtSeat(tx, member, actor);
      await tx
        .update(committeeMembers)
        .set({
          state: 'signed-in',
          signedInAt: now,
          signedInAddress: actor.ip,
          signedInActorId: actor.actorId,
        })
        .where(eq(committeeMembers.id, member.id));
      await tx
        .insert(evaluationExperts)
        .values({ evaluationId: row.evaluationId, expertId: actor.actorId!, city: seat.city })
        .onConflictDoUpdate({
          target: [evaluationExperts.evaluationId, evaluationExperts.expertId],
          set: { city: seat.city },
        });
      Object.assign(detail, { member: member.id, seat: seatLabel(seat), address: actor.ip ?? '' });
      await emit('member', { memberId: member.id, state: 'signed-in' });
      await this.#awaitedChanged(tx, row, scope);
      await this.#advance(scope);
      return { signedInAt: now.toISOString(), seat: seatLabel(seat) };
    });
  }

  /**
   * The member's signed declaration: the integrity pledge and whether it has a conflict with any bidder
   * it now sees. A conflict withdraws the member (its work void from then on) and calls a reserve.
   */
  declare(
    committeeId: string,
    request: DeclarationRequest,
    actor: CommitteeActor,
  ): Promise<{ declared: true; withdrawn: boolean }> {
    return this.#step(committeeId, actor, 'committee.declare', async (scope) => {
      const { tx, row, now, detail, emit } = scope;
      requireStatus(row, 'declare');
      const member = await placeOf(tx, row, actor);
      if (member.state === 'declared')
        throw new AppError('COMMITTEE_WRONG_STATE', { key: 'alreadyDeclared' });
      if (member.state !== 'signed-in') throw new AppError('COMMITTEE_WRONG_STATE', { key: 'notSignedIn' });
      await requireAtSeat(tx, member, actor);
      if (request.conflict && request.statement.trim().length < 2)
        throw new AppError('DECLARATION_INVALID', { key: 'conflictNeedsStatement' });
      const tender = await findTender(tx, row.tenderId);
      const text = declarationText({
        committeeId: row.id,
        tenderCode: tender.code,
        memberId: member.id,
        bidders: await bidderNames(tx, row.tenderId),
        conflict: request.conflict,
        statement: request.statement,
      });
      const signature = Buffer.from(request.signature, 'base64');
      const verified = await verifySmall(signature, { detachedContent: Buffer.from(text, 'utf8') }).catch(
        (error: unknown) => {
          throw new AppError(
            'DECLARATION_INVALID',
            {
              key: 'declarationUnreadable',
              params: { reason: error instanceof Error ? error.message : 'invalid' },
            },
            { cause: error },
          );
        },
      );
      const chain = this.#deps.trust.verifySigned(verified, {
        at: now,
        anyUsage: ['digitalSignature', 'nonRepudiation'],
      });
      if (chain.identity !== member.identity)
        throw new AppError('DECLARATION_INVALID', {
          key: 'declarationSignedBySomeoneElse',
          params: { signer: verified.signer.commonName, name: member.name },
        });
      await tx
        .update(committeeMembers)
        .set({
          state: request.conflict ? 'withdrawn' : 'declared',
          declaredAt: now,
          declarationSignature: signature,
          conflictStatement: request.conflict ? request.statement : null,
          endedAt: request.conflict ? now : null,
        })
        .where(eq(committeeMembers.id, member.id));
      Object.assign(detail, {
        member: member.id,
        conflict: request.conflict,
        declarationSha256: sha256(text),
      });
      await emit('member', { memberId: member.id, state: request.conflict ? 'withdrawn' : 'declared' });
      if (request.conflict) {
        await this.#endPlace(scope, member);
        await this.#awaitedChanged(tx, row, scope);
      }
      await this.#advance(scope);
      return { declared: true as const, withdrawn: request.conflict };
    });
  }

  /** A secret ballot for the leader in the running round; the round closes when every member has voted. */
  vote(
    committeeId: string,
    round: number,
    candidateId: string,
    actor: CommitteeActor,
  ): Promise<{ round: number; voted: number; voters: number }> {
    return this.#step(committeeId, actor, 'committee.vote', async (scope) => {
      const { tx, row, now, detail, emit } = scope;
      requireStatus(row, 'vote');
      if (row.spec.leader !== 'vote')
        throw new AppError('COMMITTEE_WRONG_STATE', { key: 'leaderByTenderee' });
      const member = await placeOf(tx, row, actor);
      if (member.state !== 'declared') throw new AppError('COMMITTEE_WRONG_STATE', { key: 'notSignedIn' });
      await requireAtSeat(tx, member, actor);
      if (round !== row.electionRound)
        throw new AppError('VOTE_INVALID', { key: 'voteWrongRound', params: { current: row.electionRound } });
      if (!(row.electionCandidates ?? []).includes(candidateId))
        throw new AppError('VOTE_INVALID', { key: 'voteNotCandidate' });
      const inserted = await tx
        .insert(leaderVotes)
        .values({ committeeId: row.id, round, voterId: member.id, candidateId, at: now })
        .onConflictDoNothing()
        .returning({ round: leaderVotes.round });
      if (!inserted.length) throw new AppError('VOTE_REPEATED');
      // The audit names the voter and the round, never the choice: the ballot is secret.
      Object.assign(detail, { member: member.id, round });
      const voters = (await membersOf(tx, row.id)).filter((m) => m.state === 'declared').length;
      const ballots = await roundBallots(tx, row.id, round);
      await emit('ballot', { round, voted: ballots.length, voters });
      if (ballots.length >= voters) await this.#closeRound(scope, ballots);
      return { round, voted: ballots.length, voters };
    });
  }

  /**
   * A fault (the network, a venue, the platform) suspends the evaluation: nothing but resuming is possible
   * until it is resumed, and once it outlasts the local rule's limit the committee is re-formed.
   */
  recordFault(committeeId: string, reason: string, actor: CommitteeActor): Promise<{ limitAt: string }> {
    return this.#step(committeeId, actor, 'committee.fault', async (scope) => {
      const { row, now, detail, emit } = scope;
      await requireOverseer(this.#deps.db, row, actor);
      requireStatus(row, 'recordFault');
      const minutes = beforeReview.includes(row.status)
        ? row.spec.faultLimitBeforeReviewMinutes
        : row.spec.faultLimitDuringReviewMinutes;
      const limitAt = new Date(now.getTime() + minutes * 60_000);
      requireTransition(row.status, 'suspended');
      await scope.update({
        status: 'suspended',
        suspendedFrom: row.status,
        faultSince: now,
        faultLimitAt: limitAt,
        faultReason: reason,
      });
      Object.assign(detail, { from: row.status, reason, limitAt: limitAt.toISOString() });
      await emit('status', { status: 'suspended', from: row.status, limitAt: limitAt.toISOString() });
      return { limitAt: limitAt.toISOString() };
    });
  }

  /** The fault is over: the evaluation goes on where it was, sign-in deadlines moved by the pause. */
  resume(committeeId: string, reason: string, actor: CommitteeActor): Promise<{ status: CommitteeStatus }> {
    return this.#step(committeeId, actor, 'committee.resume', async (scope) => {
      const { tx, row, now, detail, emit } = scope;
      await requireOverseer(this.#deps.db, row, actor);
      requireStatus(row, 'resume');
      const back = row.suspendedFrom!;
      const pausedMs = now.getTime() - row.faultSince!.getTime();
      for (const member of (await membersOf(tx, row.id)).filter((m) => m.state === 'awaiting' && m.signInBy))
        await tx
          .update(committeeMembers)
          .set({ signInBy: new Date(member.signInBy!.getTime() + pausedMs) })
          .where(eq(committeeMembers.id, member.id));
      requireTransition('suspended', back);
      await scope.update({
        status: back,
        suspendedFrom: null,
        faultSince: null,
        faultLimitAt: null,
        faultReason: null,
        ...(back === 'formed' && row.signInOpensAt < now ? { signInOpensAt: now } : {}),
      });
      await this.#awaitedChanged(tx, row, scope);
      Object.assign(detail, { to: back, reason, pausedSeconds: Math.round(pausedMs / 1000) });
      await emit('status', { status: back, resumed: true });
      return { status: back };
    });
  }

  /** Where the tender says so, the tenderee names the leader among the sitting members. */
  nameLeader(committeeId: string, memberId: string, actor: CommitteeActor): Promise<{ leaderId: string }> {
    return this.#step(committeeId, actor, 'committee.name-leader', async (scope) => {
      const { tx, row, detail, emit } = scope;
      requireTendereeOf(row, actor);
      requireStatus(row, 'nameLeader');
      if (row.spec.leader !== 'tenderee')
        throw new AppError('COMMITTEE_WRONG_STATE', { key: 'leaderByVote' });
      const member = (await membersOf(tx, row.id)).find((m) => m.id === memberId && m.state === 'declared');
      if (!member) throw new AppError('COMMITTEE_INVALID', { key: 'leaderNotMember' });
      detail.leader = member.id;
      await this.#startReview(scope, member.id);
      await emit('leader', { memberId: member.id, by: 'tenderee' });
      return { leaderId: member.id };
    });
  }

  async #closeRound(scope: Scope, ballots: readonly { candidateId: string }[]): Promise<void> {
    const { row, emit, update } = scope;
    const tally = new Map<string, number>((row.electionCandidates ?? []).map((id) => [id, 0]));
    for (const ballot of ballots) tally.set(ballot.candidateId, (tally.get(ballot.candidateId) ?? 0) + 1);
    const counts = [...tally].map(([memberId, votes]) => ({ memberId, votes }));
    const most = Math.max(...counts.map((c) => c.votes));
    const top = counts.filter((c) => c.votes === most).map((c) => c.memberId);
    if (top.length === 1) {
      await emit('round', { round: row.electionRound, counts, leader: top[0] });
      await this.#startReview(scope, top[0]!);
      return;
    }
    // A tie: the next round is among the tied only (no casting vote).
    await update({ electionRound: row.electionRound + 1, electionCandidates: top });
    await emit('round', { round: row.electionRound, counts, next: top });
  }

  /**
   * The review starts with its leader; each sitting expert's service for this tenderee is recorded (the
   * "served this tenderee more than N times in M months" exclusion of later draws reads it).
   */
  async #startReview(scope: Scope, leaderId: string): Promise<void> {
    requireTransition(scope.row.status, 'reviewing');
    const serving = (await membersOf(scope.tx, scope.row.id)).filter(
      (m) => m.state === 'declared' && m.expertId,
    );
    if (serving.length)
      await scope.tx.insert(expertServices).values(
        serving.map((m) => ({
          expertId: m.expertId!,
          tendereeCreditCode: scope.row.spec.tendereeCreditCode,
          tenderId: scope.row.tenderId,
          servedAt: scope.now,
        })),
      );
    await scope.update({ status: 'reviewing', leaderId, reviewStartedAt: scope.now });
    await scope.emit('status', { status: 'reviewing', leader: leaderId });
  }

  /** Members still awaited past their deadline are absent; each expert's place goes to a reserve. */
  async #replaceAbsent(scope: Scope): Promise<void> {
    const { tx, row, now, detail, emit } = scope;
    const late = (await membersOf(tx, row.id)).filter(
      (m) => m.state === 'awaiting' && m.signInBy && m.signInBy.getTime() <= now.getTime(),
    );
    for (const member of late) {
      await tx
        .update(committeeMembers)
        .set({ state: 'absent', endedAt: now })
        .where(eq(committeeMembers.id, member.id));
      await emit('member', { memberId: member.id, state: 'absent' });
      await this.#endPlace(scope, member);
    }
    detail.absent = late.map((m) => m.id).join(',');
    await this.#awaitedChanged(tx, row, scope);
    await this.#advance(scope);
  }

  /**
   * A place ended (absent, withdrawn): the member leaves the video room, its ballots no longer count, and
   * an expert's place goes to the first reserve of its specialty in draw order (a representative's waits
   * for the tenderee to name another).
   */
  async #endPlace(scope: Scope, member: CommitteeMember): Promise<void> {
    const { tx, row, now, emit } = scope;
    if (member.signedInActorId)
      await tx
        .delete(evaluationExperts)
        .where(
          and(
            eq(evaluationExperts.evaluationId, row.evaluationId),
            eq(evaluationExperts.expertId, member.signedInActorId),
          ),
        );
    await tx
      .update(leaderVotes)
      .set({ counts: false })
      .where(and(eq(leaderVotes.committeeId, row.id), eq(leaderVotes.voterId, member.id)));
    if (member.kind !== 'expert') {
      await emit('vacancy', { memberId: member.id, kind: member.kind });
      return;
    }
    const members = await membersOf(tx, row.id);
    const reserve = members
      .filter((m) => m.state === 'standby' && m.specialty === member.specialty)
      .sort((a, b) => (a.drawOrder ?? 0) - (b.drawOrder ?? 0))[0];
    if (!reserve) {
      await emit('vacancy', { memberId: member.id, kind: member.kind, specialty: member.specialty });
      return;
    }
    const taken = new Set(members.filter(sitting).flatMap((m) => (m.seatId ? [m.seatId] : [])));
    const [expert] = await tx
      .select({ region: experts.region })
      .from(experts)
      .where(eq(experts.id, reserve.expertId!));
    await tx
      .update(committeeMembers)
      .set({
        state: 'awaiting',
        replaces: member.id,
        signInBy: reserveDeadline(row, now),
        seatId: seatFor(row.spec, expert?.region ?? null, taken),
      })
      .where(eq(committeeMembers.id, reserve.id));
    await emit('member', { memberId: reserve.id, state: 'awaiting', replaces: member.id });
  }

  /** Keeps the row's earliest awaited deadline (the chronograph's) in step with the members. */
  async #awaitedChanged(
    tx: Transaction,
    row: Committee,
    scope: { update(changes: Partial<Committee>): Promise<unknown> },
  ): Promise<void> {
    const awaited = (await membersOf(tx, row.id)).filter((m) => m.state === 'awaiting' && m.signInBy);
    const earliest = awaited.length ? new Date(Math.min(...awaited.map((m) => m.signInBy!.getTime()))) : null;
    await scope.update({ awaitedUntil: earliest });
  }

  /** Moves on when everyone needed is there: all signed in → declaring; all declared → electing. */
  async #advance(scope: Scope): Promise<void> {
    const { tx, row, emit, update } = scope;
    const current = (await tx.select().from(committees).where(eq(committees.id, row.id)))[0]!;
    const members = (await membersOf(tx, row.id)).filter(sitting);
    const full = members.length === row.spec.size;
    if (current.status === 'signing-in' && full && members.every((m) => m.state !== 'awaiting')) {
      requireTransition('signing-in', 'declaring');
      await update({ status: 'declaring' });
      await emit('status', { status: 'declaring' });
      return;
    }
    if (current.status === 'declaring' && full && members.every((m) => m.state === 'declared')) {
      requireTransition('declaring', 'electing');
      const byVote = row.spec.leader === 'vote';
      await update({
        status: 'electing',
        electionRound: byVote ? 1 : 0,
        electionCandidates: byVote ? members.map((m) => m.id).sort() : null,
      });
      await emit('status', { status: 'electing', round: byVote ? 1 : 0 });
    }
  }

  /** The committee as `reader` may see it (names sealed but for the member itself and supervisors). */
  async view(committeeId: string, reader: CommitteeActor): Promise<CommitteeView> {
    const { db } = this.#deps;
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
      venues: row.spec.venues.map((v, i) => ({ city: v.city, main: i === 0, seats: v.seatIds.length })),
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
  async list(reader: CommitteeActor): Promise<CommitteeView[]> {
    const { db } = this.#deps;
    const rows = await db.select().from(committees).orderBy(asc(committees.createdAt));
    const views: CommitteeView[] = [];
    for (const row of rows) {
      const view = await this.view(row.id, reader).catch((error: unknown) => {
        if (error instanceof AppError && ['COMMITTEE_NOT_MEMBER', 'FORBIDDEN_TENDER'].includes(error.code))
          return null;
        throw error;
      });
      if (view) views.push(view);
    }
    return views;
  }

  /** The draw's published inputs and outcome (supervisors: anyone checks it with them). */
  async drawInputs(committeeId: string): Promise<CommitteeDrawView> {
    const row = await findCommittee(this.#deps.db, committeeId);
    if (!row.drawn) throw new AppError('COMMITTEE_WRONG_STATE', committeeNotNowDetail(row));
    return drawView(row);
  }

  /**
   * A signed-in member at its seat, for reading the bid documents: throws unless the reader is one and
   * the evaluation is where documents are read.
   */
  async requireReadingMember(
    committeeId: string,
    reader: CommitteeActor,
  ): Promise<{ row: Committee; member: CommitteeMember }> {
    const { db } = this.#deps;
    const row = await findCommittee(db, committeeId);
    const member = await placeOf(db, row, reader);
    requireStatus(row, 'readDocuments');
    if (member.state !== 'signed-in' && member.state !== 'declared')
      throw new AppError('COMMITTEE_WRONG_STATE', { key: 'notSignedIn' });
    await requireAtSeat(db, member, reader);
    return { row, member };
  }
}

function systemActorOf(): Actor {
  return { actorId: null, role: 'system', ip: null, name: 'system' };
}

function laterOf(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

function reserveDeadline(row: Committee, now: Date): Date {
  return new Date(now.getTime() + row.spec.reserveSignInMinutes * 60_000);
}

function committeeNotNowDetail(row: Committee): ErrorDetail {
  const words = committeeStatusWords[row.status];
  return { key: 'committeeNotNow', params: { status: words.zh, statusEn: words.en } };
}

export async function findCommittee(db: Executor, committeeId: string): Promise<Committee> {
  if (!/^[0-9a-f-]{36}$/i.test(committeeId)) throw new AppError('COMMITTEE_NOT_FOUND');
  const [row] = await db.select().from(committees).where(eq(committees.id, committeeId));
  if (!row) throw new AppError('COMMITTEE_NOT_FOUND');
  return row;
}

function membersOf(db: Executor, committeeId: string): Promise<CommitteeMember[]> {
  return db
    .select()
    .from(committeeMembers)
    .where(eq(committeeMembers.committeeId, committeeId))
    .orderBy(asc(committeeMembers.drawOrder), asc(committeeMembers.identity));
}

/** The bidders the committee evaluates (those with a bid standing), by name. */
async function bidderNames(db: Executor, tenderId: string): Promise<string[]> {
  const rows = await db
    .select({ name: actors.name })
    .from(bids)
    .innerJoin(actors, eq(actors.id, bids.bidderId))
    .where(and(eq(bids.tenderId, tenderId), eq(bids.status, 'submitted')));
  return rows.map((r) => r.name).sort();
}

/** The reader's place on the committee: an expert whose certificate's ID number names one. */
async function placeOf(db: Executor, row: Committee, actor: CommitteeActor): Promise<CommitteeMember> {
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
async function requireAtSeat(db: Executor, member: CommitteeMember, actor: Actor): Promise<Seat> {
  const [seat] = member.seatId ? await db.select().from(seats).where(eq(seats.id, member.seatId)) : [];
  if (!seat) throw new AppError('COMMITTEE_NOT_AT_SEAT', { key: 'noSeatYet' });
  if (!fromSeat([seat.cidr], actor.ip))
    throw new AppError('COMMITTEE_NOT_AT_SEAT', {
      key: 'notAtCommitteeSeat',
      params: { seat: seatLabel(seat), address: actor.ip ?? '—' },
    });
  return seat;
}

const timedActions = {
  'open-sign-in': 'committee.open-sign-in',
  'sign-in-deadline': 'committee.sign-in-deadline',
  're-form': 'committee.re-form',
} as const;

/** Faults are recorded by supervisors and by the tender's host (of its agency). */
async function requireOverseer(db: Executor, row: Committee, actor: CommitteeActor): Promise<void> {
  if (actor.role === 'host') requireTenderAccess(actor, await findTender(db, row.tenderId));
}

function requireTendereeOf(row: Committee, actor: CommitteeActor): void {
  if (actor.role !== 'tenderee' || actor.identity !== row.spec.tendereeCreditCode)
    throw new AppError('COMMITTEE_NOT_MEMBER', { key: 'notThisTenderee' });
}

/** Who may read a committee at all: supervisors; the tender's host; its tenderee; its members. */
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

async function roundBallots(db: Executor, committeeId: string, round: number) {
  return db
    .select({ voterId: leaderVotes.voterId, candidateId: leaderVotes.candidateId })
    .from(leaderVotes)
    .where(
      and(
        eq(leaderVotes.committeeId, committeeId),
        eq(leaderVotes.round, round),
        eq(leaderVotes.counts, true),
      ),
    );
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

function drawView(
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
