/**
 * Constants and schemas of bidhall's sealed-bid format (specified in docs/bid-format.md).
 * Both the sealing tool and the server import them, so the two cannot drift apart.
 */
import { type Static, Type } from 'typebox';
import type { ReceiptKind } from './enums.ts';

export const bidFormat = 'bidhall-bid/1';
export const summaryFormat = 'bidhall-summary/1';

export const bidParts = ['summary', 'documents'] as const;
export type BidPart = (typeof bidParts)[number];

/** Default size limits; a deployment may lower or raise them in its configuration. */
export const defaultLimits = {
  summaryBytes: 1024 * 1024,
  documentsBytes: 2 * 1024 * 1024 * 1024,
  manifestBytes: 64 * 1024,
} as const;

/** File names inside a sealed-bid folder, as written by `bidhall bid seal`. */
export const sealedFileNames = {
  summary: 'summary.p7m',
  documents: 'documents.p7m',
  manifest: 'manifest.json',
  manifestSignature: 'manifest.p7s',
  drawSeed: 'draw-seed.txt',
} as const;

const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });
const PartDigest = Type.Object(
  {
    sha256: Sha256Hex,
    size: Type.Integer({ minimum: 1 }),
    /**
     * SHA-256 of the part's RecipientInfos SET, exactly as encoded in it. The bidder signs it, so that at
     * the opening its own client unwraps content keys only from its own bid's recipients, whatever a
     * server sends (docs/bid-format.md). Optional for bids sealed by hand.
     */
    recipientInfosSha256: Type.Optional(Sha256Hex),
  },
  { additionalProperties: false },
);

/**
 * The manifest binds the two sealed parts to the tender and the bidder. The bidder signs its exact bytes
 * (CMS detached signature, `manifest.p7s`), so the platform can prove who submitted which ciphertext.
 */
export const BidManifest = Type.Object(
  {
    format: Type.Literal(bidFormat),
    tenderId: Type.String({ format: 'uuid' }),
    parts: Type.Object({ summary: PartDigest, documents: PartDigest }, { additionalProperties: false }),
    /** PEM of the bidder's encryption certificate: one of the two required recipients. */
    encryptionCertificate: Type.String({ maxLength: 16 * 1024 }),
    /** SHA-256 of a secret seed revealed after the opening, for the verifiable random draw. */
    drawCommitment: Type.Optional(Sha256Hex),
    sealedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type BidManifest = Static<typeof BidManifest>;

/** The plaintext of the opening summary (开标一览表), inside the signed and encrypted summary part. */
export const OpeningSummary = Type.Object(
  {
    format: Type.Literal(summaryFormat),
    tenderId: Type.String({ format: 'uuid' }),
    /** Values of the fields the tender defines, keyed by field key. Money is a decimal string. */
    fields: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    /** SHA-256 of the plaintext documents package (a tar archive), binding summary and documents. */
    documentsSha256: Sha256Hex,
  },
  { additionalProperties: false },
);
export type OpeningSummary = Static<typeof OpeningSummary>;

export const receiptFormat = 'bidhall-receipt/1';

/** What the platform signs for the bidder (CMS SignedData, content attached, JSON in JCS form). */
export interface Receipt {
  readonly format: typeof receiptFormat;
  readonly kind: ReceiptKind;
  readonly tenderId: string;
  readonly tenderCode: string;
  readonly bidId: string;
  readonly bidder: { readonly identity: string; readonly name: string };
  readonly parts: {
    readonly summary: { readonly sha256: string; readonly size: number };
    readonly documents: { readonly sha256: string; readonly size: number };
  };
  readonly manifestSha256: string;
  /** Server time at which the last byte arrived (submissions) or the withdrawal was recorded. */
  readonly receivedAt: string;
  readonly deadline: string;
  /** The audit entry that records this step: anchors the audit chain in the bidder's hands. */
  readonly audit: { readonly seq: number; readonly hash: string };
}
