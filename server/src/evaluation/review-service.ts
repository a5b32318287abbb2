/**
 * The review's steps (评审, docs/evaluation.md): the host's plan, the members' sheets per stage (checked
 * whole: every bid and item marked, every fail with its Art 51 ground and reason, every deduction with its
 * reason, every score in its range), abnormal scores flagged against the median of the others, sent back
 * by the leader and revised or confirmed with a reason, and each stage closed once every sheet is in and
 * nothing is open: pass/fail by majority, scores aggregated, the price score computed by the platform
 * from the opening summary (and the coefficient drawn at the opening); the last stage ranks the bids.
 * Every step runs on the committee's row through the step kernel, like the committee's own steps.
 */
import {
  type AbnormalScore,
  abnormalScores,
  aggregateScore,
  type CommitteeEvent,
  type ErrorDetail,
  priceScores,
  type ReviewPlan,
  type ReviewStage,
  type ReviewView,
  round2,
  type SheetMark,
  type StageResult,
  stagesOf,
} from '@bidhall/shared';
import { and, eq } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import {
  actors,
  bids,
  type Committee,
  type CommitteeMember,
  type ReviewSheet,
  reviewSheets,
  sheetDrafts,
  timeVotes,
} from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import type { StepContext } from '../steps/step.ts';
import { findTender, requireTenderAccess } from '../tenders/tender-service.ts';
import { type CommitteeScope, committeeStep } from './committee-aggregate.ts';
import {
  type CommitteeActor,
  findCommittee,
  membersOf,
  placeOf,
  requireAtSeat,
  requireLeaderAtSeat,
  requireSittingAtSeat,
  requireTendereeOf,
} from './committee-members.ts';
import { requireStatus, requireTransition } from './state-machine.ts';

type Scope = CommitteeScope;

const stageWords: Record<ReviewStage, { zh: string; en: string }> = {
  qualification: { zh: '资格审查', en: 'qualification' },
  compliance: { zh: '符合性审查', en: 'compliance' },
  detailed: { zh: '详细评审', en: 'detailed review' },
};

/** The reasons a plan does not fit its tender, or null. */
export function planProblem(
  plan: ReviewPlan,
  tender: {
    summaryFields: readonly { key: string; type: string }[];
    drawResult: { value: string } | null;
    drawOptions: string[] | null;
  },
): ErrorDetail | null {
  for (const list of [plan.qualification, plan.compliance, plan.criteria]) {
    const keys = new Set<string>();
    for (const { key } of list) {
      if (keys.has(key)) return { key: 'planKeyTwice', params: { key } };
      keys.add(key);
    }
  }
  if (plan.method === 'comprehensive') {
    if (!plan.criteria.length) return { key: 'planNoCriteria' };
    const total = round2(plan.criteria.reduce((sum, c) => sum + c.max, 0) + plan.price.maxPoints);
    if (total !== 100) return { key: 'planPointsTotal', params: { total } };
  }
  if (!tender.summaryFields.some((f) => f.key === plan.price.field && f.type === 'money'))
    return { key: 'planPriceField', params: { field: plan.price.field } };
  const numeric = (tender.drawOptions ?? []).every((option) => Number.isFinite(Number(option)));
  if (plan.price.applyDrawnCoefficient && (!tender.drawOptions || !numeric))
    return { key: 'planNoDrawnCoefficient' };
  return null;
}

/** What a sheet for `stage` must hold: one mark per bid still in and per item or criterion. */
export function sheetProblem(
  plan: ReviewPlan,
  stage: ReviewStage,
  bidIds: readonly string[],
  marks: readonly SheetMark[],
): ErrorDetail | null {
  const items =
    stage === 'detailed'
      ? plan.criteria.map((c) => ({ key: c.key, max: c.max }))
      : (stage === 'qualification' ? plan.qualification : plan.compliance).map((i) => ({
          key: i.key,
          max: 0,
        }));
  const wanted = new Map<string, { key: string; max: number }>(
    bidIds.flatMap((bid) => items.map((item) => [`${bid}|${item.key}`, item] as const)),
  );
  const seen = new Set<string>();
  for (const mark of marks) {
    const id = `${mark.bidId}|${mark.key}`;
    const item = wanted.get(id);
    if (!item || seen.has(id)) return { key: 'sheetUnknownMark', params: { key: mark.key, bid: mark.bidId } };
    seen.add(id);
    const reasoned = mark.reason.trim().length >= 2;
    if (stage === 'detailed') {
      if (mark.score === undefined || mark.pass !== undefined || mark.score < 0 || mark.score > item.max)
        return { key: 'sheetScoreOutOfRange', params: { key: mark.key, max: item.max } };
      if (mark.score < item.max && !reasoned)
        return { key: 'sheetDeductionNeedsReason', params: { key: mark.key } };
    } else {
      if (mark.pass === undefined || mark.score !== undefined)
        return { key: 'sheetMissingMark', params: { key: mark.key, bid: mark.bidId } };
      if (!mark.pass && (!mark.ground || !reasoned))
        return { key: 'sheetFailNeedsGround', params: { key: mark.key } };
    }
  }
  for (const [id, item] of wanted)
    if (!seen.has(id)) return { key: 'sheetMissingMark', params: { key: item.key, bid: id.split('|')[0]! } };
  return null;
}

export class ReviewService {
  readonly #deps: StepContext<CommitteeEvent>;

  constructor(deps: StepContext<CommitteeEvent>) {
    this.#deps = deps;
  }

  /** The host defines the review's plan before it starts (or, once started, while no plan is set). */
  setPlan(committeeId: string, plan: ReviewPlan, actor: CommitteeActor): Promise<{ stages: ReviewStage[] }> {
    return committeeStep(
      this.#deps,
      committeeId,
      actor,
      'committee.plan',
      async ({ tx, row, now, update, detail, emit }) => {
        const tender = await findTender(tx, row.tenderId);
        requireTenderAccess(actor, tender);
        requireStatus(row, 'setPlan');
        // Once sheets are in, the plan they were made against stays.
        if (row.status === 'reviewing' && (await anySheet(tx, row.id)))
          throw new AppError(
            'COMMITTEE_WRONG_STATE',
            stageDetail((row.reviewStage ?? 'qualification') as ReviewStage),
          );
        const problem = planProblem(plan, tender);
        if (problem) throw new AppError('REVIEW_PLAN_INVALID', problem);
        const stages = stagesOf(plan);
        await update({
          plan,
          ...(row.status === 'reviewing'
            ? { reviewStage: stages[0]!, reviewEndsAt: new Date(now.getTime() + plan.reviewMinutes * 60_000) }
            : {}),
        });
        Object.assign(detail, { method: plan.method, criteria: plan.criteria.length });
        await emit('plan', { stages });
        return { stages };
      },
    );
  }

  /** A member's sheet for the running stage (a returned one is revised in place). */
  submitSheet(
    committeeId: string,
    stage: ReviewStage,
    marks: readonly SheetMark[],
    actor: CommitteeActor,
  ): Promise<{ status: ReviewSheet['status'] }> {
    return committeeStep(this.#deps, committeeId, actor, 'committee.sheet', async (scope) => {
      const { tx, row, now, detail, emit } = scope;
      requireStatus(row, 'review');
      const member = await requireSittingAtSeat(tx, row, actor);
      if (!row.plan || row.reviewStage !== stage)
        throw new AppError(
          'COMMITTEE_WRONG_STATE',
          stageDetail((row.reviewStage ?? 'qualification') as ReviewStage),
        );
      const [existing] = await tx
        .select()
        .from(reviewSheets)
        .where(
          and(
            eq(reviewSheets.committeeId, row.id),
            eq(reviewSheets.stage, stage),
            eq(reviewSheets.memberId, member.id),
          ),
        );
      if (existing && existing.status !== 'returned') throw new AppError('SHEET_SUBMITTED');
      const problem = sheetProblem(
        row.plan,
        stage,
        bidsInStage(row, await decryptedBids(tx, row.tenderId)),
        marks,
      );
      if (problem) throw new AppError('SHEET_INVALID', problem);
      if (existing)
        await tx
          .update(reviewSheets)
          .set({ marks: [...marks], status: 'submitted', revision: existing.revision + 1, submittedAt: now })
          .where(
            and(
              eq(reviewSheets.committeeId, row.id),
              eq(reviewSheets.stage, stage),
              eq(reviewSheets.memberId, member.id),
            ),
          );
      else
        await tx.insert(reviewSheets).values({
          committeeId: row.id,
          stage,
          memberId: member.id,
          marks: [...marks],
          status: 'submitted',
          submittedAt: now,
        });
      await tx
        .delete(sheetDrafts)
        .where(
          and(
            eq(sheetDrafts.committeeId, row.id),
            eq(sheetDrafts.stage, stage),
            eq(sheetDrafts.memberId, member.id),
          ),
        );
      // Who submitted, which stage and revision; never the marks (the sheet itself is its record).
      Object.assign(detail, { member: member.id, stage, revision: (existing?.revision ?? 0) + 1 });
      await emit('sheet', { memberId: member.id, stage, status: 'submitted' });
      await this.#checkStage(scope);
      const [after] = await tx
        .select({ status: reviewSheets.status })
        .from(reviewSheets)
        .where(
          and(
            eq(reviewSheets.committeeId, row.id),
            eq(reviewSheets.stage, stage),
            eq(reviewSheets.memberId, member.id),
          ),
        );
      return { status: after?.status ?? 'submitted' };
    });
  }

  /**
   * Saves a member's unfinished sheet for the running stage (at its seat, while its sheet is not in or
   * was sent back). Only marks of the stage's bids and keys are kept; completeness is checked on submit.
   * Not a step of the committee: no event, and no audit entry on success (the submitted sheet is the record).
   */
  async saveDraft(
    committeeId: string,
    stage: ReviewStage,
    marks: readonly SheetMark[],
    actor: CommitteeActor,
  ): Promise<{ savedAt: string }> {
    const { db, clock } = this.#deps;
    const row = await findCommittee(db, committeeId);
    requireStatus(row, 'review');
    const member = await requireSittingAtSeat(db, row, actor);
    if (!row.plan || row.reviewStage !== stage)
      throw new AppError(
        'COMMITTEE_WRONG_STATE',
        stageDetail((row.reviewStage ?? 'qualification') as ReviewStage),
      );
    const [sheet] = await db
      .select({ status: reviewSheets.status })
      .from(reviewSheets)
      .where(
        and(
          eq(reviewSheets.committeeId, row.id),
          eq(reviewSheets.stage, stage),
          eq(reviewSheets.memberId, member.id),
        ),
      );
    if (sheet && sheet.status !== 'returned') throw new AppError('SHEET_SUBMITTED');
    const bidIds = new Set(bidsInStage(row, await decryptedBids(db, row.tenderId)));
    const items = stage === 'detailed' ? row.plan.criteria : row.plan[stage];
    const keys = new Set(items.map((i) => i.key));
    const stray = marks.find((m) => !bidIds.has(m.bidId) || !keys.has(m.key));
    if (stray)
      throw new AppError('SHEET_INVALID', {
        key: 'sheetUnknownMark',
        params: { key: stray.key, bid: stray.bidId },
      });
    const savedAt = clock.now();
    await db
      .insert(sheetDrafts)
      .values({ committeeId: row.id, stage, memberId: member.id, marks: [...marks], savedAt })
      .onConflictDoUpdate({
        target: [sheetDrafts.committeeId, sheetDrafts.stage, sheetDrafts.memberId],
        set: { marks: [...marks], savedAt },
      });
    return { savedAt: savedAt.toISOString() };
  }

  /** The leader sends a flagged sheet back to its member, with a note. */
  returnSheet(
    committeeId: string,
    memberId: string,
    note: string,
    actor: CommitteeActor,
  ): Promise<{ returned: true }> {
    return committeeStep(
      this.#deps,
      committeeId,
      actor,
      'committee.return-sheet',
      async ({ tx, row, detail, emit }) => {
        requireStatus(row, 'review');
        await requireLeaderAtSeat(tx, row, actor);
        const stage = row.reviewStage!;
        const [sheet] = await tx
          .select()
          .from(reviewSheets)
          .where(
            and(
              eq(reviewSheets.committeeId, row.id),
              eq(reviewSheets.stage, stage),
              eq(reviewSheets.memberId, memberId),
            ),
          );
        if (sheet?.status !== 'flagged') throw new AppError('SHEET_INVALID', { key: 'sheetNotFlagged' });
        await tx
          .update(reviewSheets)
          .set({ status: 'returned', note })
          .where(
            and(
              eq(reviewSheets.committeeId, row.id),
              eq(reviewSheets.stage, stage),
              eq(reviewSheets.memberId, memberId),
            ),
          );
        Object.assign(detail, { member: memberId, stage, note });
        await emit('sheet', { memberId, stage, status: 'returned' });
        return { returned: true as const };
      },
    );
  }

  /** A member keeps its returned sheet as it was, saying why; its flags are resolved. */
  confirmSheet(committeeId: string, reason: string, actor: CommitteeActor): Promise<{ confirmed: true }> {
    return committeeStep(this.#deps, committeeId, actor, 'committee.confirm-sheet', async (scope) => {
      const { tx, row, detail, emit } = scope;
      requireStatus(row, 'review');
      const member = await placeOf(tx, row, actor);
      await requireAtSeat(tx, member, actor);
      const stage = row.reviewStage!;
      const where = and(
        eq(reviewSheets.committeeId, row.id),
        eq(reviewSheets.stage, stage),
        eq(reviewSheets.memberId, member.id),
      );
      const [sheet] = await tx.select().from(reviewSheets).where(where);
      if (sheet?.status !== 'returned') throw new AppError('SHEET_INVALID', { key: 'sheetNotReturned' });
      await tx.update(reviewSheets).set({ status: 'confirmed', confirmation: reason }).where(where);
      Object.assign(detail, { member: member.id, stage, reason });
      await emit('sheet', { memberId: member.id, stage, status: 'confirmed' });
      await this.#checkStage(scope);
      return { confirmed: true as const };
    });
  }

  /** The leader opens a "time is too short" vote (Art 48); every sitting member answers it. */
  openTimeVote(committeeId: string, actor: CommitteeActor): Promise<{ round: number }> {
    return committeeStep(
      this.#deps,
      committeeId,
      actor,
      'committee.time-vote-open',
      async ({ tx, row, detail, emit, update }) => {
        requireStatus(row, 'review');
        await requireLeaderAtSeat(tx, row, actor);
        if (row.timeVoteOpen) throw new AppError('COMMITTEE_WRONG_STATE', { key: 'timeVoteOpen' });
        const round = row.timeVoteRound + 1;
        await update({ timeVoteRound: round, timeVoteOpen: true });
        detail.round = round;
        await emit('time-vote', { round, open: true });
        return { round };
      },
    );
  }

  /**
   * A member's answer; once every sitting member has answered, more than a third saying "too short"
   * extends the review's time by the plan's extension, and the count is recorded either way.
   */
  timeVote(
    committeeId: string,
    round: number,
    tooShort: boolean,
    actor: CommitteeActor,
  ): Promise<{ voted: number; members: number }> {
    return committeeStep(
      this.#deps,
      committeeId,
      actor,
      'committee.time-vote',
      async ({ tx, row, now, detail, emit, update }) => {
        requireStatus(row, 'review');
        const member = await requireSittingAtSeat(tx, row, actor);
        if (!row.timeVoteOpen) throw new AppError('COMMITTEE_WRONG_STATE', { key: 'noTimeVote' });
        if (round !== row.timeVoteRound)
          throw new AppError('VOTE_INVALID', {
            key: 'voteWrongRound',
            params: { current: row.timeVoteRound },
          });
        const inserted = await tx
          .insert(timeVotes)
          .values({ committeeId: row.id, round, memberId: member.id, tooShort, at: now })
          .onConflictDoNothing()
          .returning({ round: timeVotes.round });
        if (!inserted.length) throw new AppError('VOTE_REPEATED');
        Object.assign(detail, { member: member.id, round });
        const sitting = new Set(
          (await membersOf(tx, row.id)).filter((m) => m.state === 'declared').map((m) => m.id),
        );
        const answers = (
          await tx
            .select({ memberId: timeVotes.memberId, tooShort: timeVotes.tooShort })
            .from(timeVotes)
            .where(and(eq(timeVotes.committeeId, row.id), eq(timeVotes.round, round)))
        ).filter((a) => sitting.has(a.memberId));
        await emit('time-vote', { round, voted: answers.length, members: sitting.size });
        if (answers.length < sitting.size) return { voted: answers.length, members: sitting.size };
        const saying = answers.filter((a) => a.tooShort).length;
        const extended = saying * 3 > sitting.size;
        const endsAt = extended
          ? new Date((row.reviewEndsAt ?? now).getTime() + row.plan!.extensionMinutes * 60_000)
          : (row.reviewEndsAt ?? now);
        const result = {
          round,
          tooShort: saying,
          members: sitting.size,
          extended,
          endsAt: endsAt.toISOString(),
        };
        await update({ timeVoteOpen: false, timeVotes: [...row.timeVotes, result], reviewEndsAt: endsAt });
        await emit('time-vote', { ...result, closed: true });
        return { voted: answers.length, members: sitting.size };
      },
    );
  }

  /**
   * The leader asks to reopen (重评) the last closed stage, with the reason, while no sheet of a later
   * stage is in; a supervisor decides (decideReopen).
   */
  requestReopen(
    committeeId: string,
    stage: ReviewStage,
    reason: string,
    actor: CommitteeActor,
  ): Promise<{ requested: true }> {
    return committeeStep(
      this.#deps,
      committeeId,
      actor,
      'committee.reopen',
      async ({ tx, row, now, detail, emit, update }) => {
        requireStatus(row, 'reopen');
        const leader = await requireLeaderAtSeat(tx, row, actor);
        if (row.reopenRequest) throw new AppError('COMMITTEE_WRONG_STATE', { key: 'reopenPending' });
        const last = row.stageResults.at(-1)?.stage;
        const laterSheets = row.reviewStage
          ? (
              await tx
                .select({ stage: reviewSheets.stage })
                .from(reviewSheets)
                .where(and(eq(reviewSheets.committeeId, row.id), eq(reviewSheets.stage, row.reviewStage)))
            ).length
          : 0;
        if (!last || last !== stage || laterSheets > 0)
          throw new AppError('COMMITTEE_WRONG_STATE', {
            key: 'reopenWhich',
            params: { stage: stageWords[last ?? stage].zh, stageEn: stageWords[last ?? stage].en },
          });
        await update({ reopenRequest: { stage, reason, by: leader.id, at: now.toISOString() } });
        Object.assign(detail, { stage, reason });
        await emit('reopen', { stage, requested: true });
        return { requested: true as const };
      },
    );
  }

  /**
   * A supervisor approves or rejects the reopening, with the reason. Approved: the stage's result is
   * dropped (and the ranking), every sheet of it goes back to its member with the leader's reason, and
   * the stage closes again once each is revised or confirmed.
   */
  decideReopen(
    committeeId: string,
    approve: boolean,
    reason: string,
    actor: CommitteeActor,
  ): Promise<{ reopened: boolean }> {
    return committeeStep(
      this.#deps,
      committeeId,
      actor,
      'committee.reopen-decision',
      async ({ tx, row, detail, emit, update }) => {
        requireStatus(row, 'reopen');
        const request = row.reopenRequest;
        if (!request) throw new AppError('COMMITTEE_WRONG_STATE', { key: 'reopenNone' });
        Object.assign(detail, { stage: request.stage, approve, reason });
        if (!approve) {
          await update({ reopenRequest: null });
          await emit('reopen', { stage: request.stage, approved: false });
          return { reopened: false };
        }
        await tx
          .update(reviewSheets)
          .set({ status: 'returned', note: request.reason })
          .where(and(eq(reviewSheets.committeeId, row.id), eq(reviewSheets.stage, request.stage)));
        if (row.status === 'reporting') requireTransition('reporting', 'reviewing');
        await update({
          reopenRequest: null,
          reviewStage: request.stage,
          stageResults: row.stageResults.slice(0, -1),
          ranking: null,
          candidates: null,
          status: 'reviewing',
        });
        await emit('reopen', { stage: request.stage, approved: true });
        return { reopened: true };
      },
    );
  }

  /**
   * Flags abnormal scores (detailed review) and closes the stage once every sitting member's sheet is in
   * and none is flagged or returned; the last stage ranks the bids and the review moves to the report.
   */
  async #checkStage(scope: Scope): Promise<void> {
    const { tx, row, now, emit, update } = scope;
    const plan = row.plan!;
    const stage = row.reviewStage as ReviewStage;
    const sitting = (await membersOf(tx, row.id)).filter((m) => m.state === 'declared');
    const sheets = await stageSheets(tx, row.id, stage, sitting);
    if (sheets.length < sitting.length) return;
    if (stage === 'detailed') {
      const flags = flagsOf(plan, sheets);
      for (const sheet of sheets) {
        const flagged = flags.some((f) => f.memberId === sheet.memberId);
        const status =
          sheet.status === 'confirmed' || sheet.status === 'returned'
            ? sheet.status
            : flagged
              ? 'flagged'
              : 'submitted';
        if (status !== sheet.status) {
          await tx
            .update(reviewSheets)
            .set({ status })
            .where(
              and(
                eq(reviewSheets.committeeId, row.id),
                eq(reviewSheets.stage, stage),
                eq(reviewSheets.memberId, sheet.memberId),
              ),
            );
          sheet.status = status;
          await emit('sheet', { memberId: sheet.memberId, stage, status });
        }
      }
    }
    if (sheets.some((s) => s.status === 'flagged' || s.status === 'returned')) return;
    const bidsNow = bidsInStage(row, await decryptedBids(tx, row.tenderId));
    const result =
      stage === 'detailed'
        ? await scoredResult(tx, row, plan, sheets, bidsNow, now)
        : passFailResult(stage, sheets, bidsNow, now);
    const results = [...row.stageResults, result];
    const stages = stagesOf(plan);
    const next = stages[stages.indexOf(stage) + 1];
    // The stage's outcome is for the committee and supervisors: the event says only that it closed.
    await emit('stage', { stage, closed: true, next: next ?? null });
    if (next) {
      await update({ stageResults: results, reviewStage: next });
      return;
    }
    const ranking = await rank(tx, row, plan, results);
    requireTransition(row.status, 'reporting');
    await update({
      stageResults: results,
      reviewStage: null,
      ranking,
      candidates: ranking.slice(0, plan.candidates),
      status: 'reporting',
    });
    await emit('status', { status: 'reporting' });
  }

  /** The review as `reader` may see it: scores and sheets for the committee and supervisors only. */
  async view(committeeId: string, reader: CommitteeActor): Promise<ReviewView> {
    const { db } = this.#deps;
    const row = await findCommittee(db, committeeId);
    const stage = (row.reviewStage as ReviewStage | null) ?? null;
    const reopen = row.reopenRequest
      ? {
          stage: row.reopenRequest.stage as ReviewStage,
          reason: row.reopenRequest.reason,
          at: row.reopenRequest.at,
        }
      : null;
    const sealed: ReviewView = {
      plan: row.plan,
      stage,
      bids: [],
      results: [],
      sheets: [],
      flags: [],
      ranking: null,
      candidates: null,
      draft: null,
      reopen,
      endsAt: row.reviewEndsAt?.toISOString() ?? null,
      timeVote: row.timeVoteOpen ? await timeVoteProgress(db, row) : null,
      timeVotes: row.timeVotes,
    };
    if (reader.role === 'host') {
      requireTenderAccess(reader, await findTender(db, row.tenderId));
      return sealed;
    }
    if (reader.role === 'tenderee') {
      requireTendereeOf(row, reader);
      return sealed;
    }
    const members = await membersOf(db, row.id);
    let you: CommitteeMember | null = null;
    if (reader.role !== 'supervisor') {
      you = await placeOf(db, row, reader);
      await requireAtSeat(db, you, reader);
    }
    const all = await db.select().from(reviewSheets).where(eq(reviewSheets.committeeId, row.id));
    const closed = new Set(row.stageResults.map((r) => r.stage));
    const sheets = all.filter((s) => !you || s.memberId === you.id || closed.has(s.stage as ReviewStage));
    const sitting = members.filter((m) => m.state === 'declared');
    const flags =
      stage === 'detailed' && row.plan
        ? flagsOf(row.plan, await stageSheets(db, row.id, stage, sitting)).filter(
            (f) => !you || row.leaderId === you.id || f.memberId === you.id,
          )
        : [];
    const [draft] =
      you && stage
        ? await db
            .select()
            .from(sheetDrafts)
            .where(
              and(
                eq(sheetDrafts.committeeId, row.id),
                eq(sheetDrafts.stage, stage),
                eq(sheetDrafts.memberId, you.id),
              ),
            )
        : [];
    return {
      ...sealed,
      bids: (await decryptedBids(db, row.tenderId)).map((b) => ({ bidId: b.id, bidder: b.bidder })),
      draft: draft && stage ? { stage, marks: draft.marks, savedAt: draft.savedAt.toISOString() } : null,
      results: row.stageResults,
      sheets: sheets.map((s) => ({
        memberId: s.memberId,
        stage: s.stage as ReviewStage,
        status: s.status,
        marks: s.marks,
        note: s.note,
        confirmation: s.confirmation,
      })),
      flags,
      ranking: row.ranking,
      candidates: row.candidates,
    };
  }
}

async function timeVoteProgress(db: Executor, row: Committee) {
  const sitting = new Set(
    (await membersOf(db, row.id)).filter((m) => m.state === 'declared').map((m) => m.id),
  );
  const answers = await db
    .select({ memberId: timeVotes.memberId })
    .from(timeVotes)
    .where(and(eq(timeVotes.committeeId, row.id), eq(timeVotes.round, row.timeVoteRound)));
  return {
    round: row.timeVoteRound,
    voted: answers.filter((a) => sitting.has(a.memberId)).length,
    members: sitting.size,
  };
}

function stageDetail(stage: ReviewStage): ErrorDetail {
  return { key: 'stageNotNow', params: { stage: stageWords[stage].zh, stageEn: stageWords[stage].en } };
}

async function anySheet(db: Executor, committeeId: string): Promise<boolean> {
  const rows = await db
    .select({ stage: reviewSheets.stage })
    .from(reviewSheets)
    .where(eq(reviewSheets.committeeId, committeeId))
    .limit(1);
  return rows.length > 0;
}

/** The stage's sheets of the sitting members (a withdrawn member's sheets stay out of every aggregate). */
async function stageSheets(
  db: Executor,
  committeeId: string,
  stage: ReviewStage,
  sitting: readonly CommitteeMember[],
) {
  const ids = new Set(sitting.map((m) => m.id));
  return (
    await db
      .select()
      .from(reviewSheets)
      .where(and(eq(reviewSheets.committeeId, committeeId), eq(reviewSheets.stage, stage)))
  ).filter((s) => ids.has(s.memberId));
}

function flagsOf(plan: ReviewPlan, sheets: readonly ReviewSheet[]): AbnormalScore[] {
  const flags = abnormalScores(
    new Map(sheets.map((s) => [s.memberId, s.marks])),
    new Map(plan.criteria.map((c) => [c.key, c.max])),
    plan.abnormalPercentOfRange,
  );
  // A confirmed sheet's scores stand: its flags are resolved.
  const confirmed = new Set(sheets.filter((s) => s.status === 'confirmed').map((s) => s.memberId));
  return flags.filter((f) => !confirmed.has(f.memberId));
}

interface OpenedBid {
  readonly id: string;
  readonly bidder: string;
  readonly summary: Record<string, string | number | boolean>;
}

/** The tender's decrypted bids (the ones the committee evaluates), with their bidders, by id. */
export async function decryptedBids(db: Executor, tenderId: string): Promise<OpenedBid[]> {
  const rows = await db
    .select({ id: bids.id, bidder: actors.name, summary: bids.summaryFields })
    .from(bids)
    .innerJoin(actors, eq(actors.id, bids.bidderId))
    .where(
      and(eq(bids.tenderId, tenderId), eq(bids.status, 'submitted'), eq(bids.openingStatus, 'decrypted')),
    );
  return rows
    .map((r) => ({ id: r.id, bidder: r.bidder, summary: r.summary ?? {} }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** The bids still in: every decrypted bid, less those rejected by a closed stage. */
function bidsInStage(row: Committee, opened: readonly OpenedBid[]): string[] {
  const rejected = new Set(row.stageResults.flatMap((r) => r.rejected.map((x) => x.bidId)));
  return opened.map((b) => b.id).filter((id) => !rejected.has(id));
}

/** Pass/fail by majority: an item more than half the members fail fails the bid, with their grounds and reasons. */
function passFailResult(
  stage: ReviewStage,
  sheets: readonly ReviewSheet[],
  bidIds: readonly string[],
  now: Date,
): StageResult {
  const rejected: StageResult['rejected'][number][] = [];
  for (const bidId of bidIds) {
    const marks = sheets.flatMap((s) => s.marks.filter((m) => m.bidId === bidId));
    const keys = [...new Set(marks.map((m) => m.key))];
    const failedItems = keys.filter(
      (key) => marks.filter((m) => m.key === key && m.pass === false).length * 2 > sheets.length,
    );
    if (!failedItems.length) continue;
    const failing = marks.filter((m) => m.pass === false && failedItems.includes(m.key));
    rejected.push({
      bidId,
      items: failedItems,
      grounds: [...new Set(failing.flatMap((m) => (m.ground ? [m.ground] : [])))],
      reasons: failing.map((m) => m.reason),
    });
  }
  const out = new Set(rejected.map((r) => r.bidId));
  return { stage, closedAt: now.toISOString(), passed: bidIds.filter((id) => !out.has(id)), rejected };
}

/** The drawn coefficient of the opening, when the plan uses one. */
async function coefficientOf(db: Executor, row: Committee, plan: ReviewPlan): Promise<number | null> {
  if (!plan.price.applyDrawnCoefficient) return null;
  const tender = await findTender(db, row.tenderId);
  return tender.drawResult ? Number(tender.drawResult.value) : null;
}

async function scoredResult(
  db: Executor,
  row: Committee,
  plan: ReviewPlan,
  sheets: readonly ReviewSheet[],
  bidIds: readonly string[],
  now: Date,
): Promise<StageResult> {
  const opened = new Map((await decryptedBids(db, row.tenderId)).map((b) => [b.id, b]));
  const prices = new Map(bidIds.map((id) => [id, String(opened.get(id)!.summary[plan.price.field])]));
  const { benchmark, scores: price } = priceScores(prices, plan.price, await coefficientOf(db, row, plan));
  // Every member's score of each bid and criterion, gathered once.
  const scoresOf = new Map<string, number[]>();
  for (const sheet of sheets)
    for (const mark of sheet.marks) {
      const id = `${mark.bidId}|${mark.key}`;
      scoresOf.set(id, [...(scoresOf.get(id) ?? []), mark.score ?? 0]);
    }
  const scores = bidIds.map((bidId) => {
    const criteria = Object.fromEntries(
      plan.criteria.map((c) => [
        c.key,
        aggregateScore(scoresOf.get(`${bidId}|${c.key}`) ?? [], plan.aggregation),
      ]),
    );
    const total = round2(Object.values(criteria).reduce((sum, v) => sum + v, 0) + price.get(bidId)!);
    return { bidId, criteria, price: price.get(bidId)!, total };
  });
  return {
    stage: 'detailed',
    closedAt: now.toISOString(),
    passed: [...bidIds],
    rejected: [],
    scores,
    benchmark,
  };
}

/**
 * Best first: the total (comprehensive) or the price (lowest price); equal totals by the plan's rule — the
 * lower price, or the higher technical score then the lower price — and last by id, so a ranking is never
 * left to chance.
 */
async function rank(
  db: Executor,
  row: Committee,
  plan: ReviewPlan,
  results: readonly StageResult[],
): Promise<string[]> {
  const last = results[results.length - 1]!;
  const opened = new Map((await decryptedBids(db, row.tenderId)).map((b) => [b.id, b]));
  const priceOf = (id: string) => Number(opened.get(id)!.summary[plan.price.field]);
  const scored = new Map((last.scores ?? []).map((s) => [s.bidId, s]));
  const technical = (id: string) =>
    plan.criteria
      .filter((c) => c.part === 'technical')
      .reduce((sum, c) => sum + (scored.get(id)?.criteria[c.key] ?? 0), 0);
  return [...last.passed].sort((a, b) => {
    if (plan.method === 'comprehensive') {
      const byTotal = scored.get(b)!.total - scored.get(a)!.total;
      if (byTotal !== 0) return byTotal;
      if (plan.tieBreak === 'higher-technical' && technical(a) !== technical(b))
        return technical(b) - technical(a);
    }
    if (priceOf(a) !== priceOf(b)) return priceOf(a) - priceOf(b);
    return a < b ? -1 : 1;
  });
}
