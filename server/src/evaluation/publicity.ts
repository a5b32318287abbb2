/**
 * Publicity (公示, 实施条例 Art 54): once the report is signed the host publishes the candidates for at
 * least three days; bidders of the tender object during publicity and the host answers each; when it
 * ends (the scheduler's step) the committee's names are published too, each with the nonce of its seal,
 * so that anyone can check the commitments shown since the draw. Steps run on the committee's row.
 */
import type { CandidatesView, CommitteeEvent } from '@bidhall/shared';
import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import {
  actors,
  bids,
  type Committee,
  candidateObjections,
  committees,
  experts,
} from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import type { StepContext } from '../steps/step.ts';
import { findTender, requireTenderAccess } from '../tenders/tender-service.ts';
import { type CommitteeScope, committeeStep } from './committee-aggregate.ts';
import { type CommitteeActor, membersOf } from './committee-members.ts';
import { notNowDetail, requireStatus, requireTransition } from './state-machine.ts';

type Scope = CommitteeScope;

/** The scheduler's step at the end of publicity: the experts' names are published. */
export async function endPublicity(scope: Scope): Promise<void> {
  await scope.update({ publicityEndedAt: scope.now });
  await scope.emit('publicity', { ended: true });
}

/** The tender's committee whose result is published, or the refusal saying where the evaluation is. */
export async function publishedCommittee(db: Executor, tenderId: string): Promise<Committee> {
  const row = await currentCommittee(db, tenderId);
  if (!row) throw new AppError('COMMITTEE_NOT_FOUND');
  if (row.status !== 'published') throw new AppError('COMMITTEE_WRONG_STATE', notNowDetail(row.status));
  return row;
}

/** The tender's committee (the one not re-formed), if it has one. */
async function currentCommittee(db: Executor, tenderId: string): Promise<Committee | null> {
  const [row] = /^[0-9a-f-]{36}$/i.test(tenderId)
    ? await db
        .select()
        .from(committees)
        .where(and(eq(committees.tenderId, tenderId), ne(committees.status, 're-formed')))
    : [];
  return row ?? null;
}

/**
 * The tender's committee once its candidates are published, else null: pages ask before anything is
 * published (a bidder's tender page during the opening), and "nothing published yet" is no error.
 */
export async function publishedCommitteeOrNull(db: Executor, tenderId: string): Promise<Committee | null> {
  const row = await currentCommittee(db, tenderId);
  return row?.status === 'published' ? row : null;
}

export class PublicityService {
  readonly #deps: StepContext<CommitteeEvent>;

  constructor(deps: StepContext<CommitteeEvent>) {
    this.#deps = deps;
  }

  /** The tender's host publishes the candidates, for `days` (at least three). */
  publish(committeeId: string, days: number, actor: CommitteeActor): Promise<{ publicityEndsAt: string }> {
    return committeeStep(
      this.#deps,
      committeeId,
      actor,
      'committee.publish',
      async ({ tx, row, now, detail, emit, update }) => {
        requireTenderAccess(actor, await findTender(tx, row.tenderId));
        requireStatus(row, 'publish');
        const ends = new Date(now.getTime() + days * 86_400_000);
        requireTransition(row.status, 'published');
        await update({ status: 'published', publishedAt: now, publicityEndsAt: ends });
        Object.assign(detail, { days, publicityEndsAt: ends.toISOString() });
        await emit('status', { status: 'published', publicityEndsAt: ends.toISOString() });
        return { publicityEndsAt: ends.toISOString() };
      },
    );
  }

  /** A bidder of the tender objects to the candidates, during publicity only. */
  async object(tenderId: string, text: string, actor: CommitteeActor): Promise<{ objectionId: string }> {
    const row = await publishedCommittee(this.#deps.db, tenderId);
    return committeeStep(
      this.#deps,
      row.id,
      actor,
      'committee.candidate-objection',
      async ({ tx, row: locked, now, detail, emit }) => {
        requireStatus(locked, 'object');
        if (locked.publicityEndedAt || (locked.publicityEndsAt && now > locked.publicityEndsAt))
          throw new AppError('COMMITTEE_WRONG_STATE', { key: 'publicityOver' });
        const [bid] = await tx
          .select({ id: bids.id })
          .from(bids)
          .where(
            and(
              eq(bids.tenderId, tenderId),
              eq(bids.bidderId, actor.actorId ?? ''),
              eq(bids.status, 'submitted'),
            ),
          );
        if (!bid) throw new AppError('HALL_NO_BID');
        const [created] = await tx
          .insert(candidateObjections)
          .values({ committeeId: locked.id, bidderId: actor.actorId!, text, at: now })
          .returning({ id: candidateObjections.id });
        detail.objection = created!.id;
        await emit('objection', { objectionId: created!.id });
        return { objectionId: created!.id };
      },
    );
  }

  /** The host answers an objection. */
  answer(
    committeeId: string,
    objectionId: string,
    text: string,
    actor: CommitteeActor,
  ): Promise<{ answered: true }> {
    return committeeStep(
      this.#deps,
      committeeId,
      actor,
      'committee.candidate-answer',
      async ({ tx, row, now, detail, emit }) => {
        requireTenderAccess(actor, await findTender(tx, row.tenderId));
        requireStatus(row, 'object');
        const [objection] = /^[0-9a-f-]{36}$/i.test(objectionId)
          ? await tx
              .select()
              .from(candidateObjections)
              .where(
                and(eq(candidateObjections.id, objectionId), eq(candidateObjections.committeeId, row.id)),
              )
          : [];
        if (!objection) throw new AppError('NOT_FOUND');
        if (objection.answer !== null)
          throw new AppError('COMMITTEE_WRONG_STATE', { key: 'objectionAnswered' });
        await tx
          .update(candidateObjections)
          .set({ answer: text, answeredAt: now })
          .where(eq(candidateObjections.id, objection.id));
        detail.objection = objection.id;
        await emit('objection', { objectionId: objection.id, answered: true });
        return { answered: true as const };
      },
    );
  }

  /**
   * What is published: the candidates and the publicity's end; the objections (a bidder sees its own);
   * once publicity is over, the committee's names with the nonces of their seals.
   */
  async view(tenderId: string, reader: CommitteeActor): Promise<CandidatesView | null> {
    const { db } = this.#deps;
    const row = await publishedCommitteeOrNull(db, tenderId);
    if (!row) return null;
    const bidders = new Map(
      (
        await db
          .select({ bidId: bids.id, name: actors.name })
          .from(bids)
          .innerJoin(actors, eq(actors.id, bids.bidderId))
          .where(eq(bids.tenderId, tenderId))
      ).map((b) => [b.bidId, b.name]),
    );
    const objections = (
      await db
        .select()
        .from(candidateObjections)
        .where(eq(candidateObjections.committeeId, row.id))
        .orderBy(asc(candidateObjections.at))
    ).filter((o) => reader.role !== 'bidder' || o.bidderId === reader.actorId);
    const ended = row.publicityEndedAt !== null;
    const members = ended ? (await membersOf(db, row.id)).filter((m) => m.state === 'declared') : [];
    // An expert's seal is over its pool number, published with it; a representative's over its ID number, not.
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
    return {
      candidates: (row.candidates ?? []).map((bidId, i) => ({
        rank: i + 1,
        bidder: bidders.get(bidId) ?? '',
      })),
      publishedAt: row.publishedAt!.toISOString(),
      publicityEndsAt: row.publicityEndsAt!.toISOString(),
      ended,
      objections: objections.map((o) => ({
        id: o.id,
        text: o.text,
        at: o.at.toISOString(),
        answer: o.answer,
        answeredAt: o.answeredAt?.toISOString() ?? null,
      })),
      committee: ended
        ? members.map((m) => ({
            memberId: m.id,
            name: m.name,
            kind: m.kind,
            code: m.expertId ? (codes.get(m.expertId) ?? null) : null,
            commitment: m.commitment,
            nonce: m.nonce,
          }))
        : null,
    };
  }
}
