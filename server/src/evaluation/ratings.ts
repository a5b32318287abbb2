/**
 * The five-party evaluation (五方评价): once publicity has ended, the agency (the tender's host), the
 * tenderee, the suppliers (the tender's bidders), the experts of the committee and the supervisors rate
 * the project and each other, once each, on the form for their part (the tender's forms: the defaults
 * unless the host changed them before the first rating). Reported per target and subject, and per period.
 */
import {
  type CommitteeEvent,
  defaultRatingForms,
  type ErrorDetail,
  type Party,
  type RatingForms,
  type RatingFormView,
  type RatingRequest,
  type RatingSummary,
  type RatingTarget,
  round2,
} from '@bidhall/shared';
import { stringify } from 'csv-stringify/sync';
import { and, asc, eq, gte, inArray, lt } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import {
  actors,
  bids,
  type Committee,
  committeeMembers,
  committees,
  experts,
  ratings,
  tenders,
} from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import type { StepContext } from '../steps/step.ts';
import { findTender, requireTenderAccess } from '../tenders/tender-service.ts';
import { committeeStep } from './committee-aggregate.ts';
import type { CommitteeActor } from './committee-members.ts';
import { publishedCommitteeOrNull } from './publicity.ts';
import { requireStatus } from './state-machine.ts';

/** Which party the rater is in for this committee, or the refusal. */
async function partyOf(db: Executor, row: Committee, actor: CommitteeActor): Promise<Party> {
  switch (actor.role) {
    case 'host':
      requireTenderAccess(actor, await findTender(db, row.tenderId));
      return 'agency';
    case 'tenderee':
      if (actor.identity !== row.spec.tendereeCreditCode)
        throw new AppError('COMMITTEE_NOT_MEMBER', { key: 'notThisTenderee' });
      return 'tenderee';
    case 'supervisor':
      return 'supervisor';
    case 'bidder': {
      const [bid] = await db
        .select({ id: bids.id })
        .from(bids)
        .where(
          and(
            eq(bids.tenderId, row.tenderId),
            eq(bids.bidderId, actor.actorId ?? ''),
            eq(bids.status, 'submitted'),
          ),
        );
      if (!bid) throw new AppError('HALL_NO_BID');
      return 'supplier';
    }
    case 'expert': {
      const [member] = await db
        .select({ state: committeeMembers.state })
        .from(committeeMembers)
        .where(
          and(eq(committeeMembers.committeeId, row.id), eq(committeeMembers.identity, actor.identity ?? '')),
        );
      if (member?.state !== 'declared') throw new AppError('COMMITTEE_NOT_MEMBER');
      return 'expert';
    }
    default:
      throw new AppError('FORBIDDEN_ROLE');
  }
}

/** A rating that does not fit the rater's form, or null. */
function ratingProblem(forms: RatingForms, party: Party, request: RatingRequest): ErrorDetail | null {
  const form = forms[party];
  if (!form.targets.includes(request.target))
    return { key: 'ratingTargetNotOnForm', params: { target: request.target } };
  const several = request.target === 'supplier' || request.target === 'expert';
  if (several !== (request.subjectId !== undefined))
    return { key: 'ratingSubject', params: { target: request.target } };
  for (const c of form.criteria)
    if (request.scores[c.key] === undefined) return { key: 'ratingMissing', params: { key: c.key } };
  for (const key of Object.keys(request.scores))
    if (!form.criteria.some((c) => c.key === key)) return { key: 'ratingUnknown', params: { key } };
  return null;
}

export class RatingService {
  readonly #deps: StepContext<CommitteeEvent>;

  constructor(deps: StepContext<CommitteeEvent>) {
    this.#deps = deps;
  }

  /** The host sets the tender's forms, before anyone has rated. */
  setForms(committeeId: string, forms: RatingForms, actor: CommitteeActor): Promise<{ set: true }> {
    return committeeStep(
      this.#deps,
      committeeId,
      actor,
      'committee.rating-forms',
      async ({ tx, row, update, detail }) => {
        requireTenderAccess(actor, await findTender(tx, row.tenderId));
        requireStatus(row, 'assess');
        const [rated] = await tx
          .select({ at: ratings.at })
          .from(ratings)
          .where(eq(ratings.committeeId, row.id))
          .limit(1);
        if (rated) throw new AppError('COMMITTEE_WRONG_STATE', { key: 'ratingsStarted' });
        await update({ ratingForms: forms });
        detail.parties = Object.keys(forms).length;
        return { set: true as const };
      },
    );
  }

  /** One party's rating of one target, once publicity has ended. */
  rate(committeeId: string, request: RatingRequest, actor: CommitteeActor): Promise<{ rated: true }> {
    return committeeStep(
      this.#deps,
      committeeId,
      actor,
      'committee.rate',
      async ({ tx, row, now, detail, emit }) => {
        requireStatus(row, 'rate');
        if (!row.publicityEndedAt)
          throw new AppError('COMMITTEE_WRONG_STATE', { key: 'ratingAfterPublicity' });
        const party = await partyOf(tx, row, actor);
        const problem = ratingProblem(row.ratingForms ?? defaultRatingForms, party, request);
        if (problem) throw new AppError('RATING_INVALID', problem);
        if (request.subjectId) {
          const known =
            request.target === 'supplier'
              ? await tx
                  .select({ id: bids.id })
                  .from(bids)
                  .where(and(eq(bids.id, request.subjectId), eq(bids.tenderId, row.tenderId)))
              : await tx
                  .select({ id: committeeMembers.id })
                  .from(committeeMembers)
                  .where(
                    and(eq(committeeMembers.id, request.subjectId), eq(committeeMembers.committeeId, row.id)),
                  );
          if (!known.length)
            throw new AppError('RATING_INVALID', {
              key: 'ratingSubject',
              params: { target: request.target },
            });
        }
        const inserted = await tx
          .insert(ratings)
          .values({
            committeeId: row.id,
            raterId: actor.actorId!,
            party,
            target: request.target,
            subjectId: request.subjectId ?? '',
            scores: request.scores,
            comment: request.comment,
            at: now,
          })
          .onConflictDoNothing()
          .returning({ at: ratings.at });
        if (!inserted.length) throw new AppError('ASSESSMENT_REPEATED');
        Object.assign(detail, { party, target: request.target });
        await emit('rating', { party, target: request.target });
        return { rated: true as const };
      },
    );
  }

  /**
   * The form the reader fills in for the tender's published committee: its party's targets and criteria,
   * the suppliers and experts it may rate by name (public once publicity has ended), and what it rated;
   * null while nothing is published.
   */
  async form(tenderId: string, actor: CommitteeActor): Promise<RatingFormView | null> {
    const { db } = this.#deps;
    const row = await publishedCommitteeOrNull(db, tenderId);
    if (!row) return null;
    const party = await partyOf(db, row, actor);
    const form = (row.ratingForms ?? defaultRatingForms)[party];
    const open = row.publicityEndedAt !== null;
    const done = new Set(
      (
        await db
          .select({ target: ratings.target, subjectId: ratings.subjectId })
          .from(ratings)
          .where(and(eq(ratings.committeeId, row.id), eq(ratings.raterId, actor.actorId ?? '')))
      ).map((r) => `${r.target}|${r.subjectId}`),
    );
    const suppliers = await db
      .select({ id: bids.id, name: actors.name })
      .from(bids)
      .innerJoin(actors, eq(actors.id, bids.bidderId))
      .where(and(eq(bids.tenderId, row.tenderId), eq(bids.status, 'submitted')))
      .orderBy(asc(actors.name));
    const members = open
      ? await db
          .select({ id: committeeMembers.id, name: committeeMembers.name, code: experts.code })
          .from(committeeMembers)
          .innerJoin(experts, eq(experts.id, committeeMembers.expertId))
          .where(and(eq(committeeMembers.committeeId, row.id), eq(committeeMembers.state, 'declared')))
          .orderBy(asc(experts.code))
      : [];
    const subjectsOf = (target: RatingTarget) => {
      const several =
        target === 'supplier'
          ? suppliers
          : target === 'expert'
            ? members.map((m) => ({ id: m.id, name: `${m.name}（${m.code}）` }))
            : null;
      return several
        ? several.map((s) => ({ id: s.id, name: s.name, rated: done.has(`${target}|${s.id}`) }))
        : [{ id: null, name: null, rated: done.has(`${target}|`) }];
    };
    return {
      committeeId: row.id,
      party,
      open,
      publicityEndsAt: row.publicityEndsAt!.toISOString(),
      criteria: form.criteria,
      targets: form.targets.map((target) => ({ target, subjects: subjectsOf(target) })),
    };
  }

  /** The ratings summed up per tender, target and subject, over a period (dates in China time). */
  async report(query: { from?: string; to?: string; expert?: string }): Promise<RatingSummary[]> {
    const { db } = this.#deps;
    const conditions = [
      ...(query.from ? [gte(ratings.at, new Date(`${query.from}T00:00:00+08:00`))] : []),
      ...(query.to
        ? [lt(ratings.at, new Date(new Date(`${query.to}T00:00:00+08:00`).getTime() + 86_400_000))]
        : []),
    ];
    const rows = await db
      .select({ r: ratings, tenderCode: tenders.code })
      .from(ratings)
      .innerJoin(committees, eq(committees.id, ratings.committeeId))
      .innerJoin(tenders, eq(tenders.id, committees.tenderId))
      .where(and(...conditions))
      .orderBy(asc(tenders.code), asc(ratings.target));
    // The subjects rated, by name: suppliers' bids and experts' places among these rows only.
    const ids = (target: string) => [
      ...new Set(rows.filter(({ r }) => r.target === target).map(({ r }) => r.subjectId)),
    ];
    const subjects = new Map<string, string>([
      ...(
        await db
          .select({ id: bids.id, name: actors.name })
          .from(bids)
          .innerJoin(actors, eq(actors.id, bids.bidderId))
          .where(inArray(bids.id, ids('supplier')))
      ).map((b) => [b.id, b.name] as const),
      ...(
        await db
          .select({ id: committeeMembers.id, code: experts.code })
          .from(committeeMembers)
          .innerJoin(experts, eq(experts.id, committeeMembers.expertId))
          .where(inArray(committeeMembers.id, ids('expert')))
      ).map((m) => [m.id, m.code] as const),
    ]);
    const groups = new Map<
      string,
      { tenderCode: string; target: string; subjectId: string; scores: Record<string, number>[] }
    >();
    for (const { r, tenderCode } of rows) {
      const key = `${tenderCode}|${r.target}|${r.subjectId}`;
      const group = groups.get(key) ?? { tenderCode, target: r.target, subjectId: r.subjectId, scores: [] };
      group.scores.push(r.scores);
      groups.set(key, group);
    }
    const summaries = [...groups.values()].map((g) => {
      const keys = [...new Set(g.scores.flatMap((s) => Object.keys(s)))];
      return {
        tenderCode: g.tenderCode,
        target: g.target as RatingSummary['target'],
        subject: g.subjectId ? (subjects.get(g.subjectId) ?? g.subjectId) : null,
        ratings: g.scores.length,
        means: Object.fromEntries(
          keys.map((k) => [k, round2(g.scores.reduce((sum, s) => sum + (s[k] ?? 0), 0) / g.scores.length)]),
        ),
      };
    });
    // Per expert: the ratings of that expert (by pool number) only.
    return query.expert
      ? summaries.filter((r) => r.target === 'expert' && r.subject === query.expert)
      : summaries;
  }
}

const targetWords: Record<RatingSummary['target'], string> = {
  project: '项目',
  agency: '招标代理机构',
  tenderee: '招标人',
  supplier: '投标人',
  expert: '评标专家',
  supervisor: '监督人员',
};

/** The summary as a spreadsheet in words: one line per target, subject and criterion. */
export function ratingsCsv(rows: readonly RatingSummary[]): string {
  return stringify(
    rows.flatMap((r) =>
      Object.entries(r.means).map(([key, mean]) => [
        r.tenderCode,
        targetWords[r.target],
        r.subject ?? '',
        key,
        mean,
        r.ratings,
      ]),
    ),
    {
      bom: true,
      header: true,
      record_delimiter: 'windows',
      columns: ['项目编号', '评价对象', '具体对象', '评价项', '平均分', '评价人数'],
    },
  );
}
