/**
 * The opening hall's Socket.IO contract (开标大厅): typed event maps used by the server, the browser and
 * the headless client, and the schemas that validate every inbound payload.
 *
 * Every client request carries an ack answering `{ ok: true, data } | { ok: false, error }`. Every
 * broadcast is a `HallEvent` with a per-tender sequence number; a client that reconnects asks for what
 * followed the last sequence it saw, so nothing is missed.
 */
import { type Static, type TSchema, Type } from 'typebox';
import type { OpeningStatus, Role, TenderStatus } from './enums.ts';
import type { ErrorDetail } from './errors.ts';
import type { SummaryValue } from './summary-fields.ts';
import { type EventsOf, type RequestSpec, request } from './wire.ts';

const Uuid = Type.String({ format: 'uuid' });
const Base64 = (maxLength: number) => Type.String({ pattern: '^[A-Za-z0-9+/=]*$', maxLength });
const Reason = Type.String({ minLength: 2, maxLength: 500 });

export const JoinRequest = Type.Object(
  { tenderId: Uuid, afterSeq: Type.Optional(Type.Integer({ minimum: 0 })) },
  { additionalProperties: false },
);
export const TimeRequest = Type.Object({ clientTime: Type.Number() }, { additionalProperties: false });
/** A renewed login token for an open connection (same person, same role). */
export const RenewRequest = Type.Object(
  { token: Type.String({ minLength: 16, maxLength: 8192 }) },
  { additionalProperties: false },
);
export const TenderRequest = Type.Object({ tenderId: Uuid }, { additionalProperties: false });
export const DecryptRequest = Type.Object(
  { tenderId: Uuid, part: Type.Enum(['summary', 'documents']), contentKey: Base64(64) },
  { additionalProperties: false },
);
export const SelfTestRequest = Type.Object(
  {
    tenderId: Uuid,
    challengeId: Type.String({ maxLength: 64 }),
    answer: Base64(128),
    summaryOk: Type.Boolean(),
  },
  { additionalProperties: false },
);
export const ExtendRequest = Type.Object(
  { tenderId: Uuid, minutes: Type.Integer({ minimum: 1, maximum: 240 }), reason: Reason },
  { additionalProperties: false },
);
export const ReasonRequest = Type.Object({ tenderId: Uuid, reason: Reason }, { additionalProperties: false });
export const OutageRequest = Type.Object(
  {
    tenderId: Uuid,
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
    reason: Reason,
    /** The bids the outage kept from being decrypted. */
    bidIds: Type.Array(Uuid, { minItems: 1, maxItems: 1000, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export const ProposalDecisionRequest = Type.Object(
  { tenderId: Uuid, proposalId: Uuid, reason: Reason },
  { additionalProperties: false },
);
export const ShareSubmitRequest = Type.Object(
  // The platform-signed share (CMS SignedData, DER), as unsealed by the custodian.
  { tenderId: Uuid, signedShare: Base64(16 * 1024) },
  { additionalProperties: false },
);
export const SeedRequest = Type.Object(
  { tenderId: Uuid, seed: Type.String({ pattern: '^[0-9a-f]{64}$' }) },
  { additionalProperties: false },
);
export const SignRecordRequest = Type.Object(
  // CMS SignedData (DER), detached, over the exact bytes of the opening record. A bidder signing while
  // objections are still unanswered says so (withOpenObjections): the bundle lists them beside its name.
  { tenderId: Uuid, signature: Base64(32 * 1024), withOpenObjections: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export const ObjectionRequest = Type.Object(
  { tenderId: Uuid, text: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);
export const AnswerRequest = Type.Object(
  { tenderId: Uuid, objectionId: Uuid, text: Type.String({ minLength: 1, maxLength: 4000 }) },
  { additionalProperties: false },
);

export type JoinRequest = Static<typeof JoinRequest>;
export type TimeRequest = Static<typeof TimeRequest>;
export type RenewRequest = Static<typeof RenewRequest>;
export type TenderRequest = Static<typeof TenderRequest>;
export type DecryptRequest = Static<typeof DecryptRequest>;
export type SelfTestRequest = Static<typeof SelfTestRequest>;
export type ExtendRequest = Static<typeof ExtendRequest>;
export type ReasonRequest = Static<typeof ReasonRequest>;
export type OutageRequest = Static<typeof OutageRequest>;
export type ProposalDecisionRequest = Static<typeof ProposalDecisionRequest>;
export type ShareSubmitRequest = Static<typeof ShareSubmitRequest>;
export type SeedRequest = Static<typeof SeedRequest>;
export type SignRecordRequest = Static<typeof SignRecordRequest>;
export type ObjectionRequest = Static<typeof ObjectionRequest>;
export type AnswerRequest = Static<typeof AnswerRequest>;

/** A bid as everyone in the hall sees it (no content before the reading of bids). */
export interface HallBid {
  readonly bidId: string;
  readonly bidderId: string;
  readonly bidderName: string;
  readonly receivedAt: string;
  readonly openingStatus: OpeningStatus;
  /** Documents decryption progress, 0..1, once the summary is decrypted. */
  readonly documentsProgress: number;
  readonly reason: string | null;
  /** Why, in the reader's language (the technical `reason` is for the record and for experts). */
  readonly because?: ErrorDetail | null;
  /** The tender's summary fields changed after this bid was received: it must be sealed and uploaded again. */
  readonly resealNeeded?: boolean;
}

export interface SummaryRow {
  readonly bidderName: string;
  readonly fields: Readonly<Record<string, SummaryValue>>;
  readonly documentsSha256: string;
}

export interface DrawView {
  readonly options: readonly string[];
  readonly serverSeedCommitment: string;
  readonly serverSeed: string | null;
  /** Revealed bidder seeds with their commitments (from the manifests), by bidder name. */
  readonly seeds: readonly {
    readonly bidderName: string;
    readonly commitment: string;
    readonly seed: string | null;
  }[];
  readonly result: { readonly index: number; readonly value: string } | null;
}

/**
 * A step that takes two people: one of host and supervisor proposes it, the other confirms or rejects
 * it. `outage`: the platform failed during the window, for the bids listed; `settlement`: the bids that
 * can no longer be opened count as withdrawn through the platform's fault, so the opening can go on.
 */
export interface ProposalView {
  readonly id: string;
  readonly kind: 'outage' | 'settlement';
  readonly reason: string;
  readonly proposedRole: Role;
  readonly proposedAt: string;
  /** For an outage: from, to, and the bids it affects. */
  readonly outage: { readonly from: string; readonly to: string; readonly bidIds: readonly string[] } | null;
  readonly decision: {
    readonly confirmed: boolean;
    readonly role: string;
    readonly at: string;
    readonly reason: string;
  } | null;
}

/** A fault the platform met while opening a bid: not the bidder's, recorded, and shown to the hall. */
export interface PlatformFaultView {
  readonly bidId: string | null;
  readonly message: string;
  readonly at: string;
}

export interface ObjectionView {
  readonly id: string;
  readonly bidderName: string;
  readonly text: string;
  readonly at: string;
  readonly answer: { readonly text: string; readonly at: string } | null;
}

/** Everything a client needs to draw the hall from scratch. */
export interface HallSnapshot {
  readonly tenderId: string;
  readonly code: string;
  readonly title: string;
  readonly status: TenderStatus;
  readonly deadline: string;
  readonly checkInOpensAt: string;
  readonly window: HallWindow | null;
  readonly minBidders: number;
  readonly bids: readonly HallBid[];
  readonly checkedIn: readonly string[];
  readonly summaryTable: readonly SummaryRow[] | null;
  readonly draw: DrawView | null;
  readonly record: {
    readonly sha256: string;
    readonly text: string;
    /** Everyone who signed: bidders, the host and supervisors (names). */
    readonly signedBy: readonly string[];
  } | null;
  readonly objections: readonly ObjectionView[];
  readonly proposals: readonly ProposalView[];
  readonly faults: readonly PlatformFaultView[];
  readonly remedy: {
    readonly quorum: number;
    readonly sharesReceived: number;
    readonly approved: boolean;
  } | null;
  /** Whether the hall is being recorded now, as its SFU last said (null: nothing said yet). */
  readonly recording: HallRecording | null;
  /** Sequence number of the last event included in this snapshot. */
  readonly seq: number;
}

/** The hall's recording state: recorded or not, since when. */
export interface HallRecording {
  readonly recording: boolean;
  readonly since: string;
}

export interface HallWindow {
  readonly endsAt: string | null;
  /** Set while the window is paused: what remains when it resumes. */
  readonly pausedRemainingMs: number | null;
}

export const hallEventTypes = [
  'status',
  'checked-in',
  'bid',
  'window',
  'outage',
  'remedy',
  'summary-table',
  'draw',
  'record',
  'signature',
  'objection',
  'answer',
  'proposal',
  'fault',
  'tender',
  'recording',
] as const;
export type HallEventType = (typeof hallEventTypes)[number];

/** A sequenced broadcast of one type. */
export interface HallEventOf<T extends HallEventType> {
  readonly tenderId: string;
  readonly seq: number;
  readonly at: string;
  readonly type: T;
  readonly data: HallEventData[T];
}

/** Any sequenced broadcast, discriminated by `type`. */
export type HallEvent = { [K in HallEventType]: HallEventOf<K> }[HallEventType];

export interface HallEventData {
  /** `reason`: a person's, as typed; `because`: the platform's own, in both languages. */
  readonly status: {
    readonly status: TenderStatus;
    readonly reason: string | null;
    readonly because?: ErrorDetail;
  };
  /** `at`: when the bidder checked in (early check-ins are announced at the opening). */
  readonly 'checked-in': { readonly bidderName: string; readonly at: string };
  readonly bid: HallBid;
  readonly window: HallWindow & { readonly reason: string | null };
  readonly outage: { readonly from: string; readonly to: string; readonly reason: string };
  readonly remedy: { readonly quorum: number; readonly sharesReceived: number; readonly approved: boolean };
  readonly 'summary-table': { readonly rows: readonly SummaryRow[] };
  readonly draw: DrawView;
  readonly record: { readonly sha256: string; readonly text: string };
  readonly signature: { readonly name: string; readonly role: Role };
  readonly objection: ObjectionView;
  readonly answer: ObjectionView;
  readonly proposal: ProposalView;
  readonly fault: PlatformFaultView;
  /** The host changed the tender before the deadline: which fields, and the hall's new title and times. */
  readonly tender: {
    readonly changed: readonly string[];
    readonly title: string;
    readonly deadline: string;
    readonly checkInOpensAt: string;
    /** The change makes bids already received unusable: their bidders must seal and upload again. */
    readonly resealNeeded?: boolean;
  };
  /** The hall started or stopped being recorded (the host and supervisors are alarmed when it stops). */
  readonly recording: HallRecording;
}

/** Key material a bidder needs to decrypt its own bid on its own machine. */
export interface RecipientPackage {
  readonly bidId: string;
  /** Per part: the RecipientInfos SET (DER, base64) of the sealed part. */
  readonly summary: string;
  readonly documents: string;
  /** The summary's sealed bytes (base64), so the client can check its key opens it. */
  readonly sealedSummary: string;
  readonly encryptionCertificate: string;
  /**
   * The bidder's own signed manifest (its exact bytes and detached signature, base64): the client checks
   * the signature is its own and that the recipients above are those of the parts it signed, before it
   * unwraps anything — a server cannot make it unwrap a key for any other sealed object.
   */
  readonly manifest: string;
  readonly manifestSignature: string;
}

export interface SelfTestChallenge {
  readonly challengeId: string;
  /**
   * A fresh 32-byte secret sealed (CMS EnvelopedData) to the bid's encryption certificate, base64. The
   * client answers with the SHA-256 of the secret, never the secret itself, and only for exactly 32 bytes:
   * it cannot be made to decrypt anything else for the server.
   */
  readonly envelope: string;
}

/** The plaintext a self-test envelope holds. */
export const selfTestSecretBytes = 32;

/** One hall request: its payload schema, the grant it needs, whether the tender's hall must be joined. */
export interface HallRequestSpec<S extends TSchema, A, G extends string> extends RequestSpec<S, A> {
  readonly grant: G;
  /** The request names a tender whose hall the socket must have joined first. */
  readonly scoped: boolean;
}

const hallRequest = <S extends TSchema>(schema: S) => ({
  grant: <const G extends string>(grant: G, options: { readonly scoped?: boolean } = {}) => ({
    answers: <A>(): HallRequestSpec<S, A, G> => ({
      ...request(schema).answers<A>(),
      grant,
      scoped: options.scoped ?? true,
    }),
  }),
});

/**
 * Every request of the opening hall, once: its payload schema, the grant it needs (roles.ts gives grants
 * to roles), whether the hall must be joined first, and what it answers. The Socket.IO event map, the
 * grants and the server's handler types are derived from it.
 */
export const hallRequests = {
  'hall:join': hallRequest(JoinRequest)
    .grant('hall:join', { scoped: false })
    .answers<{ snapshot: HallSnapshot; missed: HallEvent[] }>(),
  // Keeping time and renewing a login are part of being in the hall.
  'hall:time': hallRequest(TimeRequest)
    .grant('hall:join', { scoped: false })
    .answers<{ serverTime: number }>(),
  'hall:renew': hallRequest(RenewRequest)
    .grant('hall:join', { scoped: false })
    .answers<{ expiresAt: string }>(),
  'hall:check-in': hallRequest(TenderRequest).grant('hall:check-in').answers<{ checkedInAt: string }>(),
  'hall:recipient': hallRequest(TenderRequest).grant('hall:recipient').answers<RecipientPackage>(),
  'hall:self-test-challenge': hallRequest(TenderRequest)
    .grant('hall:self-test-challenge')
    .answers<SelfTestChallenge>(),
  'hall:self-test': hallRequest(SelfTestRequest)
    .grant('hall:self-test')
    /** `message`: English, for tools; `because`: the outcome in both languages, for pages. */
    .answers<{ passed: boolean; message: string; because: ErrorDetail }>(),
  'hall:decrypt': hallRequest(DecryptRequest)
    .grant('hall:decrypt')
    .answers<{ part: 'summary' | 'documents'; accepted: true }>(),
  'hall:start-decryption': hallRequest(TenderRequest)
    .grant('hall:start-decryption')
    .answers<{ windowEndsAt: string }>(),
  'hall:pause': hallRequest(ReasonRequest).grant('hall:pause').answers<HallWindow>(),
  'hall:resume': hallRequest(ReasonRequest).grant('hall:resume').answers<HallWindow>(),
  'hall:extend': hallRequest(ExtendRequest).grant('hall:extend').answers<HallWindow>(),
  'hall:confirm-failure': hallRequest(ReasonRequest)
    .grant('hall:confirm-failure')
    .answers<{ status: TenderStatus }>(),
  'hall:cancel': hallRequest(ReasonRequest).grant('hall:cancel').answers<{ status: TenderStatus }>(),
  'hall:record-outage': hallRequest(OutageRequest)
    .grant('hall:record-outage')
    .answers<{ proposalId: string }>(),
  'hall:settle': hallRequest(ReasonRequest).grant('hall:settle').answers<{ proposalId: string }>(),
  'hall:confirm': hallRequest(ProposalDecisionRequest).grant('hall:confirm').answers<{ confirmed: true }>(),
  'hall:reject': hallRequest(ProposalDecisionRequest).grant('hall:reject').answers<{ rejected: true }>(),
  'hall:share-fetch': hallRequest(TenderRequest).grant('hall:share-fetch').answers<{ sealedShare: string }>(),
  'hall:share-submit': hallRequest(ShareSubmitRequest)
    .grant('hall:share-submit')
    .answers<{ sharesReceived: number }>(),
  'hall:approve-remedy': hallRequest(ReasonRequest)
    .grant('hall:approve-remedy')
    .answers<{ approved: true }>(),
  'hall:reveal-seed': hallRequest(SeedRequest).grant('hall:reveal-seed').answers<{ accepted: true }>(),
  'hall:announce': hallRequest(TenderRequest).grant('hall:announce').answers<{ rows: number }>(),
  'hall:open-record': hallRequest(TenderRequest).grant('hall:open-record').answers<{ sha256: string }>(),
  'hall:sign-record': hallRequest(SignRecordRequest).grant('hall:sign-record').answers<{ signed: true }>(),
  'hall:object': hallRequest(ObjectionRequest).grant('hall:object').answers<{ objectionId: string }>(),
  'hall:answer': hallRequest(AnswerRequest).grant('hall:answer').answers<{ answered: true }>(),
  'hall:close': hallRequest(TenderRequest).grant('hall:close').answers<{ status: TenderStatus }>(),
} as const;

export type HallRequests = typeof hallRequests;
export type HallRequestName = keyof HallRequests;
/** The grants hall requests need (roles.ts lists them among every action). */
export type HallGrant = HallRequests[HallRequestName]['grant'];
export type ClientToServerEvents = EventsOf<HallRequests>;

export interface ServerToClientEvents {
  'hall:event': (event: HallEvent) => void;
  /** Documents decryption progress; not sequenced (only the latest value matters). */
  'hall:progress': (progress: { tenderId: string; bidId: string; progress: number }) => void;
}

export interface InterServerEvents {
  ping: () => void;
}

export interface SocketData {
  actor: {
    readonly sub: string;
    readonly role: Role;
    readonly name: string;
    readonly identity: string;
    readonly org: string | null;
    readonly fp: string | null;
  };
  /** When the token the connection was opened (or last renewed) with expires (ms). */
  expiresAt: number;
  /** When the actor behind it was last found still registered as it was (ms). */
  actorCheckedAt: number;
}

/** Socket.IO limits: a request payload is small; anything bigger is an attack or a bug. */
export const hallLimits = {
  maxPayloadBytes: 64 * 1024,
  /** Token bucket per socket. */
  eventsPerSecond: 20,
  burst: 40,
} as const;
