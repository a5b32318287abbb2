/**
 * The opening record's format (开标记录表): the document every bidder signs, byte for byte, as its
 * canonical JSON (RFC 8785). Shared so that the page can show it readably and an auditor's tools can
 * read it; the server builds it (server/src/opening/record.ts).
 */
import type { OpeningStatus } from './enums.ts';
import type { ErrorDetail } from './errors.ts';
import type { SummaryValue } from './summary-fields.ts';

export const recordFormat = 'bidhall-opening-record/2';
/** Formats a verifier and the page still read: version 1 lacks the tender's parties, staff and check-ins. */
export const recordFormats = ['bidhall-opening-record/1', recordFormat] as const;

export function isRecordFormat(format: unknown): format is (typeof recordFormats)[number] {
  return (recordFormats as readonly unknown[]).includes(format);
}

export interface OpeningRecord {
  readonly format: (typeof recordFormats)[number];
  readonly tender: {
    readonly id: string;
    readonly code: string;
    readonly title: string;
    readonly minBidders: number;
    /** Version 2 on: the parties, the lot, the ceiling price (money string) and the place. */
    readonly tenderee?: string | null;
    readonly agency?: string | null;
    readonly lot?: string | null;
    readonly ceilingPrice?: string | null;
    readonly venue?: string;
  };
  /** Version 2 on: who ran the opening (the host who produced the record) and who supervised it. */
  readonly staff?: { readonly host: string; readonly supervisors: readonly string[] };
  /** Version 2 on, for a failed opening (流标): why it failed; the bids stay sealed. */
  readonly failure?: { readonly reason: string } | null;
  /** Version 2 on: the bidders who checked in, in the order they did, with when. */
  readonly checkIns?: readonly { readonly bidder: string; readonly at: string }[];
  readonly deadline: string;
  readonly openedAt: string | null;
  readonly decryptionStartedAt: string | null;
  readonly windowEndedAt: string | null;
  readonly announcedAt: string | null;
  readonly bids: readonly {
    readonly bidder: { readonly identity: string; readonly name: string };
    readonly receivedAt: string;
    readonly parts: { readonly summarySha256: string; readonly documentsSha256: string };
    readonly openingStatus: OpeningStatus;
    readonly reason: string | null;
    /** Version 2 on: the reason in both languages' words (shared errorDetails). */
    readonly because?: ErrorDetail | null;
    readonly decryptedBy: string | null;
    readonly summary: Readonly<Record<string, SummaryValue>> | null;
  }[];
  readonly outages: readonly { readonly from: string; readonly to: string; readonly reason: string }[];
  readonly draw: {
    /** The draw formula (shared/src/draw.ts); absent in records made before it was named. */
    readonly formula?: string;
    readonly options: readonly string[];
    readonly serverSeed: string;
    readonly serverSeedCommitment: string;
    readonly seeds: readonly {
      readonly bidder: string;
      readonly commitment: string;
      readonly seed: string | null;
    }[];
    readonly index: number;
    readonly value: string;
  } | null;
  /**
   * The opening hall's recording segments stored when the record was produced (财政部87号令 Art 39), each
   * with the SHA-256 the audit log holds; absent from records made before the platform listed them.
   */
  readonly recordings?: readonly {
    readonly segment: string;
    readonly peer: string;
    readonly startedAt: string;
    readonly endedAt: string;
    readonly bytes: number;
    readonly sha256: string;
  }[];
  readonly generatedAt: string;
}
