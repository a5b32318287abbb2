/**
 * Evaluations (评标) as the media service needs them (issue 5): a main venue and sub venues in other
 * cities, and which expert sits in which venue. Experts' names are shown to each other and to
 * supervisors only; nothing of an evaluation is visible to bidders.
 * Also the media ticket a client asks the server for, and recorded segments for playback.
 */
import { type Static, Type } from 'typebox';
import type { MediaPermissions, Venue } from './media.ts';

export const City = Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' });

export const CreateEvaluationRequest = Type.Object(
  {
    /** The tender evaluated (optional: an evaluation may be scheduled before its tender is on bidhall). */
    tenderId: Type.Optional(Type.String({ format: 'uuid' })),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    /** The main venue's city (主会场); the others are sub venues (分会场). */
    mainCity: City,
    subCities: Type.Array(City, { maxItems: 16, uniqueItems: true }),
    experts: Type.Array(
      Type.Object({ expertId: Type.String({ format: 'uuid' }), city: City }, { additionalProperties: false }),
      { minItems: 1, maxItems: 64 },
    ),
    /**
     * The networks of each venue's registered seats (CIDR, e.g. 10.20.0.0/16): experts may only join
     * from there, never from home. A venue without any accepts every address (trials, the demo).
     */
    seatNetworks: Type.Optional(
      Type.Array(
        Type.Object(
          { city: City, cidr: Type.String({ pattern: '^[0-9a-fA-F:.]+/[0-9]{1,3}$', maxLength: 64 }) },
          { additionalProperties: false },
        ),
        { maxItems: 64 },
      ),
    ),
  },
  { additionalProperties: false },
);
export type CreateEvaluationRequest = Static<typeof CreateEvaluationRequest>;

export interface EvaluationVenueView {
  readonly venue: Venue;
  readonly city: string;
  readonly main: boolean;
  readonly experts: readonly { readonly id: string; readonly name: string }[];
  /** Where its seats are (CIDR); empty: anywhere. */
  readonly seatNetworks: readonly string[];
}

export interface EvaluationView {
  readonly id: string;
  readonly tenderId: string | null;
  readonly title: string;
  readonly createdAt: string;
  readonly venues: readonly EvaluationVenueView[];
}

export const MediaTicketRequest = Type.Object(
  { venue: Type.String({ maxLength: 120 }) },
  { additionalProperties: false },
);
export type MediaTicketRequest = Static<typeof MediaTicketRequest>;

export interface MediaTicketResponse {
  readonly ticket: string;
  /** The SFU serving the venue (its signaling URL). */
  readonly url: string;
  readonly venue: Venue;
  readonly permissions: MediaPermissions;
  readonly expiresAt: string;
}

/** A venue a supervisor may watch, with what it belongs to. */
export interface WatchableVenue {
  readonly venue: Venue;
  readonly label: string;
  readonly kind: 'hall' | 'main' | 'sub';
}

/** A room with recordings, for the playback page's choice. */
export interface RecordedRoom {
  readonly room: string;
  readonly label: string;
  readonly segments: number;
  readonly firstAt: string;
  readonly lastAt: string;
}

/** What an SFU declares about a finished segment it hands to the server (which checks the bytes). */
export interface SegmentDescription {
  readonly id: string;
  readonly venue: Venue;
  readonly peerId: string;
  readonly peerName: string;
  readonly kinds: readonly ('audio' | 'video')[];
  readonly startedAt: string;
  readonly endedAt: string;
  readonly bytes: number;
  readonly sha256: string;
  /** The SFU (city) that recorded it. */
  readonly recordedBy: string;
}

export type SegmentIntegrity = 'intact' | 'tampered' | 'missing';

export interface RecordingSegmentView {
  readonly id: string;
  readonly venue: Venue;
  readonly peerName: string;
  readonly kinds: readonly ('audio' | 'video')[];
  readonly startedAt: string;
  readonly endedAt: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Where its hash sits in the audit chain. */
  readonly auditSeq: number;
  readonly integrity: SegmentIntegrity;
  /** Range-capable URL of the WebM. */
  readonly mediaUrl: string;
}

/** What the playback page shows: the segments and the audit events of the same span, by time. */
export interface PlaybackView {
  readonly segments: readonly RecordingSegmentView[];
  readonly events: readonly {
    readonly seq: number;
    readonly at: string;
    readonly action: string;
    readonly outcome: string;
    readonly role: string | null;
    readonly target: string | null;
  }[];
}

export const PlaybackQuery = Type.Object(
  {
    /** Every venue of this room (`hall:<tender>` or `eval:<evaluation>`). */
    room: Type.String({ pattern: '^(hall:[0-9a-f-]{36}|eval:[0-9a-f-]{36})$' }),
  },
  { additionalProperties: false },
);
export type PlaybackQuery = Static<typeof PlaybackQuery>;
