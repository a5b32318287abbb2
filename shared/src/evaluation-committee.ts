/**
 * The evaluation committee (评标委员会) as the contract carries it: what the host specifies, what each
 * participant reads of it (names sealed as commitments until the result is published, but for the
 * members themselves and the supervisors), and the requests of the committee's first steps — the
 * supervisor's seed for the draw, the tenderee's representatives, sign-in at the seat, the signed
 * declaration (integrity pledge and conflicts), the leader vote — and the bid documents the members read.
 * docs/evaluation.md has the rules; server/src/evaluation/ enforces them.
 */
import { type Static, Type } from 'typebox';
import type { CommitteeStatus, MemberKind, MemberState } from './enums.ts';
import { City } from './evaluation.ts';
import { creditCodePattern, specialtyPattern } from './evaluation-pool.ts';
import type { BidderClarification } from './evaluation-review.ts';
import { type EventsOf, request } from './wire.ts';

const Uuid = Type.String({ format: 'uuid' });
const Minutes = (minimum: number, maximum: number) => Type.Integer({ minimum, maximum });

/** Why an expert may not sit on a tender's committee (回避): the draw's published inputs name these. */
export const exclusionReasons = [
  'sameEmployerAsBidder',
  'relationWithBidder',
  'tendereeOrganisation',
  'suspended',
  'retired',
  'servedTendereeTooOften',
] as const;
export type ExclusionReason = (typeof exclusionReasons)[number];

export const leaderModes = ['vote', 'tenderee'] as const;
export type LeaderMode = (typeof leaderModes)[number];

/** What the host (agency) specifies; the first venue is the main venue (主场), the others sub venues. */
export const CreateCommitteeRequest = Type.Object(
  {
    tenderId: Uuid,
    /** Members in all, representatives included: at least 5, odd (招标投标法 Art 37). */
    size: Type.Integer({ minimum: 5, maximum: 49 }),
    /** The tenderee's representatives (业主评委), named by the tenderee: at most a third. */
    representatives: Type.Integer({ minimum: 0, maximum: 16 }),
    /** Drawn experts by specialty; together they fill size − representatives. */
    quotas: Type.Array(
      Type.Object(
        {
          specialty: Type.String({ pattern: specialtyPattern }),
          seats: Type.Integer({ minimum: 1, maximum: 49 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 20 },
    ),
    venues: Type.Array(
      Type.Object(
        { city: City, seatIds: Type.Array(Uuid, { minItems: 1, maxItems: 64, uniqueItems: true }) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 8 },
    ),
    reserves: Type.Integer({ minimum: 0, maximum: 20 }),
    /** The tenderee's unified social credit code: its own staff are excluded from the draw. */
    tendereeCreditCode: Type.String({ pattern: creditCodePattern }),
    /** More than this many services for the tenderee within the period excludes an expert. */
    maxServicesForTenderee: Type.Integer({ minimum: 0, maximum: 100 }),
    servicePeriodMonths: Type.Integer({ minimum: 1, maximum: 60 }),
    leader: Type.Enum(leaderModes),
    signInOpensAt: Type.String({ format: 'date-time' }),
    /** Members not signed in by then are replaced from the reserves. */
    signInClosesAt: Type.String({ format: 'date-time' }),
    /** How long a called reserve has to sign in. */
    reserveSignInMinutes: Minutes(5, 240),
    /**
     * The local fault rules: how long a fault may suspend the evaluation before the review starts, and
     * during it, before the committee is re-formed (e.g. 2 h and 4 h).
     */
    /** How long an expert assessed 不称职 by a supervisor is suspended from draws. */
    suspensionDaysForIncompetent: Type.Integer({ minimum: 1, maximum: 3 * 365 }),
    faultLimitBeforeReviewMinutes: Minutes(10, 24 * 60),
    faultLimitDuringReviewMinutes: Minutes(10, 24 * 60),
  },
  { additionalProperties: false },
);
export type CreateCommitteeRequest = Static<typeof CreateCommitteeRequest>;

/** The supervisor's half of the draw's seed (64 hex characters, chosen on the supervisor's machine). */
export const DrawRequest = Type.Object(
  { seed: Type.String({ pattern: '^[0-9a-f]{64}$' }) },
  { additionalProperties: false },
);
export type DrawRequest = Static<typeof DrawRequest>;

export const RepresentativesRequest = Type.Object(
  {
    representatives: Type.Array(
      Type.Object(
        {
          /** The ID number the representative's certificate carries. */
          identity: Type.String({ minLength: 6, maxLength: 40, pattern: '^[0-9A-Za-z-]+$' }),
          name: Type.String({ minLength: 1, maxLength: 60 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 16 },
    ),
  },
  { additionalProperties: false },
);
export type RepresentativesRequest = Static<typeof RepresentativesRequest>;

export const DeclarationRequest = Type.Object(
  {
    conflict: Type.Boolean(),
    /** What the conflict is (required with one), or any remark. */
    statement: Type.String({ maxLength: 1000 }),
    /** CMS SignedData (DER, base64), detached, over `declarationText` of exactly these choices. */
    signature: Type.String({ pattern: '^[A-Za-z0-9+/=]*$', minLength: 1, maxLength: 32 * 1024 }),
  },
  { additionalProperties: false },
);
export type DeclarationRequest = Static<typeof DeclarationRequest>;

export const VoteRequest = Type.Object(
  { round: Type.Integer({ minimum: 1, maximum: 100 }), candidateId: Uuid },
  { additionalProperties: false },
);
export type VoteRequest = Static<typeof VoteRequest>;

export const ReplaceMemberRequest = Type.Object(
  { memberId: Uuid, reason: Type.String({ minLength: 2, maxLength: 500 }) },
  { additionalProperties: false },
);
export type ReplaceMemberRequest = Static<typeof ReplaceMemberRequest>;

/** A fault recorded, or the evaluation resumed after one: always with the reason, for the record. */
export const FaultRequest = Type.Object(
  { reason: Type.String({ minLength: 2, maxLength: 500 }) },
  { additionalProperties: false },
);
export type FaultRequest = Static<typeof FaultRequest>;

export const NameLeaderRequest = Type.Object({ memberId: Uuid }, { additionalProperties: false });
export type NameLeaderRequest = Static<typeof NameLeaderRequest>;

/** A committee place as a reader may see it: `name` only for the member and the supervisors. */
export interface CommitteeMemberView {
  readonly id: string;
  readonly kind: MemberKind;
  readonly state: MemberState;
  /** Its draw order among the drawn (members first, then reserves); null for representatives. */
  readonly drawOrder: number | null;
  readonly specialty: string | null;
  /** SHA-256 of committeeId ":" (pool number or ID number) ":" nonce: who it is, sealed. */
  readonly commitment: string;
  readonly venue: string | null;
  readonly seat: string | null;
  /** The member this one replaced (a called reserve). */
  readonly replaces: string | null;
  readonly signInBy: string | null;
  readonly signedInAt: string | null;
  readonly declaredAt: string | null;
  readonly leader: boolean;
  /** Unsealed: for the member itself and for supervisors. */
  readonly name?: string;
  readonly code?: string | null;
  /** For supervisors: where the member signed in from, and its conflict statement. */
  readonly signedInAddress?: string | null;
  readonly conflict?: string | null;
}

export interface ElectionRoundView {
  readonly round: number;
  readonly candidates: readonly string[];
  /** How many of the members have voted in it. */
  readonly voted: number;
  readonly voters: number;
  /** Shown when the round closes (null while it runs). */
  readonly counts: readonly { readonly memberId: string; readonly votes: number }[] | null;
}

export interface CommitteeView {
  readonly id: string;
  readonly tenderId: string;
  readonly tenderCode: string;
  readonly title: string;
  readonly status: CommitteeStatus;
  readonly size: number;
  readonly representatives: number;
  readonly quotas: readonly { readonly specialty: string; readonly seats: number }[];
  /** The venues, main first; `centre` is the trading centre the venue's seats are in. */
  readonly venues: readonly {
    readonly city: string;
    readonly centre: string;
    readonly main: boolean;
    readonly seats: number;
  }[];
  readonly reserves: number;
  readonly leaderMode: LeaderMode;
  readonly signInOpensAt: string;
  readonly signInClosesAt: string;
  /** The platform's seed commitment, published at creation; the seed itself once the draw ran. */
  readonly platformSeedCommitment: string;
  readonly drawnAt: string | null;
  /** SHA-256 of the pool snapshot drawn from (after exclusions), and how many were excluded. */
  readonly snapshotSha256: string | null;
  readonly excluded: number | null;
  readonly members: readonly CommitteeMemberView[];
  readonly election: readonly ElectionRoundView[];
  /** The reader's own place, when the reader sits on the committee. */
  readonly you: string | null;
  /** While suspended by a fault: where it was, since when, why, and when it would be re-formed. */
  readonly fault: {
    readonly from: CommitteeStatus;
    readonly since: string;
    readonly reason: string;
    readonly limitAt: string;
  } | null;
  /** The evaluation's video room (venues by city). */
  readonly evaluationId: string;
  /** The bidders evaluated, by name (for a member once signed in: the conflict declaration is about them). */
  readonly bidders: readonly string[] | null;
}

/** The draw's published inputs (supervisors; everyone once the result is published). */
export interface CommitteeDrawView {
  readonly format: string;
  readonly platformSeedCommitment: string;
  readonly platformSeed: string;
  readonly supervisorSeed: string;
  readonly snapshot: string;
  readonly snapshotSha256: string;
  readonly quotas: readonly { readonly specialty: string; readonly seats: number }[];
  readonly reserves: number;
  /** Who was excluded and why (pool numbers and reason codes). */
  readonly exclusions: readonly { readonly code: string; readonly reasons: readonly string[] }[];
  readonly members: readonly { readonly code: string; readonly specialty: string }[];
  readonly reservesDrawn: readonly { readonly code: string; readonly specialty: string }[];
}

/** A bid's documents as the committee reads them: the files of its decrypted tar package. */
export interface CommitteeBidDocuments {
  readonly bidId: string;
  readonly bidder: string;
  readonly files: readonly { readonly index: number; readonly path: string; readonly bytes: number }[];
}

/** The integrity pledge (承诺书) every member signs, in both languages. */
export const integrityPledge = {
  zh: '本人承诺：依法客观公正地履行评标职责，遵守评标纪律；不私下接触投标人，不收受财物或其他好处；不透露评审情况；与投标人有利害关系的主动回避。',
  en: 'I pledge to evaluate objectively and impartially as the law requires, to keep the rules of the evaluation, not to meet bidders privately nor accept anything from them, not to disclose the deliberations, and to withdraw where I have an interest in a bidder.',
} as const;

export const declarationFormat = 'bidhall-committee-declaration/1';

/**
 * The exact text a member signs: the pledge, the committee, the bidders seen, and the member's choice.
 * The server rebuilds it from the request and checks the signature against these bytes, so a signature
 * covers the conflict answer and the statement, and verifies offline against the same text.
 */
export function declarationText(input: {
  readonly committeeId: string;
  readonly tenderCode: string;
  readonly memberId: string;
  readonly bidders: readonly string[];
  readonly conflict: boolean;
  readonly statement: string;
}): string {
  return [
    declarationFormat,
    `committee: ${input.committeeId}`,
    `tender: ${input.tenderCode}`,
    `member: ${input.memberId}`,
    `pledge: ${integrityPledge.zh}`,
    `bidders: ${[...input.bidders].sort().join('; ')}`,
    `conflict: ${input.conflict ? 'yes' : 'no'}`,
    `statement: ${input.statement}`,
    '',
  ].join('\n');
}

/**
 * A committee event as published: sealed (it names places by id, never people), so that every reader of
 * the committee may receive it. Types: representatives, drawn, status, member, ballot, round, leader,
 * vacancy.
 */
export interface CommitteeEvent {
  readonly committeeId: string;
  readonly seq: number;
  readonly at: string;
  readonly type: string;
  readonly data: unknown;
}

const CommitteeJoinRequest = Type.Object(
  { committeeId: Uuid, afterSeq: Type.Optional(Type.Integer({ minimum: 0 })) },
  { additionalProperties: false },
);
const BidderClarificationsRequest = Type.Object({ tenderId: Uuid }, { additionalProperties: false });
const RenewEvaluationRequest = Type.Object(
  { token: Type.String({ minLength: 16, maxLength: 8192 }) },
  { additionalProperties: false },
);

/**
 * The evaluation's Socket.IO contract (namespace `/evaluation`, requests `eval:*`): a reader joins a
 * committee and gets its view as the reader may see it and the events it missed, then every event as it
 * happens (`eval:event`). Actions go over HTTP, each audited; this channel only follows.
 */
export const evaluationRequests = {
  'eval:join': {
    /** `serverTime` (ms) lets the page show deadlines on the server's clock, as the hall does. */
    ...request(CommitteeJoinRequest).answers<{
      view: CommitteeView;
      events: CommitteeEvent[];
      serverTime: number;
    }>(),
    grant: 'committee:read' as const,
  },
  /** A bidder follows its own clarifications in a tender (it never joins the committee). */
  'eval:clarifications': {
    ...request(BidderClarificationsRequest).answers<{
      clarifications: BidderClarification[];
      serverTime: number;
    }>(),
    grant: 'clarification:answer' as const,
  },
  'eval:renew': {
    ...request(RenewEvaluationRequest).answers<{ expiresAt: string }>(),
    grant: 'committee:read' as const,
  },
};
export type EvaluationRequests = typeof evaluationRequests;
export type EvaluationClientEvents = EventsOf<EvaluationRequests>;
export interface EvaluationServerEvents {
  'eval:event': (event: CommitteeEvent) => void;
  /** To the bidder alone: one of its clarifications changed (approved, answered, expired). */
  'eval:clarification': (clarification: BidderClarification) => void;
}
