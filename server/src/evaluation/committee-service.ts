/**
 * The evaluation committee's steps (docs/evaluation.md, state-machine.ts): the host's specification, the
 * tenderee's representatives, the draw (the supervisor's seed against the platform's committed one), the
 * sign-in at the seat, the signed declarations (pledge and conflicts) with reserves called in draw order,
 * and the leader's election or naming. Every step runs through the step kernel on the committee's row
 * (one audited transaction, events published after the commit); the committee's timed steps (sign-in
 * opening, sign-in deadlines) are the scheduler's. Every action of a member is checked against the
 * network of the seat assigned to it.
 */
import { createHmac, randomUUID } from 'node:crypto';
import {
  type CommitteeDrawView,
  type CommitteeEvent,
  type CommitteeStatus,
  type CommitteeView,
  type CreateCommitteeRequest,
  committeeDrawFormat,
  committeeSeed,
  type DeclarationRequest,
  declarationText,
  drawCommittee,
  type ErrorDetail,
  poolSnapshotText,
  type RepresentativesRequest,
  stagesOf,
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
import type { TrustStore } from '../pki/trust-store.ts';
import type { Actor, StepContext } from '../steps/step.ts';
import { findTender, requireTenderAccess } from '../tenders/tender-service.ts';
import { expireClarifications } from './clarifications.ts';
import { type CommitteeScope, committeeStep } from './committee-aggregate.ts';
import {
  bidderNames,
  type CommitteeActor,
  findCommittee,
  membersOf,
  placeOf,
  requireAtSeat,
  requireTendereeOf,
  sealed,
  seatFor,
  seatLabel,
  sha256,
  sitting,
  takenSeats,
} from './committee-members.ts';
import { committeeDrawInputs, committeeList, committeeView, drawView } from './committee-view.ts';
import { exclusionsOf } from './exclusions.ts';
import { entryOf } from './pool.ts';
import { endPublicity } from './publicity.ts';
import { endSigning } from './report-service.ts';
import { beforeReview, nextTimedStep, requireStatus, requireTransition } from './state-machine.ts';

export { committeeAggregate } from './committee-aggregate.ts';
export type { CommitteeActor } from './committee-members.ts';

export interface CommitteeDeps extends StepContext<CommitteeEvent> {
  /** The secret the platform's seeds are derived from (tenders/draw-seed.ts), never stored. */
  readonly drawSecret: string;
  readonly trust: TrustStore;
}

type Scope = CommitteeScope;

/** The tender statuses after which a committee may be formed: the bids have been read out. */
const openedStatuses: readonly Tender['status'][] = ['announced', 'confirming', 'closed'];

export function platformSeedFor(drawSecret: string, committeeId: string): string {
  return createHmac('sha256', drawSecret)
    .update(`${committeeDrawFormat}:${committeeId}`, 'utf8')
    .digest('hex');
}

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

export class CommitteeService {
  readonly #deps: CommitteeDeps;

  constructor(deps: CommitteeDeps) {
    this.#deps = deps;
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
    return committeeStep(this.#deps, committeeId, actor, 'committee.representatives', async (scope) => {
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
      const taken = takenSeats(members);
      for (const person of request.representatives) {
        const seatId = drawn ? seatFor(row.spec, null, taken) : null;
        if (seatId) taken.add(seatId);
        await tx.insert(committeeMembers).values({
          committeeId: row.id,
          kind: 'representative',
          identity: person.identity,
          name: person.name,
          ...sealed(row.id, person.identity),
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
    return committeeStep(
      this.#deps,
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
          await tx.insert(committeeMembers).values({
            committeeId: row.id,
            kind: 'expert',
            expertId: expert.id,
            identity: expert.identity,
            name: expert.name,
            specialty: place.specialty,
            drawOrder: index + 1,
            ...sealed(row.id, expert.code),
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
    await committeeStep(
      this.#deps,
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
        if (due.step === 'end-publicity') {
          await endPublicity(scope);
          return;
        }
        if (due.step === 'end-signing') {
          await endSigning(scope);
          return;
        }
        if (due.step === 'clarification-deadline') {
          scope.detail.expired = (await expireClarifications(scope)).join(',');
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
    return committeeStep(this.#deps, committeeId, actor, 'committee.sign-in', async (scope) => {
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
    return committeeStep(this.#deps, committeeId, actor, 'committee.declare', async (scope) => {
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
    return committeeStep(this.#deps, committeeId, actor, 'committee.vote', async (scope) => {
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
    return committeeStep(this.#deps, committeeId, actor, 'committee.fault', async (scope) => {
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
    return committeeStep(this.#deps, committeeId, actor, 'committee.resume', async (scope) => {
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

  /**
   * A supervisor replaces a sitting member during the review (left, fell ill, found to have an interest),
   * with the reason: the place ends, a reserve of its specialty is called to sign in and declare.
   */
  replaceMember(
    committeeId: string,
    memberId: string,
    reason: string,
    actor: CommitteeActor,
  ): Promise<{ replacedBy: string | null }> {
    return committeeStep(this.#deps, committeeId, actor, 'committee.replace', async (scope) => {
      const { tx, row, now, detail, emit } = scope;
      requireStatus(row, 'replace');
      const members = await membersOf(tx, row.id);
      const member = members.find((m) => m.id === memberId && m.state === 'declared');
      if (!member) throw new AppError('COMMITTEE_INVALID', { key: 'leaderNotMember' });
      if (row.leaderId === member.id) throw new AppError('COMMITTEE_INVALID', { key: 'leaderStays' });
      await tx
        .update(committeeMembers)
        .set({ state: 'withdrawn', endedAt: now })
        .where(eq(committeeMembers.id, member.id));
      await emit('member', { memberId: member.id, state: 'withdrawn' });
      await this.#endPlace(scope, member);
      await this.#awaitedChanged(tx, row, scope);
      const called = (await membersOf(tx, row.id)).find((m) => m.replaces === member.id);
      Object.assign(detail, { member: member.id, reason, replacedBy: called?.id ?? '' });
      return { replacedBy: called?.id ?? null };
    });
  }

  /** Where the tender says so, the tenderee names the leader among the sitting members. */
  nameLeader(committeeId: string, memberId: string, actor: CommitteeActor): Promise<{ leaderId: string }> {
    return committeeStep(this.#deps, committeeId, actor, 'committee.name-leader', async (scope) => {
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
    await scope.update({
      status: 'reviewing',
      leaderId,
      reviewStartedAt: scope.now,
      reviewStage: scope.row.plan ? stagesOf(scope.row.plan)[0]! : null,
      reviewEndsAt: scope.row.plan
        ? new Date(scope.now.getTime() + scope.row.plan.reviewMinutes * 60_000)
        : null,
    });
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
    // Replaced during the review, a member's conclusions are void (Art 48): its sheets leave every
    // aggregate, and the stages run again from the first as its replacement submits its own.
    if (row.status === 'reviewing' && row.plan)
      await scope.update({
        stageResults: [],
        reviewStage: stagesOf(row.plan)[0]!,
        ranking: null,
        candidates: null,
      });
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
    const taken = takenSeats(members);
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

  /** The committee as `reader` may see it (committee-view.ts). */
  view(committeeId: string, reader: CommitteeActor): Promise<CommitteeView> {
    return committeeView(this.#deps.db, committeeId, reader);
  }

  list(reader: CommitteeActor): Promise<CommitteeView[]> {
    return committeeList(this.#deps.db, reader);
  }

  drawInputs(committeeId: string): Promise<CommitteeDrawView> {
    return committeeDrawInputs(this.#deps.db, committeeId);
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

const timedActions = {
  'open-sign-in': 'committee.open-sign-in',
  'sign-in-deadline': 'committee.sign-in-deadline',
  're-form': 'committee.re-form',
  'clarification-deadline': 'committee.clarification-deadline',
  'end-signing': 'committee.end-signing',
  'end-publicity': 'committee.end-publicity',
} as const;

/** Faults are recorded by supervisors and by the tender's host (of its agency). */
async function requireOverseer(db: Executor, row: Committee, actor: CommitteeActor): Promise<void> {
  if (actor.role === 'host') requireTenderAccess(actor, await findTender(db, row.tenderId));
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
