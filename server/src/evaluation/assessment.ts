/**
 * The assessment of each expert after a project (一项目一考评, 实施条例 Art 71): once the report is signed,
 * the tender's host, its tenderee and a supervisor each assess each expert of the committee on the
 * checklist (assessmentItems) with a verdict. A supervisor's 不称职 suspends the expert from draws for the
 * period the committee's specification gives (the pool's status, which the exclusions read). Reported per
 * expert and per period, as JSON or CSV. Steps run on the committee's row through the step kernel.
 */
import {
  type AssessmentQuery,
  type AssessmentRequest,
  type AssessmentView,
  assessmentItemWords,
  type CommitteeEvent,
  isRole,
  type OwnAssessment,
  roleWords,
} from '@bidhall/shared';
import { stringify } from 'csv-stringify/sync';
import { and, asc, eq, gte, lt } from 'drizzle-orm';
import { committees, expertAssessments, experts, tenders } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { chinaTime } from '../opening/record-pdf.ts';
import type { StepContext } from '../steps/step.ts';
import { findTender, requireTenderAccess } from '../tenders/tender-service.ts';
import { type CommitteeScope, committeeStep } from './committee-aggregate.ts';
import { type CommitteeActor, findCommittee, membersOf, requireTendereeOf } from './committee-members.ts';
import { requireStatus } from './state-machine.ts';

type Scope = CommitteeScope;

export class AssessmentService {
  readonly #deps: StepContext<CommitteeEvent>;

  constructor(deps: StepContext<CommitteeEvent>) {
    this.#deps = deps;
  }

  /** One assessor's assessment of one expert of the committee (once each). */
  assess(
    committeeId: string,
    request: AssessmentRequest,
    actor: CommitteeActor,
  ): Promise<{ suspendedUntil: string | null }> {
    return committeeStep(
      this.#deps,
      committeeId,
      actor,
      'committee.assess',
      async ({ tx, row, now, detail, emit }: Scope) => {
        requireStatus(row, 'assess');
        if (actor.role === 'host') requireTenderAccess(actor, await findTender(tx, row.tenderId));
        if (actor.role === 'tenderee') requireTendereeOf(row, actor);
        const member = (await membersOf(tx, row.id)).find(
          (m) => m.id === request.memberId && m.kind === 'expert' && m.state === 'declared',
        );
        if (!member?.expertId) throw new AppError('COMMITTEE_INVALID', { key: 'leaderNotMember' });
        const inserted = await tx
          .insert(expertAssessments)
          .values({
            committeeId: row.id,
            memberId: member.id,
            expertId: member.expertId,
            assessorId: actor.actorId!,
            assessorRole: actor.role ?? '',
            observed: [...request.observed],
            verdict: request.verdict,
            note: request.note,
            at: now,
          })
          .onConflictDoNothing()
          .returning({ at: expertAssessments.at });
        if (!inserted.length) throw new AppError('ASSESSMENT_REPEATED');
        let suspendedUntil: Date | null = null;
        if (request.verdict === 'incompetent' && actor.role === 'supervisor') {
          suspendedUntil = new Date(now.getTime() + row.spec.suspensionDaysForIncompetent * 86_400_000);
          await tx
            .update(experts)
            .set({ status: 'suspended', suspendedUntil, updatedAt: now })
            .where(eq(experts.id, member.expertId));
        }
        Object.assign(detail, {
          member: member.id,
          verdict: request.verdict,
          ...(suspendedUntil ? { suspendedUntil: suspendedUntil.toISOString() } : {}),
        });
        await emit('assessment', { memberId: member.id });
        return { suspendedUntil: suspendedUntil?.toISOString() ?? null };
      },
    );
  }

  /** The reader's own assessments of the committee's experts, to show what it has done. */
  async mine(committeeId: string, actor: CommitteeActor): Promise<OwnAssessment[]> {
    const { db } = this.#deps;
    const row = await findCommittee(db, committeeId);
    if (actor.role === 'host') requireTenderAccess(actor, await findTender(db, row.tenderId));
    if (actor.role === 'tenderee') requireTendereeOf(row, actor);
    const rows = await db
      .select()
      .from(expertAssessments)
      .where(
        and(eq(expertAssessments.committeeId, row.id), eq(expertAssessments.assessorId, actor.actorId ?? '')),
      )
      .orderBy(asc(expertAssessments.at));
    return rows.map((a) => ({
      memberId: a.memberId,
      verdict: a.verdict,
      observed: a.observed as OwnAssessment['observed'],
      note: a.note,
      at: a.at.toISOString(),
    }));
  }

  /** Assessments per expert and per period (dates in China time), for the pool's readers. */
  async report(query: AssessmentQuery): Promise<AssessmentView[]> {
    const conditions = [
      ...(query.from ? [gte(expertAssessments.at, new Date(`${query.from}T00:00:00+08:00`))] : []),
      ...(query.to
        ? [lt(expertAssessments.at, new Date(new Date(`${query.to}T00:00:00+08:00`).getTime() + 86_400_000))]
        : []),
      ...(query.expert ? [eq(experts.code, query.expert)] : []),
    ];
    const rows = await this.#deps.db
      .select({ a: expertAssessments, code: experts.code, name: experts.name, tenderCode: tenders.code })
      .from(expertAssessments)
      .innerJoin(experts, eq(experts.id, expertAssessments.expertId))
      .innerJoin(committees, eq(committees.id, expertAssessments.committeeId))
      .innerJoin(tenders, eq(tenders.id, committees.tenderId))
      .where(and(...conditions))
      .orderBy(asc(experts.code), asc(expertAssessments.at));
    return rows.map(({ a, code, name, tenderCode }) => ({
      expertCode: code,
      expertName: name,
      tenderCode,
      assessorRole: a.assessorRole,
      verdict: a.verdict,
      observed: a.observed as AssessmentView['observed'],
      note: a.note,
      at: a.at.toISOString(),
    }));
  }
}

const verdictWords: Record<AssessmentView['verdict'], string> = {
  competent: '称职',
  'basically-competent': '基本称职',
  incompetent: '不称职',
};

/** The report as a spreadsheet in words (Chinese, as the audit trail's is), with a BOM for spreadsheet programs. */
export function assessmentsCsv(rows: readonly AssessmentView[]): string {
  return stringify(
    rows.map((r) => [
      r.expertCode,
      r.expertName,
      r.tenderCode,
      isRole(r.assessorRole) ? roleWords[r.assessorRole].zh : r.assessorRole,
      verdictWords[r.verdict],
      r.observed.map((item) => assessmentItemWords[item].zh).join('；'),
      r.note,
      chinaTime(r.at),
    ]),
    {
      bom: true,
      header: true,
      record_delimiter: 'windows',
      columns: ['专家编号', '专家姓名', '项目编号', '评价人', '结论', '评价事项', '说明', '时间'],
    },
  );
}
