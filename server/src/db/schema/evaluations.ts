/**
 * The evaluation module's own tables: the expert pool (专家库) and the seat catalogue (评标席位) that
 * committees are drawn from and sit at, and the committees with their members, events, votes, review
 * sheets, clarifications, report stances, objections, assessments and ratings (docs/evaluation.md). Each committee has its video room (an `evaluations` row, media.ts).
 */
import type {
  CreateCommitteeRequest,
  RatingForms,
  ReviewPlan,
  SheetMark,
  StageResult,
  TimeVoteResult,
} from '@bidhall/shared';
import { committeeStatuses, expertStatuses, memberKinds, memberStates } from '@bidhall/shared/enums';
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { actors } from './actors.ts';
import { bytea, instant } from './columns.ts';
import { evaluations } from './media.ts';
import { tenders } from './tenders.ts';

export const expertStatusEnum = pgEnum('expert_status', expertStatuses);

/**
 * One expert of the pool. Only what a draw and its exclusions (回避) need is kept (发改办法规〔2025〕807号:
 * minimal use of expert data): the pool's own number, the name, the specialty codes, the region, the
 * employer with its unified social credit code, the credit codes of declared relations, and the status.
 * `identity` is the certificate subject's ID number: the expert's account (an `expert` actor registered
 * by certificate) is bound to the pool entry through it.
 */
export const experts = pgTable(
  'experts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The pool's number for the expert (专家编号), unique: imports update by it. */
    code: text('code').notNull(),
    name: text('name').notNull(),
    identity: text('identity').notNull(),
    specialties: jsonb('specialties').$type<string[]>().notNull(),
    region: text('region').notNull(),
    employerName: text('employer_name').notNull(),
    employerCreditCode: text('employer_credit_code').notNull(),
    /** Unified social credit codes of organisations the expert declared a relation with. */
    relations: jsonb('relations').$type<string[]>().notNull(),
    status: expertStatusEnum('status').notNull(),
    /** For a suspended expert: until when (null: until lifted). */
    suspendedUntil: instant('suspended_until'),
    updatedAt: instant('updated_at').notNull(),
  },
  (t) => [uniqueIndex('experts_code').on(t.code), uniqueIndex('experts_identity').on(t.identity)],
);

export type Expert = typeof experts.$inferSelect;

/** An expert's past service (for the "served this tenderee N times in M months" exclusion). */
export const expertServices = pgTable(
  'expert_services',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    expertId: uuid('expert_id')
      .notNull()
      .references(() => experts.id),
    /** The tenderee served, by its unified social credit code. */
    tendereeCreditCode: text('tenderee_credit_code').notNull(),
    tenderId: uuid('tender_id').references(() => tenders.id),
    servedAt: instant('served_at').notNull(),
  },
  (t) => [index('expert_services_expert').on(t.expertId, t.servedAt)],
);

/**
 * The seat catalogue: trading centre → room → seat, each with the network an expert at it joins from
 * (`cidr`). `deviceCertificate` is kept for a seat device certificate later.
 */
export const seats = pgTable(
  'seats',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    centre: text('centre').notNull(),
    /** The centre's city (pinyin, as venues name it), for main and sub venues. */
    city: text('city').notNull(),
    room: text('room').notNull(),
    seat: text('seat').notNull(),
    cidr: text('cidr').notNull(),
    deviceCertificate: text('device_certificate'),
    addedBy: uuid('added_by').references(() => actors.id),
    addedAt: instant('added_at').notNull(),
  },
  (t) => [uniqueIndex('seats_place').on(t.centre, t.room, t.seat)],
);

export type Seat = typeof seats.$inferSelect;

export const committeeStatusEnum = pgEnum('committee_status', committeeStatuses);
export const memberKindEnum = pgEnum('member_kind', memberKinds);
export const memberStateEnum = pgEnum('member_state', memberStates);

/** The host's specification, as created (the venues' seats by id, the first venue the main one). */
export type CommitteeSpec = Omit<CreateCommitteeRequest, 'tenderId'>;

/**
 * A tender's evaluation committee: the aggregate the evaluation's steps run on (steps/step.ts). The
 * platform's seed exists only as its commitment until the draw (derived from the draw secret, as the
 * opening's is); the draw's inputs and outcome are kept so that anyone given them recomputes it.
 */
export const committees = pgTable(
  'committees',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenderId: uuid('tender_id')
      .notNull()
      .references(() => tenders.id),
    /** The committee's video room: venues by city, members by venue once signed in. */
    evaluationId: uuid('evaluation_id')
      .notNull()
      .references(() => evaluations.id),
    status: committeeStatusEnum('status').notNull().default('drawing'),
    spec: jsonb('spec').$type<CommitteeSpec>().notNull(),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => actors.id),
    createdAt: instant('created_at').notNull(),
    signInOpensAt: instant('sign_in_opens_at').notNull(),
    signInClosesAt: instant('sign_in_closes_at').notNull(),
    platformSeedCommitment: text('platform_seed_commitment').notNull(),
    platformSeed: text('platform_seed'),
    supervisorSeed: text('supervisor_seed'),
    drawnAt: instant('drawn_at'),
    /** The pool snapshot drawn from (canonical text, committee-draw.ts) and its SHA-256. */
    snapshot: text('snapshot'),
    snapshotSha256: text('snapshot_sha256'),
    exclusions: jsonb('exclusions').$type<{ code: string; reasons: string[] }[]>(),
    /** The draw's outcome in draw order (codes and the quota each was drawn for). */
    drawn: jsonb('drawn').$type<{
      members: { code: string; specialty: string }[];
      reserves: { code: string; specialty: string }[];
    }>(),
    leaderId: uuid('leader_id'),
    electionRound: integer('election_round').notNull().default(0),
    /** The candidates of the running round (all members in the first, the tied in the next). */
    electionCandidates: jsonb('election_candidates').$type<string[]>(),
    reviewStartedAt: instant('review_started_at'),
    /**
     * A fault (故障) suspends the evaluation: where it was, since when, why, and when the fault outlasts
     * the local rule's limit (the committee is then re-formed).
     */
    suspendedFrom: committeeStatusEnum('suspended_from'),
    faultSince: instant('fault_since'),
    faultLimitAt: instant('fault_limit_at'),
    faultReason: text('fault_reason'),
    /** The review's plan (defined by the host before the review), its running stage and closed stages. */
    plan: jsonb('plan').$type<ReviewPlan>(),
    reviewStage: text('review_stage'),
    stageResults: jsonb('stage_results').$type<StageResult[]>().notNull().default([]),
    /** When the review's time ends; the running "time is too short" vote (0: none) and the closed ones. */
    reviewEndsAt: instant('review_ends_at'),
    timeVoteRound: integer('time_vote_round').notNull().default(0),
    timeVoteOpen: boolean('time_vote_open').notNull().default(false),
    timeVotes: jsonb('time_votes').$type<TimeVoteResult[]>().notNull().default([]),
    /** The report as signed (canonical JSON), its SHA-256, and when the signing window ends. */
    reportText: text('report_text'),
    reportSha256: text('report_sha256'),
    signingEndsAt: instant('signing_ends_at'),
    closedAt: instant('closed_at'),
    /** Publicity of the candidates (Art 54): when it ends, and when it ended (the experts' names then). */
    publishedAt: instant('published_at'),
    publicityEndsAt: instant('publicity_ends_at'),
    publicityEndedAt: instant('publicity_ended_at'),
    /** The five-party evaluation's forms (the defaults unless the host changed them before any rating). */
    ratingForms: jsonb('rating_forms').$type<RatingForms>(),
    /** The earliest deadline of an open clarification (the chronograph's: it expires then). */
    clarificationDue: instant('clarification_due'),
    /** The leader's request to reopen a closed stage (重评), waiting for a supervisor's decision. */
    reopenRequest: jsonb('reopen_request').$type<{ stage: string; reason: string; by: string; at: string }>(),
    /** Bid ids best first once the review is over, and the candidates named (≤ 3). */
    ranking: jsonb('ranking').$type<string[]>(),
    candidates: jsonb('candidates').$type<string[]>(),
    /** The earliest sign-in deadline of a member still awaited (what the chronograph waits for). */
    awaitedUntil: instant('awaited_until'),
    /** The chronograph: the earliest moment a time-driven step may be due (steps/step.ts). */
    nextCheckAt: instant('next_check_at'),
    lastSeq: bigint('last_seq', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    index('committees_tender').on(t.tenderId),
    index('committees_next_check').on(t.nextCheckAt).where(sql`${t.nextCheckAt} IS NOT NULL`),
  ],
);

export type Committee = typeof committees.$inferSelect;

/** Every step's event of a committee, in order (what a reader catches up from). */
export const committeeEvents = pgTable(
  'committee_events',
  {
    committeeId: uuid('committee_id')
      .notNull()
      .references(() => committees.id),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    at: instant('at').notNull(),
    type: text('type').notNull(),
    data: jsonb('data').$type<unknown>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.committeeId, t.seq] })],
);

/**
 * A place on the committee: a drawn expert (member or reserve, in draw order) or a representative named
 * by the tenderee. `identity` (the certificate's ID number) is who may act in it; `nonce` seals it:
 * everyone but the member and the supervisors sees only SHA-256(committee ":" code-or-identity ":" nonce).
 */
export const committeeMembers = pgTable(
  'committee_members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    committeeId: uuid('committee_id')
      .notNull()
      .references(() => committees.id),
    kind: memberKindEnum('kind').notNull(),
    expertId: uuid('expert_id').references(() => experts.id),
    identity: text('identity').notNull(),
    name: text('name').notNull(),
    specialty: text('specialty'),
    drawOrder: integer('draw_order'),
    nonce: text('nonce').notNull(),
    commitment: text('commitment').notNull(),
    state: memberStateEnum('state').notNull(),
    seatId: uuid('seat_id').references(() => seats.id),
    replaces: uuid('replaces'),
    signInBy: instant('sign_in_by'),
    signedInAt: instant('signed_in_at'),
    signedInAddress: text('signed_in_address'),
    signedInActorId: uuid('signed_in_actor_id').references(() => actors.id),
    declaredAt: instant('declared_at'),
    declarationSignature: bytea('declaration_signature'),
    conflictStatement: text('conflict_statement'),
    /** Set when the member's place ended (absent, withdrawn): its work is void from then on. */
    endedAt: instant('ended_at'),
  },
  (t) => [
    index('committee_members_committee').on(t.committeeId),
    uniqueIndex('committee_members_identity').on(t.committeeId, t.identity),
  ],
);

export type CommitteeMember = typeof committeeMembers.$inferSelect;

/** A secret ballot of the leader election: one per member per round; only counts are ever shown. */
export const leaderVotes = pgTable(
  'leader_votes',
  {
    committeeId: uuid('committee_id')
      .notNull()
      .references(() => committees.id),
    round: integer('round').notNull(),
    voterId: uuid('voter_id')
      .notNull()
      .references(() => committeeMembers.id),
    candidateId: uuid('candidate_id')
      .notNull()
      .references(() => committeeMembers.id),
    at: instant('at').notNull(),
    /** False once the voter's place ended: its ballot no longer counts (kept for the audit). */
    counts: boolean('counts').notNull().default(true),
  },
  (t) => [primaryKey({ columns: [t.committeeId, t.round, t.voterId] })],
);

/**
 * A member's sheet for one stage of the review: its marks, where it stands (submitted, flagged, returned
 * by the leader with a note, confirmed by its member with a reason), and how many times it was revised.
 * A member whose place ended has its sheets kept (the audit) but out of every aggregate.
 */
export const reviewSheets = pgTable(
  'review_sheets',
  {
    committeeId: uuid('committee_id')
      .notNull()
      .references(() => committees.id),
    stage: text('stage').notNull(),
    memberId: uuid('member_id')
      .notNull()
      .references(() => committeeMembers.id),
    marks: jsonb('marks').$type<SheetMark[]>().notNull(),
    status: text('status').$type<'submitted' | 'flagged' | 'returned' | 'confirmed'>().notNull(),
    note: text('note'),
    confirmation: text('confirmation'),
    revision: integer('revision').notNull().default(1),
    submittedAt: instant('submitted_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.committeeId, t.stage, t.memberId] })],
);

export type ReviewSheet = typeof reviewSheets.$inferSelect;

/**
 * A member's unfinished sheet for the running stage, saved as it is typed so that a lost connection or
 * another computer at the same seat loses nothing. Private to the member until submitted (then deleted:
 * the sheet is the record), never aggregated, never audited on success.
 */
export const sheetDrafts = pgTable(
  'sheet_drafts',
  {
    committeeId: uuid('committee_id')
      .notNull()
      .references(() => committees.id),
    stage: text('stage').notNull(),
    memberId: uuid('member_id')
      .notNull()
      .references(() => committeeMembers.id),
    marks: jsonb('marks').$type<SheetMark[]>().notNull(),
    savedAt: instant('saved_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.committeeId, t.stage, t.memberId] })],
);

/**
 * A clarification (澄清, Art 52): asked by the leader to one bidder, approved or rejected by a supervisor,
 * answered by the bidder in signed text (and files, in the blob store by SHA-256) before its deadline.
 */
export const clarifications = pgTable(
  'clarifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    committeeId: uuid('committee_id')
      .notNull()
      .references(() => committees.id),
    bidId: uuid('bid_id').notNull(),
    bidderId: uuid('bidder_id')
      .notNull()
      .references(() => actors.id),
    question: text('question').notNull(),
    answerMinutes: integer('answer_minutes').notNull(),
    askedBy: uuid('asked_by')
      .notNull()
      .references(() => committeeMembers.id),
    askedAt: instant('asked_at').notNull(),
    status: text('status')
      .$type<'awaiting-approval' | 'rejected' | 'open' | 'answered' | 'expired'>()
      .notNull(),
    decision: jsonb('decision').$type<{ approved: boolean; reason: string; at: string; by: string }>(),
    deadline: instant('deadline'),
    answer: text('answer'),
    answerFiles: jsonb('answer_files').$type<{ name: string; sha256: string; bytes: number }[]>(),
    answerSignature: bytea('answer_signature'),
    answeredAt: instant('answered_at'),
  },
  (t) => [index('clarifications_committee').on(t.committeeId), index('clarifications_bidder').on(t.bidderId)],
);

export type Clarification = typeof clarifications.$inferSelect;

/** A file attached to a clarification's answer, in the database with it (answered whole, or not at all). */
export const clarificationFiles = pgTable(
  'clarification_files',
  {
    clarificationId: uuid('clarification_id')
      .notNull()
      .references(() => clarifications.id),
    index: integer('index').notNull(),
    name: text('name').notNull(),
    sha256: text('sha256').notNull(),
    content: bytea('content').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clarificationId, t.index] })],
);

/** A member's answer in a "time is too short" vote: one per member per vote; only counts are shown. */
export const timeVotes = pgTable(
  'time_votes',
  {
    committeeId: uuid('committee_id')
      .notNull()
      .references(() => committees.id),
    round: integer('round').notNull(),
    memberId: uuid('member_id')
      .notNull()
      .references(() => committeeMembers.id),
    tooShort: boolean('too_short').notNull(),
    at: instant('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.committeeId, t.round, t.memberId] })],
);

/** Each member's stance on the report: its signature, its signed dissent with reasons, or silence (agreed). */
export const reportStances = pgTable(
  'report_stances',
  {
    committeeId: uuid('committee_id')
      .notNull()
      .references(() => committees.id),
    memberId: uuid('member_id')
      .notNull()
      .references(() => committeeMembers.id),
    stance: text('stance').$type<'signed' | 'dissented' | 'deemed-agreed'>().notNull(),
    statement: text('statement'),
    signature: bytea('signature'),
    at: instant('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.committeeId, t.memberId] })],
);

/** An objection to the candidates during publicity (异议), by a bidder of the tender, and the host's answer. */
export const candidateObjections = pgTable(
  'candidate_objections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    committeeId: uuid('committee_id')
      .notNull()
      .references(() => committees.id),
    bidderId: uuid('bidder_id')
      .notNull()
      .references(() => actors.id),
    text: text('text').notNull(),
    at: instant('at').notNull(),
    answer: text('answer'),
    answeredAt: instant('answered_at'),
  },
  (t) => [index('candidate_objections_committee').on(t.committeeId)],
);

/**
 * An expert's assessment for one project (一项目一考评): by the tender's host, its tenderee or a
 * supervisor, one each; a supervisor's 不称职 suspends the expert from draws for the committee's period.
 */
export const expertAssessments = pgTable(
  'expert_assessments',
  {
    committeeId: uuid('committee_id')
      .notNull()
      .references(() => committees.id),
    memberId: uuid('member_id')
      .notNull()
      .references(() => committeeMembers.id),
    expertId: uuid('expert_id')
      .notNull()
      .references(() => experts.id),
    assessorId: uuid('assessor_id')
      .notNull()
      .references(() => actors.id),
    assessorRole: text('assessor_role').notNull(),
    observed: jsonb('observed').$type<string[]>().notNull(),
    verdict: text('verdict').$type<'competent' | 'basically-competent' | 'incompetent'>().notNull(),
    note: text('note').notNull(),
    at: instant('at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.committeeId, t.memberId, t.assessorId] }),
    index('expert_assessments_expert').on(t.expertId, t.at),
  ],
);

/** One rating of the five-party evaluation: who rated (its party), what or whom, the scores and the comment. */
export const ratings = pgTable(
  'ratings',
  {
    committeeId: uuid('committee_id')
      .notNull()
      .references(() => committees.id),
    raterId: uuid('rater_id')
      .notNull()
      .references(() => actors.id),
    party: text('party').notNull(),
    target: text('target').notNull(),
    /** The bid (supplier) or member (expert) rated; empty for one-of-a-kind targets. */
    subjectId: text('subject_id').notNull(),
    scores: jsonb('scores').$type<Record<string, number>>().notNull(),
    comment: text('comment').notNull(),
    at: instant('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.committeeId, t.raterId, t.target, t.subjectId] })],
);
