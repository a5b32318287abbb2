/**
 * The opening record's format (开标记录表): the document every bidder signs, byte for byte, as its
 * canonical JSON (RFC 8785). Shared so that the page can show it readably and an auditor's tools can
 * read it; the server builds it (server/src/opening/record.ts).
 */
import type { OpeningStatus } from './enums.ts';
import type { SummaryValue } from './summary-fields.ts';

export const recordFormat = 'bidhall-opening-record/1';

export interface OpeningRecord {
  readonly format: typeof recordFormat;
  readonly tender: {
    readonly id: string;
    readonly code: string;
    readonly title: string;
    readonly minBidders: number;
  };
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
  readonly generatedAt: string;
}
