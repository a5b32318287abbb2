/**
 * Live audio/video: venues, the media ticket the server issues and the SFU checks, and the
 * typed Socket.IO signaling between a client and the SFU that serves its venue.
 *
 * Venues:
 *   `hall:<tenderId>`                        the opening hall broadcast (host publishes, bidders watch)
 *   `eval:<evaluationId>:main`               an evaluation's main venue (主会场)
 *   `eval:<evaluationId>:sub:<city>`         one of its sub venues in another city (分会场)
 * The venues of one evaluation form one room: experts in any of them see and hear each other.
 *
 * The main server decides who may do what in which venue (role grants, assignments) and says so in a
 * short-lived signed ticket; the SFU needs no database and trusts only tickets. Clients send every
 * request with an ack answering `Result<T>`, as in the hall.
 */
import { type Static, Type } from 'typebox';
import { roles } from './enums.ts';
import { type EventsOf, request } from './wire.ts';

export const venuePattern = '^(hall:[0-9a-f-]{36}|eval:[0-9a-f-]{36}:(main|sub:[a-z][a-z0-9-]{0,31}))$';
const venueRegExp = new RegExp(venuePattern);

export type Venue = string;

/** The kinds of venue: an opening hall, an evaluation's main venue, one of its sub venues. */
export const venueKinds = ['hall', 'main', 'sub'] as const;
export type VenueKind = (typeof venueKinds)[number];

/** A venue taken apart: what it is, and of which tender or evaluation. */
export type VenuePlace =
  | { readonly kind: 'hall'; readonly tenderId: string }
  | { readonly kind: 'main'; readonly evaluationId: string }
  | { readonly kind: 'sub'; readonly evaluationId: string; readonly city: string };

export function isVenue(value: unknown): value is Venue {
  return typeof value === 'string' && venueRegExp.test(value);
}

/** The venue's name, as tickets, rooms and recordings carry it. */
export function venueOf(place: VenuePlace): Venue {
  switch (place.kind) {
    case 'hall':
      return `hall:${place.tenderId}`;
    case 'main':
      return `eval:${place.evaluationId}:main`;
    case 'sub':
      return `eval:${place.evaluationId}:sub:${place.city}`;
  }
}

/** A venue's parts, or null for anything that is not a venue. */
export function parseVenue(venue: string): VenuePlace | null {
  if (!isVenue(venue)) return null;
  const [scope, id = '', place, city = ''] = venue.split(':');
  if (scope === 'hall') return { kind: 'hall', tenderId: id };
  return place === 'main' ? { kind: 'main', evaluationId: id } : { kind: 'sub', evaluationId: id, city };
}

/** The room a venue belongs to: the hall itself, or the evaluation all its venues share. */
export type MediaRoom =
  | { readonly kind: 'hall'; readonly id: string }
  | { readonly kind: 'eval'; readonly id: string };

export function roomName(room: MediaRoom): string {
  return `${room.kind}:${room.id}`;
}

export function parseRoom(name: string): MediaRoom | null {
  const match = /^(hall|eval):([0-9a-f-]{36})$/.exec(name);
  return match ? { kind: match[1] as MediaRoom['kind'], id: match[2]! } : null;
}

/** The room (its name) a venue belongs to. */
export function roomOf(venue: Venue): string {
  const place = parseVenue(venue);
  if (!place) throw new TypeError(`not a venue: ${venue}`);
  return place.kind === 'hall'
    ? roomName({ kind: 'hall', id: place.tenderId })
    : roomName({ kind: 'eval', id: place.evaluationId });
}

/** What a ticket allows in its venue. */
export interface MediaPermissions {
  readonly publish: boolean;
  readonly consume: boolean;
  /** Others are not told this participant is there (supervisors). */
  readonly hidden: boolean;
}

/** Claims of a media ticket (HS256 JWT signed by the server with the shared media secret). */
export const MediaTicket = Type.Object({
  sub: Type.String({ minLength: 1, maxLength: 64 }),
  role: Type.Enum(roles),
  /** Shown to other participants; the server leaves it empty where names are secret (experts to bidders). */
  name: Type.String({ maxLength: 200 }),
  venue: Type.String({ pattern: venuePattern }),
  publish: Type.Boolean(),
  consume: Type.Boolean(),
  /** Others are not told this participant is there (supervisors). */
  hidden: Type.Boolean(),
  /** Supervisors may watch every venue of the room, not only their own. */
  wholeRoom: Type.Boolean(),
  /**
   * Set when this venue's SFU is not the one serving the room's main venue (a sub venue in another city):
   * the internal address of that "home" SFU, which this SFU cascades the room with.
   */
  homeSfu: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048 })),
});
export type MediaTicket = Static<typeof MediaTicket>;

const Id = Type.String({ minLength: 1, maxLength: 64 });
/** RTP parameters and capabilities are mediasoup's own objects: bounded here, checked by mediasoup. */
const Opaque = Type.Object({}, { additionalProperties: true });

export const MediaJoinRequest = Type.Object(
  { venue: Type.String({ pattern: venuePattern }) },
  { additionalProperties: false },
);
export const CreateTransportRequest = Type.Object(
  { direction: Type.Enum(['send', 'recv']) },
  { additionalProperties: false },
);
export const ConnectTransportRequest = Type.Object(
  { transportId: Id, dtlsParameters: Opaque },
  { additionalProperties: false },
);
export const ProduceRequest = Type.Object(
  {
    transportId: Id,
    kind: Type.Enum(['audio', 'video']),
    rtpParameters: Opaque,
    /** What the track shows: a camera, a microphone, a shared screen. */
    source: Type.Enum(['camera', 'microphone', 'screen']),
  },
  { additionalProperties: false },
);
export const ConsumeRequest = Type.Object(
  { transportId: Id, producerId: Id, rtpCapabilities: Opaque },
  { additionalProperties: false },
);
export const ConsumerRequest = Type.Object({ consumerId: Id }, { additionalProperties: false });
export const ProducerRequest = Type.Object({ producerId: Id }, { additionalProperties: false });
export const PreferredLayersRequest = Type.Object(
  { consumerId: Id, spatialLayer: Type.Integer({ minimum: 0, maximum: 2 }) },
  { additionalProperties: false },
);

export type MediaJoinRequest = Static<typeof MediaJoinRequest>;
export type CreateTransportRequest = Static<typeof CreateTransportRequest>;
export type ConnectTransportRequest = Static<typeof ConnectTransportRequest>;
export type ProduceRequest = Static<typeof ProduceRequest>;
export type ConsumeRequest = Static<typeof ConsumeRequest>;
export type ConsumerRequest = Static<typeof ConsumerRequest>;
export type ProducerRequest = Static<typeof ProducerRequest>;
export type PreferredLayersRequest = Static<typeof PreferredLayersRequest>;

/** A published track as other participants learn of it. */
export interface RemoteProducer {
  readonly producerId: string;
  readonly kind: 'audio' | 'video';
  readonly source: 'camera' | 'microphone' | 'screen';
  readonly venue: Venue;
  readonly peerId: string;
  readonly peerName: string;
  readonly paused: boolean;
}

export interface TransportOptions {
  readonly id: string;
  readonly iceParameters: unknown;
  readonly iceCandidates: unknown[];
  readonly dtlsParameters: unknown;
}

export interface ConsumerOptions {
  readonly id: string;
  readonly producerId: string;
  readonly kind: 'audio' | 'video';
  readonly rtpParameters: unknown;
}

/**
 * Every request of a participant to its venue's SFU, once: payload schema and answer. `media:join` comes
 * first and names the venue of the ticket; the others need it done.
 */
export const mediaRequests = {
  'media:join': request(MediaJoinRequest).answers<{
    routerRtpCapabilities: unknown;
    producers: RemoteProducer[];
    permissions: MediaPermissions;
  }>(),
  'media:create-transport': request(CreateTransportRequest).answers<TransportOptions>(),
  'media:connect-transport': request(ConnectTransportRequest).answers<{ connected: true }>(),
  'media:produce': request(ProduceRequest).answers<{ producerId: string }>(),
  /** Consumers start paused; the client resumes once it has set its side up. */
  'media:consume': request(ConsumeRequest).answers<ConsumerOptions>(),
  'media:resume-consumer': request(ConsumerRequest).answers<{ resumed: true }>(),
  'media:pause-producer': request(ProducerRequest).answers<{ paused: true }>(),
  'media:resume-producer': request(ProducerRequest).answers<{ resumed: true }>(),
  'media:close-producer': request(ProducerRequest).answers<{ closed: true }>(),
  'media:preferred-layers': request(PreferredLayersRequest).answers<{ set: true }>(),
} as const;

export type MediaRequests = typeof mediaRequests;
export type MediaClientToServerEvents = EventsOf<MediaRequests>;

export interface MediaServerToClientEvents {
  'media:producer-added': (producer: RemoteProducer) => void;
  'media:producer-closed': (event: { producerId: string }) => void;
  'media:producer-paused': (event: { producerId: string; paused: boolean }) => void;
  /** The worker serving the venue died and the room was rebuilt: join again (transports are gone). */
  'media:rejoin': (event: { venue: Venue; reason: string }) => void;
  /** Per consumer: the layers mediasoup forwards and a 0–10 score of the link. */
  'media:consumer-score': (event: { consumerId: string; score: number }) => void;
}

/** Limits of the signaling channel. */
export const mediaLimits = {
  maxPayloadBytes: 64 * 1024,
  eventsPerSecond: 30,
  burst: 60,
  /** A consumer not resumed by its client within this time is closed (a client that never acks). */
  consumerResumeTimeoutMs: 15_000,
  maxTransportsPerPeer: 4,
  maxProducersPerPeer: 4,
  maxConsumersPerPeer: 200,
} as const;

/**
 * Where a Socket.IO client reaches an SFU given its URL: `http://sfu-bj:4443` is served at the usual
 * `/socket.io` path, `http://host:3000/sfu` (an SFU sharing the main server's port) under `/sfu/socket.io`.
 * A relative URL (`/sfu`) is resolved against `pageUrl` (a page's own address).
 */
export function sfuSocketAddress(
  url: string,
  namespace = '',
  pageUrl?: string,
): { uri: string; path: string } {
  const parsed = new URL(url, pageUrl);
  const prefix = parsed.pathname.replace(/\/+$/, '');
  return { uri: `${parsed.origin}${namespace}`, path: `${prefix}/socket.io` };
}

/**
 * Whether a URL may carry tickets, SRTP keys and recordings: HTTPS, or plain HTTP to this machine only
 * (loopback), where nothing crosses a network. Server and SFUs refuse other URLs.
 */
export function isSecureOrLoopbackUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'https:') return true;
  if (parsed.protocol !== 'http:') return false;
  const host = parsed.hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
