/**
 * Clarifications (澄清, 实施条例 Art 52): the committee, through its leader, asks one bidder a question in
 * writing; a supervisor approves or rejects it with a reason (experts may not prompt a bidder into
 * changing its bid); the bidder sees it in its own scope only — never who asked — and answers before the
 * deadline with signed text and files; a late answer is refused; the answer goes to the committee. A
 * bidder cannot open one. Each step runs on the committee's row through the step kernel; the deadline is
 * the committee's timed step.
 */
import { createHash } from 'node:crypto';
import {
  type BidderClarification,
  type ClarificationAnswerRequest,
  type ClarificationStatus,
  type CommitteeClarification,
  type CommitteeEvent,
  clarificationAnswerText,
} from '@bidhall/shared';
import { and, asc, eq } from 'drizzle-orm';
import { verifySmall } from '../cms/signed-data.ts';
import type { Executor, Transaction } from '../db/client.ts';
import {
  actors,
  bids,
  type Clarification,
  type Committee,
  clarificationFiles,
  clarifications,
  committees,
} from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import type { StepContext } from '../steps/step.ts';
import { type CommitteeScope, committeeStep } from './committee-aggregate.ts';
import {
  type CommitteeActor,
  findCommittee,
  placeOf,
  requireAtSeat,
  requireLeaderAtSeat,
} from './committee-members.ts';
import { requireStatus } from './state-machine.ts';

type Scope = CommitteeScope;

const maxAnswerBytes = 4 * 1024 * 1024;

const statusWords: Record<ClarificationStatus, { zh: string; en: string }> = {
  'awaiting-approval': { zh: '待监督审核', en: 'awaiting approval' },
  rejected: { zh: '未获批准', en: 'rejected' },
  open: { zh: '待答复', en: 'open' },
  answered: { zh: '已答复', en: 'answered' },
  expired: { zh: '已逾期', en: 'expired' },
};

export interface ClarificationDeps extends StepContext<CommitteeEvent> {
  readonly trust: TrustStore;
  /** Tells the bidder (its own scope only) that one of its clarifications changed. */
  notifyBidder(bidderId: string, clarification: BidderClarification): void;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export function bidderView(c: Clarification, tenderId: string): BidderClarification {
  return {
    id: c.id,
    tenderId,
    question: c.question,
    status: c.status,
    deadline: c.deadline?.toISOString() ?? '',
    answeredAt: c.answeredAt?.toISOString() ?? null,
  };
}

/** Keeps the committee's earliest open deadline (the chronograph's) in step with its clarifications. */
async function dueChanged(tx: Transaction, scope: Pick<Scope, 'row' | 'update'>): Promise<void> {
  const open = await tx
    .select({ deadline: clarifications.deadline })
    .from(clarifications)
    .where(and(eq(clarifications.committeeId, scope.row.id), eq(clarifications.status, 'open')));
  const times = open.flatMap((c) => (c.deadline ? [c.deadline.getTime()] : []));
  await scope.update({ clarificationDue: times.length ? new Date(Math.min(...times)) : null });
}

/** The committee's timed step for clarifications: those still open past their deadline expire. */
export async function expireClarifications(scope: Scope): Promise<string[]> {
  const { tx, row, now, emit } = scope;
  const open = await tx
    .select()
    .from(clarifications)
    .where(and(eq(clarifications.committeeId, row.id), eq(clarifications.status, 'open')));
  const expired = open.filter((c) => c.deadline && c.deadline.getTime() <= now.getTime());
  for (const c of expired) {
    await tx.update(clarifications).set({ status: 'expired' }).where(eq(clarifications.id, c.id));
    await emit('clarification', { clarificationId: c.id, status: 'expired' });
  }
  await dueChanged(tx, scope);
  return expired.map((c) => c.id);
}

export class ClarificationService {
  readonly #deps: ClarificationDeps;

  constructor(deps: ClarificationDeps) {
    this.#deps = deps;
  }

  /** The leader drafts a question to the bidder of one bid under review; it waits for a supervisor. */
  ask(
    committeeId: string,
    request: { bidId: string; question: string; answerMinutes: number },
    actor: CommitteeActor,
  ): Promise<{ clarificationId: string }> {
    return committeeStep(
      this.#deps,
      committeeId,
      actor,
      'committee.ask',
      async ({ tx, row, now, detail, emit }) => {
        requireStatus(row, 'clarify');
        const leader = await requireLeaderAtSeat(tx, row, actor);
        const [bid] = await tx
          .select({ bidderId: bids.bidderId })
          .from(bids)
          .where(
            and(
              eq(bids.id, request.bidId),
              eq(bids.tenderId, row.tenderId),
              eq(bids.status, 'submitted'),
              eq(bids.openingStatus, 'decrypted'),
            ),
          );
        if (!bid) throw new AppError('CLARIFICATION_INVALID', { key: 'clarificationBidUnknown' });
        const [created] = await tx
          .insert(clarifications)
          .values({
            committeeId: row.id,
            bidId: request.bidId,
            bidderId: bid.bidderId,
            question: request.question,
            answerMinutes: request.answerMinutes,
            askedBy: leader.id,
            askedAt: now,
            status: 'awaiting-approval',
          })
          .returning({ id: clarifications.id });
        Object.assign(detail, { clarification: created!.id, bidId: request.bidId });
        await emit('clarification', { clarificationId: created!.id, status: 'awaiting-approval' });
        return { clarificationId: created!.id };
      },
    );
  }

  /** A supervisor approves (the bidder is told, its deadline starts) or rejects, with the reason. */
  async decide(
    committeeId: string,
    clarificationId: string,
    approve: boolean,
    reason: string,
    actor: CommitteeActor,
  ): Promise<{ status: ClarificationStatus }> {
    const result = await committeeStep(
      this.#deps,
      committeeId,
      actor,
      'committee.clarification-decision',
      async (scope) => {
        const { tx, row, now, detail, emit } = scope;
        requireStatus(row, 'clarify');
        const c = await clarificationOf(tx, row.id, clarificationId);
        if (c.status !== 'awaiting-approval')
          throw new AppError('COMMITTEE_WRONG_STATE', { key: 'clarificationDecided' });
        const status: ClarificationStatus = approve ? 'open' : 'rejected';
        const deadline = approve ? new Date(now.getTime() + c.answerMinutes * 60_000) : null;
        await tx
          .update(clarifications)
          .set({
            status,
            deadline,
            decision: { approved: approve, reason, at: now.toISOString(), by: actor.actorId ?? '' },
          })
          .where(eq(clarifications.id, c.id));
        Object.assign(detail, { clarification: c.id, approve, reason });
        await emit('clarification', { clarificationId: c.id, status });
        if (approve) await dueChanged(tx, scope);
        return { status, clarification: { ...c, status, deadline }, tenderId: row.tenderId };
      },
    );
    if (result.status === 'open')
      this.#deps.notifyBidder(
        result.clarification.bidderId,
        bidderView(result.clarification, result.tenderId),
      );
    return { status: result.status };
  }

  /** The bidder's signed answer, with its files, before the deadline; refused whole otherwise. */
  async answer(
    clarificationId: string,
    request: ClarificationAnswerRequest,
    actor: CommitteeActor,
  ): Promise<{ answeredAt: string }> {
    const { db } = this.#deps;
    if (!/^[0-9a-f-]{36}$/i.test(clarificationId)) throw new AppError('CLARIFICATION_NOT_FOUND');
    const [found] = await db.select().from(clarifications).where(eq(clarifications.id, clarificationId));
    // Another bidder's clarification does not exist for this one.
    if (!found || found.bidderId !== actor.actorId) throw new AppError('CLARIFICATION_NOT_FOUND');
    const result = await committeeStep(
      this.#deps,
      found.committeeId,
      actor,
      'committee.clarification-answer',
      async (scope) => {
        const { tx, row, now, detail, emit } = scope;
        const c = await clarificationOf(tx, row.id, clarificationId);
        const late = c.status === 'expired' || (c.deadline !== null && now.getTime() > c.deadline.getTime());
        if (c.status === 'open' && late) throw new AppError('CLARIFICATION_LATE');
        if (c.status !== 'open') {
          if (c.status === 'expired') throw new AppError('CLARIFICATION_LATE');
          const words = statusWords[c.status];
          throw new AppError('COMMITTEE_WRONG_STATE', {
            key: 'clarificationNotOpen',
            params: { status: words.zh, statusEn: words.en },
          });
        }
        const files = request.files.map((f) => ({ name: f.name, content: Buffer.from(f.content, 'base64') }));
        const total = files.reduce((sum, f) => sum + f.content.length, 0);
        if (total > maxAnswerBytes)
          throw new AppError('CLARIFICATION_INVALID', {
            key: 'answerFilesTooLarge',
            params: { mb: maxAnswerBytes / 1024 / 1024 },
          });
        const hashed = files.map((f) => ({ ...f, sha256: sha256(f.content) }));
        const text = clarificationAnswerText({
          clarificationId: c.id,
          question: c.question,
          text: request.text,
          files: hashed,
        });
        const signature = Buffer.from(request.signature, 'base64');
        const verified = await verifySmall(signature, { detachedContent: Buffer.from(text, 'utf8') }).catch(
          (error: unknown) => {
            throw new AppError(
              'CLARIFICATION_INVALID',
              {
                key: 'answerUnreadable',
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
        const [bidder] = await tx
          .select({ identity: actors.identity, name: actors.name })
          .from(actors)
          .where(eq(actors.id, c.bidderId));
        if (chain.identity !== bidder?.identity)
          throw new AppError('CLARIFICATION_INVALID', {
            key: 'answerSignedBySomeoneElse',
            params: { signer: verified.signer.commonName, name: bidder?.name ?? '' },
          });
        await tx
          .update(clarifications)
          .set({
            status: 'answered',
            answer: request.text,
            answerFiles: hashed.map((f) => ({ name: f.name, sha256: f.sha256, bytes: f.content.length })),
            answerSignature: signature,
            answeredAt: now,
          })
          .where(eq(clarifications.id, c.id));
        if (hashed.length)
          await tx.insert(clarificationFiles).values(
            hashed.map((f, index) => ({
              clarificationId: c.id,
              index,
              name: f.name,
              sha256: f.sha256,
              content: f.content,
            })),
          );
        Object.assign(detail, {
          clarification: c.id,
          answerSha256: createHash('sha256').update(text).digest('hex'),
        });
        await emit('clarification', { clarificationId: c.id, status: 'answered' });
        await dueChanged(tx, scope);
        return {
          clarification: { ...c, status: 'answered' as const, answeredAt: now },
          tenderId: row.tenderId,
        };
      },
    );
    this.#deps.notifyBidder(found.bidderId, bidderView(result.clarification, result.tenderId));
    return { answeredAt: result.clarification.answeredAt.toISOString() };
  }

  /** A bidder's clarifications in a tender (approved ones only: a rejected draft never reaches it). */
  async forBidder(tenderId: string, actor: CommitteeActor): Promise<BidderClarification[]> {
    const rows = await this.#deps.db
      .select({ c: clarifications })
      .from(clarifications)
      .innerJoin(committees, eq(committees.id, clarifications.committeeId))
      .where(and(eq(committees.tenderId, tenderId), eq(clarifications.bidderId, actor.actorId ?? '')))
      .orderBy(asc(clarifications.askedAt));
    return rows
      .map((r) => r.c)
      .filter((c) => ['open', 'answered', 'expired'].includes(c.status))
      .map((c) => bidderView(c, tenderId));
  }

  /** The committee's clarifications, for its members at their seats and supervisors. */
  async forCommittee(committeeId: string, actor: CommitteeActor): Promise<CommitteeClarification[]> {
    const { db } = this.#deps;
    const row = await findCommittee(db, committeeId);
    await requireCommitteeReader(db, row, actor);
    const rows = await db
      .select()
      .from(clarifications)
      .where(eq(clarifications.committeeId, row.id))
      .orderBy(asc(clarifications.askedAt));
    return rows.map((c) => ({
      ...bidderView(c, row.tenderId),
      bidId: c.bidId,
      askedBy: c.askedBy,
      askedAt: c.askedAt.toISOString(),
      decision: c.decision
        ? { approved: c.decision.approved, reason: c.decision.reason, at: c.decision.at }
        : null,
      answer: c.answer,
      files: c.answerFiles ?? [],
    }));
  }

  /** One file of an answer, for the committee. */
  async file(
    committeeId: string,
    clarificationId: string,
    index: number,
    actor: CommitteeActor,
  ): Promise<{ name: string; content: Buffer }> {
    const { db } = this.#deps;
    const row = await findCommittee(db, committeeId);
    await requireCommitteeReader(db, row, actor);
    await clarificationOf(db, row.id, clarificationId);
    const [file] = await db
      .select({ name: clarificationFiles.name, content: clarificationFiles.content })
      .from(clarificationFiles)
      .where(
        and(eq(clarificationFiles.clarificationId, clarificationId), eq(clarificationFiles.index, index)),
      );
    if (!file) throw new AppError('DOCUMENT_NOT_FOUND', { key: 'documentFileUnknown', params: { index } });
    return { name: file.name, content: Buffer.from(file.content) };
  }
}

async function clarificationOf(
  db: Executor,
  committeeId: string,
  clarificationId: string,
): Promise<Clarification> {
  if (!/^[0-9a-f-]{36}$/i.test(clarificationId)) throw new AppError('CLARIFICATION_NOT_FOUND');
  const [c] = await db
    .select()
    .from(clarifications)
    .where(and(eq(clarifications.id, clarificationId), eq(clarifications.committeeId, committeeId)));
  if (!c) throw new AppError('CLARIFICATION_NOT_FOUND');
  return c;
}

/** Supervisors; members at their seats. Nobody else reads the committee's clarifications before the report. */
async function requireCommitteeReader(db: Executor, row: Committee, actor: CommitteeActor): Promise<void> {
  if (actor.role === 'supervisor') return;
  const member = await placeOf(db, row, actor);
  await requireAtSeat(db, member, actor);
}
