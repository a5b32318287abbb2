/**
 * Evaluations (评标) as the media service needs them: a main venue and sub venues in other
 * cities, and which expert sits in which venue. Experts' names are shown to each other and to
 * supervisors only; nothing of an evaluation is visible to bidders.
 * Also the media ticket a client asks the server for, and recorded segments for playback.
 */
import { type Static, Type } from 'typebox';
import { type Venue, venueKinds } from './media.ts';

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

export const EvaluationVenueView = Type.Object({
  venue: Type.String(),
  city: Type.String(),
  main: Type.Boolean(),
  experts: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  /** Where its seats are (CIDR); empty: anywhere. */
  seatNetworks: Type.Array(Type.String()),
});
export type EvaluationVenueView = Static<typeof EvaluationVenueView>;

export const EvaluationView = Type.Object({
  id: Type.String(),
  tenderId: Type.Union([Type.String(), Type.Null()]),
  title: Type.String(),
  createdAt: Type.String(),
  venues: Type.Array(EvaluationVenueView),
});
export type EvaluationView = Static<typeof EvaluationView>;

export const MediaTicketRequest = Type.Object(
  { venue: Type.String({ maxLength: 120 }) },
  { additionalProperties: false },
);
export type MediaTicketRequest = Static<typeof MediaTicketRequest>;

export const MediaTicketResponse = Type.Object({
  ticket: Type.String(),
  /** The SFU serving the venue (its signaling URL). */
  url: Type.String(),
  venue: Type.String(),
  permissions: Type.Object({ publish: Type.Boolean(), consume: Type.Boolean(), hidden: Type.Boolean() }),
  expiresAt: Type.String(),
});
export type MediaTicketResponse = Static<typeof MediaTicketResponse>;

/** A venue a supervisor may watch, with what it belongs to. */
export const WatchableVenue = Type.Object({
  venue: Type.String(),
  label: Type.String(),
  kind: Type.Enum(venueKinds),
});
export type WatchableVenue = Static<typeof WatchableVenue>;

/** A room with recordings, for the playback page's choice. */
export const RecordedRoom = Type.Object({
  room: Type.String(),
  label: Type.String(),
  segments: Type.Integer(),
  firstAt: Type.String(),
  lastAt: Type.String(),
});
export type RecordedRoom = Static<typeof RecordedRoom>;

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

export const segmentIntegrities = ['intact', 'tampered', 'missing'] as const;
export type SegmentIntegrity = (typeof segmentIntegrities)[number];

export const RecordingSegmentView = Type.Object({
  id: Type.String(),
  venue: Type.String(),
  peerName: Type.String(),
  kinds: Type.Array(Type.Enum(['audio', 'video'])),
  startedAt: Type.String(),
  endedAt: Type.String(),
  bytes: Type.Integer(),
  sha256: Type.String(),
  /** Where its hash sits in the audit chain. */
  auditSeq: Type.Integer(),
  integrity: Type.Enum(segmentIntegrities),
  /** Range-capable URL of the WebM. */
  mediaUrl: Type.String(),
});
export type RecordingSegmentView = Static<typeof RecordingSegmentView>;

/** What the playback page shows: the segments and the audit events of the same span, by time. */
export const PlaybackView = Type.Object({
  segments: Type.Array(RecordingSegmentView),
  events: Type.Array(
    Type.Object({
      seq: Type.Integer(),
      at: Type.String(),
      action: Type.String(),
      outcome: Type.String(),
      role: Type.Union([Type.String(), Type.Null()]),
      target: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});
export type PlaybackView = Static<typeof PlaybackView>;

export const PlaybackQuery = Type.Object(
  {
    /** Every venue of this room (`hall:<tender>` or `eval:<evaluation>`). */
    room: Type.String({ pattern: '^(hall:[0-9a-f-]{36}|eval:[0-9a-f-]{36})$' }),
  },
  { additionalProperties: false },
);
export type PlaybackQuery = Static<typeof PlaybackQuery>;
