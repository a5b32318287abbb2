/** Tender definitions: what a host creates, and the statuses an opening goes through. */
import { type Static, type TSchema, Type } from 'typebox';
import { openingKeyAlgorithms, remedyPolicies, summaryFieldTypes, tenderStatuses } from './enums.ts';
import { moneyPattern } from './money.ts';

/** The opening's place when the host names no other: it happens online. */
export const onlineVenue = '网上开标';

export const SummaryField = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z][a-zA-Z0-9_]{0,39}$' }),
    label: Type.Object(
      { zh: Type.String({ minLength: 1, maxLength: 60 }), en: Type.String({ minLength: 1, maxLength: 60 }) },
      { additionalProperties: false },
    ),
    type: Type.Enum(summaryFieldTypes),
    required: Type.Boolean({ default: true }),
  },
  { additionalProperties: false },
);
export type SummaryField = Static<typeof SummaryField>;

export const CreateTenderRequest = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$' }),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    /** The buyer (招标人 / 采购人). */
    tenderee: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** The lot (标段), when the project is tendered in several. */
    lot: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    /** The ceiling price (最高投标限价) in yuan, written as money summary fields are ("12860000.00"). */
    ceilingPrice: Type.Optional(Type.String({ pattern: moneyPattern.source })),
    /** Where the opening takes place, as the record names it; 网上开标 when not given. */
    venue: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    deadline: Type.String({ format: 'date-time' }),
    decryptionWindowMinutes: Type.Integer({ minimum: 5, maximum: 24 * 60, default: 30 }),
    summaryFields: Type.Array(SummaryField, { minItems: 1, maxItems: 30 }),
    /** 实施条例 Art 44: fewer than three bidders, no opening. The floor is three (docs/opening.md). */
    minBidders: Type.Integer({ minimum: 3, maximum: 1000, default: 3 }),
    custodianIds: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 16 }),
    quorum: Type.Integer({ minimum: 1, maximum: 16 }),
    remedyPolicy: Type.Enum(remedyPolicies, { default: 'custodian-quorum' }),
    openingKeyAlgorithm: Type.Enum(openingKeyAlgorithms, { default: 'rsa-2048' }),
    /** Check-in (签到) opens this long before the deadline. */
    checkInMinutes: Type.Integer({ minimum: 0, maximum: 24 * 60, default: 30 }),
    /** Optional verifiable random draw of a parameter (e.g. 下浮系数) among these options. */
    draw: Type.Optional(
      Type.Object(
        {
          label: Type.Object(
            {
              zh: Type.String({ minLength: 1, maxLength: 60 }),
              en: Type.String({ minLength: 1, maxLength: 60 }),
            },
            { additionalProperties: false },
          ),
          options: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { minItems: 2, maxItems: 100 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type CreateTenderRequest = Static<typeof CreateTenderRequest>;

/**
 * What a host may change before the deadline: the words and the times. The summary fields, the
 * custodians and the opening key are fixed once bids may have been sealed against them (a new tender
 * is the way to change those).
 */
export const UpdateTenderRequest = Type.Object(
  {
    title: Type.Optional(CreateTenderRequest.properties.title),
    tenderee: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    lot: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    ceilingPrice: Type.Optional(Type.String({ pattern: moneyPattern.source })),
    venue: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    deadline: Type.Optional(Type.String({ format: 'date-time' })),
    decryptionWindowMinutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 24 * 60 })),
    checkInMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 60 })),
    /** The opening summary's fields: bids received before the change must be sealed again. */
    summaryFields: Type.Optional(CreateTenderRequest.properties.summaryFields),
    /**
     * The custodians and how many of them open the key together: a new opening key and certificate, so
     * bids received before the change must be sealed again (to the new certificate).
     */
    custodianIds: Type.Optional(CreateTenderRequest.properties.custodianIds),
    quorum: Type.Optional(CreateTenderRequest.properties.quorum),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateTenderRequest = Static<typeof UpdateTenderRequest>;

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** A tender as its readers get it (the HTTP response schema too). */
export const TenderView = Type.Object({
  id: Type.String(),
  code: Type.String(),
  title: Type.String(),
  status: Type.Enum(tenderStatuses),
  deadline: Type.String(),
  decryptionWindowMinutes: Type.Integer(),
  summaryFields: Type.Array(SummaryField),
  minBidders: Type.Integer(),
  /** The agency running the tender (its hosts drive the opening). */
  agency: Nullable(Type.String()),
  tenderee: Nullable(Type.String()),
  lot: Nullable(Type.String()),
  ceilingPrice: Nullable(Type.String()),
  /** Where the opening takes place (网上开标 when the host named no other place). */
  venue: Type.String(),
  /** Why the host cancelled the tender, once it did. */
  cancelReason: Nullable(Type.String()),
  quorum: Type.Integer(),
  custodians: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), shareIndex: Type.Integer() })),
  remedyPolicy: Type.Enum(remedyPolicies),
  /** PEM of the opening certificate bidders seal to. */
  openingCertificate: Type.String(),
  createdAt: Type.String(),
  checkInOpensAt: Type.String(),
  /** The draw's options and the SHA-256 of the server's seed, fixed before any bid could be seen. */
  draw: Nullable(
    Type.Object({
      label: Type.Object({ zh: Type.String(), en: Type.String() }),
      options: Type.Array(Type.String()),
      serverSeedCommitment: Type.String(),
    }),
  ),
});
export type TenderView = Static<typeof TenderView>;
