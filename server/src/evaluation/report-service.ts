/**
 * The evaluation report (评标报告, 实施条例 Art 53): built by the platform when the leader asks, from what
 * the review recorded — the members, the opening record's hash, each stage's result and every member's
 * sheets, the rejected bids with their grounds, the clarifications, the time votes, the ranking and at
 * most three candidates — as canonical JSON (RFC 8785), the exact bytes every member signs (CMS detached,
 * with its own certificate, as the opening record is signed). A member who disagrees signs a dissent
 * with its reasons instead; one who does neither by the end of the signing window is recorded as
 * agreeing. Steps run on the committee's row through the step kernel; the window's end is a timed step.
 */
import {
  type CommitteeEvent,
  dissentText,
  type EvaluationReport,
  type ReportView,
  type ReviewStage,
  reportFormat,
} from '@bidhall/shared';
import canonicalize from 'canonicalize';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { verifySmall } from '../cms/signed-data.ts';
import type { Executor } from '../db/client.ts';
import {
  type Committee,
  type CommitteeMember,
  clarifications,
  reportStances,
  reviewSheets,
  seats,
} from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { sha256Hex } from '../opening/record.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import type { StepContext } from '../steps/step.ts';
import { findTender } from '../tenders/tender-service.ts';
import { type CommitteeScope, committeeStep } from './committee-aggregate.ts';
import {
  type CommitteeActor,
  findCommittee,
  membersOf,
  placeOf,
  requireAtSeat,
  requireLeaderAtSeat,
  requireSittingAtSeat,
} from './committee-members.ts';
import { decryptedBids } from './review-service.ts';
import { requireStatus, requireTransition } from './state-machine.ts';

type Scope = CommitteeScope;

export interface ReportDeps extends StepContext<CommitteeEvent> {
  readonly trust: TrustStore;
}

/** The report's content from what the committee recorded (pure of the clock: `generatedAt` is given). */
export async function buildReport(
  db: Executor,
  row: Committee,
  generatedAt: Date,
): Promise<EvaluationReport> {
  const tender = await findTender(db, row.tenderId);
  const sitting = (await membersOf(db, row.id)).filter((m) => m.state === 'declared');
  const seatCity = new Map(
    (
      await db
        .select({ id: seats.id, city: seats.city })
        .from(seats)
        .where(
          inArray(
            seats.id,
            sitting.flatMap((m) => (m.seatId ? [m.seatId] : [])),
          ),
        )
    ).map((s) => [s.id, s.city]),
  );
  const bidRows = (await decryptedBids(db, row.tenderId)).map((b) => ({ bidId: b.id, bidder: b.bidder }));
  const bidderOf = new Map(bidRows.map((b) => [b.bidId, b.bidder]));
  const sittingIds = new Set(sitting.map((m) => m.id));
  const sheets = (
    await db
      .select()
      .from(reviewSheets)
      .where(eq(reviewSheets.committeeId, row.id))
      .orderBy(asc(reviewSheets.stage))
  )
    .filter((s) => sittingIds.has(s.memberId))
    .map((s) => ({ memberId: s.memberId, stage: s.stage as ReviewStage, marks: s.marks }));
  const asked = await db
    .select()
    .from(clarifications)
    .where(eq(clarifications.committeeId, row.id))
    .orderBy(asc(clarifications.askedAt));
  return {
    format: reportFormat,
    committeeId: row.id,
    tender: { id: tender.id, code: tender.code, title: tender.title },
    openingRecordSha256: tender.recordSha256,
    generatedAt: generatedAt.toISOString(),
    members: sitting.map((m: CommitteeMember) => ({
      memberId: m.id,
      name: m.name,
      kind: m.kind,
      specialty: m.specialty,
      venue: m.seatId ? (seatCity.get(m.seatId) ?? null) : null,
      leader: row.leaderId === m.id,
    })),
    bids: bidRows,
    stages: row.stageResults,
    sheets,
    clarifications: asked
      .filter((c) => c.status !== 'rejected' && c.status !== 'awaiting-approval')
      .map((c) => ({ bidId: c.bidId, question: c.question, status: c.status, answer: c.answer })),
    timeVotes: row.timeVotes,
    ranking: row.ranking ?? [],
    candidates: (row.candidates ?? []).map((bidId, i) => ({
      rank: i + 1,
      bidId,
      bidder: bidderOf.get(bidId) ?? '',
    })),
  };
}

/** The signing window's end (the scheduler's): the silent are recorded as agreeing, and it closes. */
export async function endSigning(scope: Scope): Promise<void> {
  const { tx, row, now, emit } = scope;
  const stood = new Set(
    (
      await tx
        .select({ memberId: reportStances.memberId })
        .from(reportStances)
        .where(eq(reportStances.committeeId, row.id))
    ).map((s) => s.memberId),
  );
  const silent = (await membersOf(tx, row.id)).filter((m) => m.state === 'declared' && !stood.has(m.id));
  if (silent.length)
    await tx.insert(reportStances).values(
      silent.map((m) => ({
        committeeId: row.id,
        memberId: m.id,
        stance: 'deemed-agreed' as const,
        at: now,
      })),
    );
  for (const m of silent) await emit('stance', { memberId: m.id, stance: 'deemed-agreed' });
  scope.detail.deemedAgreed = silent.map((m) => m.id).join(',');
  await closeSigning(scope);
}

export class ReportService {
  readonly #deps: ReportDeps;

  constructor(deps: ReportDeps) {
    this.#deps = deps;
  }

  /** The leader has the platform build the report; the signing window opens. */
  build(committeeId: string, actor: CommitteeActor): Promise<{ sha256: string; signingEndsAt: string }> {
    return committeeStep(
      this.#deps,
      committeeId,
      actor,
      'committee.report',
      async ({ tx, row, now, detail, emit, update }) => {
        requireStatus(row, 'buildReport');
        await requireLeaderAtSeat(tx, row, actor);
        const text = canonicalize(await buildReport(tx, row, now)) as string;
        const sha256 = sha256Hex(text);
        const signingEndsAt = new Date(now.getTime() + row.plan!.signingMinutes * 60_000);
        requireTransition(row.status, 'signing');
        await update({ status: 'signing', reportText: text, reportSha256: sha256, signingEndsAt });
        Object.assign(detail, { reportSha256: sha256, signingEndsAt: signingEndsAt.toISOString() });
        await emit('status', { status: 'signing', reportSha256: sha256 });
        return { sha256, signingEndsAt: signingEndsAt.toISOString() };
      },
    );
  }

  /** A member signs the report's exact bytes. */
  sign(committeeId: string, signature: Buffer, actor: CommitteeActor): Promise<{ stance: 'signed' }> {
    return committeeStep(this.#deps, committeeId, actor, 'committee.sign-report', async (scope) => {
      const member = await this.#signer(scope, actor);
      await this.#verify(scope, member, signature, scope.row.reportText!);
      await this.#record(scope, member, 'signed', null, signature);
      return { stance: 'signed' as const };
    });
  }

  /** A member dissents in writing: its reasons, signed, attached to the report. */
  dissent(
    committeeId: string,
    statement: string,
    signature: Buffer,
    actor: CommitteeActor,
  ): Promise<{ stance: 'dissented' }> {
    return committeeStep(this.#deps, committeeId, actor, 'committee.dissent', async (scope) => {
      const member = await this.#signer(scope, actor);
      const text = dissentText({ reportSha256: scope.row.reportSha256!, memberId: member.id, statement });
      await this.#verify(scope, member, signature, text);
      await this.#record(scope, member, 'dissented', statement, signature);
      return { stance: 'dissented' as const };
    });
  }

  /** The report with every stance: for the committee's members and supervisors. */
  async view(committeeId: string, actor: CommitteeActor): Promise<ReportView> {
    const { db } = this.#deps;
    const row = await findCommittee(db, committeeId);
    if (actor.role !== 'supervisor') {
      const member = await placeOf(db, row, actor);
      await requireAtSeat(db, member, actor);
    }
    requireStatus(row, 'readReport');
    const stances = await db.select().from(reportStances).where(eq(reportStances.committeeId, row.id));
    return {
      text: row.reportText!,
      sha256: row.reportSha256!,
      signingEndsAt: row.signingEndsAt!.toISOString(),
      stances: stances.map((s) => ({
        memberId: s.memberId,
        stance: s.stance,
        statement: s.statement,
        at: s.at.toISOString(),
      })),
    };
  }

  async #signer(scope: Scope, actor: CommitteeActor): Promise<CommitteeMember> {
    requireStatus(scope.row, 'signReport');
    const member = await requireSittingAtSeat(scope.tx, scope.row, actor);
    const [stood] = await scope.tx
      .select({ stance: reportStances.stance })
      .from(reportStances)
      .where(and(eq(reportStances.committeeId, scope.row.id), eq(reportStances.memberId, member.id)));
    if (stood) throw new AppError('REPORT_SIGNED');
    return member;
  }

  async #verify(scope: Scope, member: CommitteeMember, signature: Buffer, text: string): Promise<void> {
    const verified = await verifySmall(signature, { detachedContent: Buffer.from(text, 'utf8') }).catch(
      (error: unknown) => {
        throw new AppError(
          'RECORD_SIGNATURE_INVALID',
          {
            key: 'recordSignatureUnreadable',
            params: { reason: error instanceof Error ? error.message : 'invalid' },
          },
          { cause: error },
        );
      },
    );
    const chain = this.#deps.trust.verifySigned(verified, {
      at: scope.now,
      anyUsage: ['digitalSignature', 'nonRepudiation'],
    });
    if (chain.identity !== member.identity)
      throw new AppError('RECORD_SIGNATURE_INVALID', {
        key: 'signedBySomeoneElse',
        params: { signer: verified.signer.commonName, name: member.name },
      });
  }

  async #record(
    scope: Scope,
    member: CommitteeMember,
    stance: 'signed' | 'dissented',
    statement: string | null,
    signature: Buffer,
  ): Promise<void> {
    const { tx, row, now, detail, emit } = scope;
    await tx
      .insert(reportStances)
      .values({ committeeId: row.id, memberId: member.id, stance, statement, signature, at: now });
    Object.assign(detail, { member: member.id, stance, reportSha256: row.reportSha256! });
    await emit('stance', { memberId: member.id, stance });
    const stood = await tx
      .select({ memberId: reportStances.memberId })
      .from(reportStances)
      .where(eq(reportStances.committeeId, row.id));
    const sitting = (await membersOf(tx, row.id)).filter((m) => m.state === 'declared');
    if (sitting.every((m) => stood.some((s) => s.memberId === m.id))) await closeSigning(scope);
  }
}

async function closeSigning(scope: Scope): Promise<void> {
  requireTransition(scope.row.status, 'closed');
  await scope.update({ status: 'closed', closedAt: scope.now });
  await scope.emit('status', { status: 'closed' });
}
