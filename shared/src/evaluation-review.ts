/**
 * The review (评审) as the contract carries it: the plan a tender's host defines (the pass/fail items of
 * the qualification and compliance stages, the scoring criteria of the detailed review, the method and
 * the price formula, the abnormal-score threshold), the sheets members submit per stage, and the
 * formulas everyone recomputes: the price score from the opening summary (and the coefficient drawn at
 * the opening), a stage's aggregate, the abnormal scores. docs/evaluation.md has the rules.
 */
import { type Static, Type } from 'typebox';

const Key = Type.String({ pattern: '^[a-z][a-zA-Z0-9_-]{0,39}$' });
const Label = Type.Object(
  { zh: Type.String({ minLength: 1, maxLength: 200 }), en: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
const Item = Type.Object({ key: Key, label: Label }, { additionalProperties: false });

/** The grounds on which the committee rejects a bid (实施条例 Art 51, (1)–(7)). */
export const rejectionGrounds = [
  'unsigned',
  'jointBidWithoutAgreement',
  'unqualified',
  'multipleBidsOrPrices',
  'priceAboveCeilingOrBelowCost',
  'nonResponsive',
  'collusionOrFraud',
] as const;
export type RejectionGround = (typeof rejectionGrounds)[number];

export const rejectionGroundWords: Readonly<Record<RejectionGround, { zh: string; en: string }>> = {
  unsigned: { zh: '投标文件未经投标单位盖章和单位负责人签字', en: 'not sealed and signed by the bidder' },
  jointBidWithoutAgreement: {
    zh: '投标联合体没有提交共同投标协议',
    en: 'a joint bid without the joint agreement',
  },
  unqualified: {
    zh: '投标人不符合国家或者招标文件规定的资格条件',
    en: 'the bidder does not meet the qualifications',
  },
  multipleBidsOrPrices: {
    zh: '同一投标人提交两个以上不同的投标文件或者投标报价',
    en: 'more than one bid or price from the same bidder',
  },
  priceAboveCeilingOrBelowCost: {
    zh: '投标报价低于成本或者高于招标文件设定的最高投标限价',
    en: 'the price is below cost or above the ceiling price',
  },
  nonResponsive: {
    zh: '投标文件没有对招标文件的实质性要求和条件作出响应',
    en: 'the bid does not respond to the substantive requirements',
  },
  collusionOrFraud: {
    zh: '投标人有串通投标、弄虚作假、行贿等违法行为',
    en: 'collusion, fraud, bribery or another unlawful act',
  },
};

export const reviewMethods = ['comprehensive', 'lowest-price'] as const;
export type ReviewMethod = (typeof reviewMethods)[number];

/** The plan of a tender's review, defined by its host before the review starts. */
export const ReviewPlan = Type.Object(
  {
    qualification: Type.Array(Item, { minItems: 1, maxItems: 50 }),
    compliance: Type.Array(Item, { minItems: 1, maxItems: 50 }),
    /** 综合评分法 (scored criteria plus the price score) or 经评审的最低投标价法 (the lowest price wins). */
    method: Type.Enum(reviewMethods),
    /** The detailed review's criteria (comprehensive scoring only), each scored from 0 to `max`. */
    criteria: Type.Array(
      Type.Object(
        {
          key: Key,
          label: Label,
          part: Type.Enum(['technical', 'commercial']),
          max: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 100 },
    ),
    price: Type.Object(
      {
        /** The opening summary's field holding the price (a money field). */
        field: Key,
        maxPoints: Type.Number({ minimum: 0, maximum: 100 }),
        /** The benchmark (评标基准价) is the mean of the valid prices, times the drawn coefficient if set. */
        applyDrawnCoefficient: Type.Boolean(),
        /** Points off per percent above and below the benchmark. */
        pointsPerPercentAbove: Type.Number({ minimum: 0, maximum: 100 }),
        pointsPerPercentBelow: Type.Number({ minimum: 0, maximum: 100 }),
      },
      { additionalProperties: false },
    ),
    /** A score further than this share of the criterion's range from the median of the others is flagged. */
    abnormalPercentOfRange: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
    /** How a criterion's scores combine: the mean, or the mean without the highest and lowest. */
    aggregation: Type.Enum(['mean', 'trimmed-mean']),
    /** How long the members have to sign the report or dissent; silence then is agreement (Art 53). */
    signingMinutes: Type.Integer({ minimum: 10, maximum: 7 * 24 * 60 }),
    /** The time the review is given from its start, and how much more an extension (Art 48) adds. */
    reviewMinutes: Type.Integer({ minimum: 30, maximum: 14 * 24 * 60 }),
    extensionMinutes: Type.Integer({ minimum: 10, maximum: 24 * 60 }),
    /** How equal totals are ranked: the lower price first, or the higher technical score first (then the price). */
    tieBreak: Type.Enum(['lower-price', 'higher-technical']),
    /** How many ranked candidates the report names (≤ 3, Art 53). */
    candidates: Type.Integer({ minimum: 1, maximum: 3 }),
  },
  { additionalProperties: false },
);
export type ReviewPlan = Static<typeof ReviewPlan>;

export const reviewStages = ['qualification', 'compliance', 'detailed'] as const;
export type ReviewStage = (typeof reviewStages)[number];

/** The stages a plan has, in order (the detailed review only with comprehensive scoring). */
export function stagesOf(plan: Pick<ReviewPlan, 'method'>): ReviewStage[] {
  return plan.method === 'comprehensive'
    ? ['qualification', 'compliance', 'detailed']
    : ['qualification', 'compliance'];
}

/** One mark of a sheet: pass/fail of an item (with the ground and reason of a fail), or a criterion's score. */
export const SheetMark = Type.Object(
  {
    bidId: Type.String({ format: 'uuid' }),
    key: Key,
    pass: Type.Optional(Type.Boolean()),
    ground: Type.Optional(Type.Enum(rejectionGrounds)),
    score: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    /** Required for a fail and for every deduction (a score below the criterion's maximum). */
    reason: Type.String({ maxLength: 1000 }),
  },
  { additionalProperties: false },
);
export type SheetMark = Static<typeof SheetMark>;

export const SheetRequest = Type.Object(
  { stage: Type.Enum(reviewStages), marks: Type.Array(SheetMark, { minItems: 1, maxItems: 10_000 }) },
  { additionalProperties: false },
);
export type SheetRequest = Static<typeof SheetRequest>;

/**
 * A member's sheet as typed so far (saved on the server so nothing is lost): the same marks, any number
 * of them, none checked for completeness until the sheet is submitted.
 */
export const SheetDraftRequest = Type.Object(
  { stage: Type.Enum(reviewStages), marks: Type.Array(SheetMark, { maxItems: 10_000 }) },
  { additionalProperties: false },
);
export type SheetDraftRequest = Static<typeof SheetDraftRequest>;

export const ReturnSheetRequest = Type.Object(
  { memberId: Type.String({ format: 'uuid' }), note: Type.String({ minLength: 2, maxLength: 1000 }) },
  { additionalProperties: false },
);
export type ReturnSheetRequest = Static<typeof ReturnSheetRequest>;

/** The leader asks to reopen a closed stage (重评), with the reason; a supervisor approves or rejects. */
export const ReopenRequest = Type.Object(
  { stage: Type.Enum(reviewStages), reason: Type.String({ minLength: 2, maxLength: 1000 }) },
  { additionalProperties: false },
);
export type ReopenRequest = Static<typeof ReopenRequest>;

export const DecisionRequest = Type.Object(
  { approve: Type.Boolean(), reason: Type.String({ minLength: 2, maxLength: 1000 }) },
  { additionalProperties: false },
);
export type DecisionRequest = Static<typeof DecisionRequest>;

export const ConfirmSheetRequest = Type.Object(
  { reason: Type.String({ minLength: 2, maxLength: 1000 }) },
  { additionalProperties: false },
);
export type ConfirmSheetRequest = Static<typeof ConfirmSheetRequest>;

/**
 * Where a sheet stands: submitted; flagged (an abnormal score in it); returned by the leader with a note;
 * confirmed by its member with a reason (its flags are resolved).
 */
export const sheetStatuses = ['submitted', 'flagged', 'returned', 'confirmed'] as const;
export type SheetStatus = (typeof sheetStatuses)[number];

export interface AbnormalScore {
  readonly memberId: string;
  readonly bidId: string;
  readonly key: string;
  readonly score: number;
  /** The median of the other members' scores for the same bid and criterion. */
  readonly median: number;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * The abnormal scores of a detailed review: a member's score further than `percent` % of the criterion's
 * range from the median of the other members' scores of the same bid and criterion.
 */
export function abnormalScores(
  sheets: ReadonlyMap<string, readonly SheetMark[]>,
  ranges: ReadonlyMap<string, number>,
  percent: number,
): AbnormalScore[] {
  // Every member's score of each bid and criterion, gathered once (sheets hold thousands of marks each).
  const byMark = new Map<string, { memberId: string; score: number }[]>();
  for (const [memberId, marks] of sheets)
    for (const mark of marks) {
      const id = `${mark.bidId}|${mark.key}`;
      const list = byMark.get(id) ?? [];
      list.push({ memberId, score: mark.score ?? 0 });
      byMark.set(id, list);
    }
  const flagged: AbnormalScore[] = [];
  for (const [memberId, marks] of sheets) {
    for (const mark of marks) {
      const others = byMark
        .get(`${mark.bidId}|${mark.key}`)!
        .filter((other) => other.memberId !== memberId)
        .map((other) => other.score);
      if (!others.length) continue;
      const middle = median(others);
      const range = ranges.get(mark.key) ?? 0;
      if (Math.abs((mark.score ?? 0) - middle) > (percent / 100) * range)
        flagged.push({ memberId, bidId: mark.bidId, key: mark.key, score: mark.score ?? 0, median: middle });
    }
  }
  return flagged;
}

/** A criterion's score for a bid from the members' scores: the mean, or without the extremes. */
export function aggregateScore(scores: readonly number[], aggregation: ReviewPlan['aggregation']): number {
  const sorted = [...scores].sort((a, b) => a - b);
  const kept = aggregation === 'trimmed-mean' && sorted.length >= 5 ? sorted.slice(1, -1) : sorted;
  return round2(kept.reduce((sum, s) => sum + s, 0) / kept.length);
}

export const round2 = (value: number): number => Math.round(value * 100) / 100;

/**
 * The price scores (价格分) of the valid bids: benchmark = mean of their prices (× the drawn coefficient
 * when the plan says so); each bid loses `pointsPerPercentAbove` per percent above it, or
 * `pointsPerPercentBelow` per percent below, from `maxPoints`, never below 0; rounded to cents of a point.
 */
export function priceScores(
  prices: ReadonlyMap<string, string>,
  price: ReviewPlan['price'],
  coefficient: number | null,
): { readonly benchmark: number; readonly scores: ReadonlyMap<string, number> } {
  const values = [...prices.values()].map(Number);
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const benchmark = round2(price.applyDrawnCoefficient && coefficient !== null ? mean * coefficient : mean);
  const scores = new Map<string, number>();
  for (const [bidId, text] of prices) {
    const deviation = ((Number(text) - benchmark) / benchmark) * 100;
    const off =
      deviation > 0 ? deviation * price.pointsPerPercentAbove : -deviation * price.pointsPerPercentBelow;
    scores.set(bidId, round2(Math.max(0, price.maxPoints - off)));
  }
  return { benchmark, scores };
}

/** A stage's outcome: pass/fail per bid (a majority of members failing an item fails the bid), or scores. */
export interface StageResult {
  readonly stage: ReviewStage;
  readonly closedAt: string;
  /** Bids still in after this stage. */
  readonly passed: readonly string[];
  /** Bids rejected here, each with the items failed, the grounds and the members' reasons. */
  readonly rejected: readonly {
    readonly bidId: string;
    readonly items: readonly string[];
    readonly grounds: readonly RejectionGround[];
    readonly reasons: readonly string[];
  }[];
  /** The detailed review: each bid's aggregated score per criterion, its price score and total. */
  readonly scores?: readonly {
    readonly bidId: string;
    readonly criteria: Readonly<Record<string, number>>;
    readonly price: number;
    readonly total: number;
  }[];
  readonly benchmark?: number;
}

/** The review as a reader sees it: the plan, the current stage, closed stages' results, sheets allowed. */
export interface ReviewView {
  readonly plan: ReviewPlan | null;
  readonly stage: ReviewStage | null;
  /** The bids evaluated, with their bidders (for the committee and supervisors; empty for the others). */
  readonly bids: readonly { readonly bidId: string; readonly bidder: string }[];
  readonly results: readonly StageResult[];
  /** The sheets the reader may see (its own; everyone's once a stage is closed; all for supervisors). */
  readonly sheets: readonly {
    readonly memberId: string;
    readonly stage: ReviewStage;
    readonly status: SheetStatus;
    readonly marks: readonly SheetMark[];
    readonly note: string | null;
    readonly confirmation: string | null;
  }[];
  /** The reader's own unfinished sheet of the running stage, as last saved (members only). */
  readonly draft: {
    readonly stage: ReviewStage;
    readonly marks: readonly SheetMark[];
    readonly savedAt: string;
  } | null;
  /** Abnormal scores of the running detailed review (members and supervisors). */
  readonly flags: readonly AbnormalScore[];
  /** The ranking once the review is over: bid ids, best first, and the candidates (≤ 3). */
  readonly ranking: readonly string[] | null;
  readonly candidates: readonly string[] | null;
  /** When the review's time ends (moved by each extension), the running time vote and the closed ones. */
  readonly endsAt: string | null;
  readonly timeVote: { readonly round: number; readonly voted: number; readonly members: number } | null;
  readonly timeVotes: readonly TimeVoteResult[];
  /** A reopening the leader asked for, waiting for a supervisor. */
  readonly reopen: { readonly stage: ReviewStage; readonly reason: string; readonly at: string } | null;
}

/** A member's answer in a "time is too short" vote (Art 48: more than a third extends the evaluation). */
export const TimeVoteRequest = Type.Object(
  { round: Type.Integer({ minimum: 1, maximum: 1000 }), tooShort: Type.Boolean() },
  { additionalProperties: false },
);
export type TimeVoteRequest = Static<typeof TimeVoteRequest>;

/** A closed "time is too short" vote: how many said so of how many, and whether the time was extended. */
export interface TimeVoteResult {
  readonly round: number;
  readonly tooShort: number;
  readonly members: number;
  readonly extended: boolean;
  readonly endsAt: string;
}

/** A clarification's course (澄清, Art 52): asked by the leader, approved or rejected by a supervisor, answered or expired. */
export const clarificationStatuses = [
  'awaiting-approval',
  'rejected',
  'open',
  'answered',
  'expired',
] as const;
export type ClarificationStatus = (typeof clarificationStatuses)[number];

export const AskRequest = Type.Object(
  {
    bidId: Type.String({ format: 'uuid' }),
    question: Type.String({ minLength: 2, maxLength: 4000 }),
    /** How long the bidder has to answer once a supervisor approves. */
    answerMinutes: Type.Integer({ minimum: 10, maximum: 7 * 24 * 60 }),
  },
  { additionalProperties: false },
);
export type AskRequest = Static<typeof AskRequest>;

export const AnswerFile = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^/\\\\]+$' }),
    /** The file's bytes, base64. */
    content: Type.String({ pattern: '^[A-Za-z0-9+/=]*$', maxLength: 4 * 1024 * 1024 }),
  },
  { additionalProperties: false },
);

export const ClarificationAnswerRequest = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 20_000 }),
    files: Type.Array(AnswerFile, { maxItems: 5 }),
    /** CMS SignedData (DER, base64), detached, over `clarificationAnswerText` of exactly this answer. */
    signature: Type.String({ pattern: '^[A-Za-z0-9+/=]*$', minLength: 1, maxLength: 32 * 1024 }),
  },
  { additionalProperties: false },
);
export type ClarificationAnswerRequest = Static<typeof ClarificationAnswerRequest>;

/** A clarification as the bidder reads it: the question and its deadline — never who asked. */
export interface BidderClarification {
  readonly id: string;
  readonly tenderId: string;
  readonly question: string;
  readonly status: ClarificationStatus;
  readonly deadline: string;
  readonly answeredAt: string | null;
}

/** A clarification as the committee and supervisors read it. */
export interface CommitteeClarification extends BidderClarification {
  readonly bidId: string;
  readonly askedBy: string;
  readonly askedAt: string;
  readonly decision: { readonly approved: boolean; readonly reason: string; readonly at: string } | null;
  readonly answer: string | null;
  readonly files: readonly { readonly name: string; readonly sha256: string; readonly bytes: number }[];
}

export const clarificationAnswerFormat = 'bidhall-clarification-answer/1';

/**
 * The exact text a bidder signs: the clarification, the question it answers, the answer, and each file
 * by name and SHA-256. The server rebuilds it and checks the signature against these bytes, so the
 * signature covers the answer and its files, and verifies offline against the same text.
 */
export function clarificationAnswerText(input: {
  readonly clarificationId: string;
  readonly question: string;
  readonly text: string;
  readonly files: readonly { readonly name: string; readonly sha256: string }[];
}): string {
  return [
    clarificationAnswerFormat,
    `clarification: ${input.clarificationId}`,
    `question: ${input.question}`,
    `answer: ${input.text}`,
    ...input.files.map((f) => `file: ${f.sha256} ${f.name}`),
    '',
  ].join('\n');
}

export const reportFormat = 'bidhall-evaluation-report/1';

/** The evaluation report (评标报告) as signed: canonical JSON (RFC 8785) of exactly this shape. */
export interface EvaluationReport {
  readonly format: typeof reportFormat;
  readonly committeeId: string;
  readonly tender: { readonly id: string; readonly code: string; readonly title: string };
  readonly openingRecordSha256: string | null;
  readonly generatedAt: string;
  readonly members: readonly {
    readonly memberId: string;
    readonly name: string;
    readonly kind: string;
    readonly specialty: string | null;
    readonly venue: string | null;
    readonly leader: boolean;
  }[];
  readonly bids: readonly { readonly bidId: string; readonly bidder: string }[];
  readonly stages: readonly StageResult[];
  /** Every sitting member's sheet of every stage, as submitted (per-member tables). */
  readonly sheets: readonly {
    readonly memberId: string;
    readonly stage: ReviewStage;
    readonly marks: readonly SheetMark[];
  }[];
  readonly clarifications: readonly {
    readonly bidId: string;
    readonly question: string;
    readonly status: ClarificationStatus;
    readonly answer: string | null;
  }[];
  readonly timeVotes: readonly TimeVoteResult[];
  readonly ranking: readonly string[];
  readonly candidates: readonly { readonly rank: number; readonly bidId: string; readonly bidder: string }[];
}

export const ReportSignatureRequest = Type.Object(
  {
    /** CMS SignedData (DER, base64), detached, over the report's exact text (or the dissent's). */
    signature: Type.String({ pattern: '^[A-Za-z0-9+/=]*$', minLength: 1, maxLength: 32 * 1024 }),
  },
  { additionalProperties: false },
);
export type ReportSignatureRequest = Static<typeof ReportSignatureRequest>;

export const DissentRequest = Type.Object(
  {
    statement: Type.String({ minLength: 10, maxLength: 10_000 }),
    signature: Type.String({ pattern: '^[A-Za-z0-9+/=]*$', minLength: 1, maxLength: 32 * 1024 }),
  },
  { additionalProperties: false },
);
export type DissentRequest = Static<typeof DissentRequest>;

export const dissentFormat = 'bidhall-evaluation-dissent/1';

/** The exact text a dissenting member signs: the report it dissents from, by hash, and its reasons. */
export function dissentText(input: {
  readonly reportSha256: string;
  readonly memberId: string;
  readonly statement: string;
}): string {
  return [
    dissentFormat,
    `report: ${input.reportSha256}`,
    `member: ${input.memberId}`,
    `statement: ${input.statement}`,
    '',
  ].join('\n');
}

/** How each member stands on the report: signed, dissented (with reasons), or silent until the end (agreed). */
export const reportStances = ['signed', 'dissented', 'deemed-agreed'] as const;
export type ReportStance = (typeof reportStances)[number];

export interface ReportView {
  readonly text: string;
  readonly sha256: string;
  readonly signingEndsAt: string;
  readonly stances: readonly {
    readonly memberId: string;
    readonly stance: ReportStance;
    readonly statement: string | null;
    readonly at: string;
  }[];
}

export const PublishRequest = Type.Object(
  { days: Type.Integer({ minimum: 3, maximum: 30 }) },
  { additionalProperties: false },
);
export type PublishRequest = Static<typeof PublishRequest>;

export const TextRequest = Type.Object(
  { text: Type.String({ minLength: 2, maxLength: 4000 }) },
  { additionalProperties: false },
);
export type TextRequest = Static<typeof TextRequest>;

/** What publicity shows every reader of the tender: the candidates, objections, and at its end the committee. */
export interface CandidatesView {
  readonly candidates: readonly { readonly rank: number; readonly bidder: string }[];
  readonly publishedAt: string;
  readonly publicityEndsAt: string;
  readonly ended: boolean;
  /** Every objection and its answer (a bidder sees its own). */
  readonly objections: readonly {
    readonly id: string;
    readonly text: string;
    readonly at: string;
    readonly answer: string | null;
    readonly answeredAt: string | null;
  }[];
  /** Once publicity has ended: the members' names with their seals' nonces (experts with their pool numbers). */
  readonly committee:
    | readonly {
        readonly memberId: string;
        readonly name: string;
        readonly kind: string;
        readonly code: string | null;
        readonly commitment: string;
        readonly nonce: string;
      }[]
    | null;
}

/**
 * The per-project assessment of an expert (一项目一考评), its checklist based on 实施条例 Art 71: conduct that
 * counts against the expert, and the one that counts for it.
 */
export const assessmentItems = [
  'lateOrEarlyLeaving',
  'disciplineBreach',
  'scoringErrors',
  'leadingRemarks',
  'followingOthersWithoutPrinciple',
  'delaying',
  'improperClarification',
  'constructiveSuggestions',
] as const;
export type AssessmentItem = (typeof assessmentItems)[number];

export const assessmentItemWords: Readonly<Record<AssessmentItem, { zh: string; en: string }>> = {
  lateOrEarlyLeaving: { zh: '迟到或早退', en: 'came late or left early' },
  disciplineBreach: { zh: '违反评标纪律', en: 'broke the evaluation’s rules' },
  scoringErrors: { zh: '评分错误', en: 'scoring errors' },
  leadingRemarks: { zh: '发表倾向性言论', en: 'leading remarks' },
  followingOthersWithoutPrinciple: { zh: '无原则附和他人意见', en: 'followed others without principle' },
  delaying: { zh: '拖延评标', en: 'delayed the evaluation' },
  improperClarification: { zh: '不当要求澄清', en: 'asked for improper clarifications' },
  constructiveSuggestions: { zh: '提出建设性意见', en: 'made constructive suggestions' },
};

export const assessmentVerdicts = ['competent', 'basically-competent', 'incompetent'] as const;
export type AssessmentVerdict = (typeof assessmentVerdicts)[number];

export const AssessmentRequest = Type.Object(
  {
    memberId: Type.String({ format: 'uuid' }),
    /** The checklist items observed. */
    observed: Type.Array(Type.Enum(assessmentItems), { maxItems: assessmentItems.length, uniqueItems: true }),
    verdict: Type.Enum(assessmentVerdicts),
    note: Type.String({ maxLength: 2000 }),
  },
  { additionalProperties: false },
);
export type AssessmentRequest = Static<typeof AssessmentRequest>;

/** One assessment as reported per expert and per period. */
export interface AssessmentView {
  readonly expertCode: string;
  readonly expertName: string;
  readonly tenderCode: string;
  readonly assessorRole: string;
  readonly verdict: AssessmentVerdict;
  readonly observed: readonly AssessmentItem[];
  readonly note: string;
  readonly at: string;
}

export const AssessmentQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date' })),
    to: Type.Optional(Type.String({ format: 'date' })),
    expert: Type.Optional(Type.String({ maxLength: 40 })),
    format: Type.Optional(Type.Enum(['json', 'csv'])),
  },
  { additionalProperties: false },
);
export type AssessmentQuery = Static<typeof AssessmentQuery>;

/**
 * The five-party evaluation (五方评价): the agency (the tender's host), the tenderee, the suppliers (the
 * tender's bidders), the experts and the supervisors rate the project and each other once publicity has
 * ended, each on the form for its part. The forms are the tender's: the host may change them before the
 * first rating; these are the defaults.
 */
export const parties = ['agency', 'tenderee', 'supplier', 'expert', 'supervisor'] as const;
export type Party = (typeof parties)[number];
export const ratingTargets = ['project', ...parties] as const;
export type RatingTarget = (typeof ratingTargets)[number];

const RatingCriterion = Type.Object({ key: Key, label: Label }, { additionalProperties: false });
const RatingForm = Type.Object(
  {
    targets: Type.Array(Type.Enum(ratingTargets), {
      minItems: 1,
      maxItems: ratingTargets.length,
      uniqueItems: true,
    }),
    criteria: Type.Array(RatingCriterion, { minItems: 1, maxItems: 20 }),
  },
  { additionalProperties: false },
);
export const RatingForms = Type.Object(
  {
    agency: RatingForm,
    tenderee: RatingForm,
    supplier: RatingForm,
    expert: RatingForm,
    supervisor: RatingForm,
  },
  { additionalProperties: false },
);
export type RatingForms = Static<typeof RatingForms>;

const criterion = (key: string, zh: string, en: string) => ({ key, label: { zh, en } });
const common = [
  criterion('conduct', '依法依规、公正履职', 'acted lawfully and impartially'),
  criterion('cooperation', '配合与沟通', 'cooperation and communication'),
  criterion('efficiency', '工作效率', 'efficiency'),
];
export const defaultRatingForms: RatingForms = {
  agency: { targets: ['project', 'tenderee', 'supplier', 'expert', 'supervisor'], criteria: common },
  tenderee: { targets: ['project', 'agency', 'expert', 'supervisor'], criteria: common },
  supplier: { targets: ['project', 'agency', 'tenderee', 'expert'], criteria: common },
  expert: { targets: ['project', 'agency', 'tenderee', 'supplier'], criteria: common },
  supervisor: { targets: ['project', 'agency', 'tenderee', 'supplier', 'expert'], criteria: common },
};

export const RatingRequest = Type.Object(
  {
    target: Type.Enum(ratingTargets),
    /** Which one, where the target has several: a bid's id (supplier) or a member's id (expert). */
    subjectId: Type.Optional(Type.String({ format: 'uuid' })),
    /** 1 (poor) to 5 (excellent) for each criterion of the rater's form. */
    scores: Type.Record(Type.String({ maxLength: 40 }), Type.Integer({ minimum: 1, maximum: 5 })),
    comment: Type.String({ maxLength: 2000 }),
  },
  { additionalProperties: false },
);
export type RatingRequest = Static<typeof RatingRequest>;

/** The five-party form as one rater sees it: its party's targets and criteria, the subjects, what it rated. */
export interface RatingFormView {
  readonly committeeId: string;
  readonly party: Party;
  /** Rating opens once publicity has ended (the experts' names are public then). */
  readonly open: boolean;
  readonly publicityEndsAt: string;
  readonly criteria: readonly {
    readonly key: string;
    readonly label: { readonly zh: string; readonly en: string };
  }[];
  readonly targets: readonly {
    readonly target: RatingTarget;
    /** One per subject (a supplier's bid, an expert member); a single one with a null id for the others. */
    readonly subjects: readonly {
      readonly id: string | null;
      readonly name: string | null;
      readonly rated: boolean;
    }[];
  }[];
}

/** An assessment as its assessor reads it back (one per expert member). */
export interface OwnAssessment {
  readonly memberId: string;
  readonly verdict: AssessmentVerdict;
  readonly observed: readonly AssessmentItem[];
  readonly note: string;
  readonly at: string;
}

/** Ratings summed up per target and subject: the mean per criterion and how many rated. */
export interface RatingSummary {
  readonly tenderCode: string;
  readonly target: RatingTarget;
  /** The subject rated, in words (a supplier's name, an expert's pool number), or null for one-of-a-kind targets. */
  readonly subject: string | null;
  readonly ratings: number;
  readonly means: Readonly<Record<string, number>>;
}
