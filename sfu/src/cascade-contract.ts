/**
 * What two SFUs say to each other over a cascade link, declared once: the one request (`cascade:open`,
 * trading PipeTransport endpoints) and the one-way messages either side sends afterwards. The event map
 * both sockets are typed with is derived from it, and every message is validated on arrival: the other
 * SFU holds the shared secret, but a bug or a different version on it must not reach mediasoup unchecked.
 */
import { type EventsOf, request } from '@bidhall/shared';
import { type Static, type TSchema, Type } from 'typebox';
import { Compile } from 'typebox/compile';

/** mediasoup's own objects (RTP and SRTP parameters): bounded here, checked by mediasoup. */
const Opaque = Type.Object({}, { additionalProperties: true });
const Id = Type.String({ minLength: 1, maxLength: 64 });

export const PipeEndpoint = Type.Object(
  {
    ip: Type.String({ minLength: 1, maxLength: 64 }),
    port: Type.Integer({ minimum: 1, maximum: 65_535 }),
    srtpParameters: Type.Object(
      { cryptoSuite: Type.String({ maxLength: 64 }), keyBase64: Type.String({ maxLength: 256 }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type PipeEndpoint = Static<typeof PipeEndpoint>;

export const CascadedTrack = Type.Object(
  {
    info: Type.Object(
      {
        producerId: Id,
        kind: Type.Enum(['audio', 'video']),
        source: Type.Enum(['camera', 'microphone', 'screen']),
        venue: Type.String({ maxLength: 128 }),
        peerId: Id,
        peerName: Type.String({ maxLength: 200 }),
        paused: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    kind: Type.Enum(['audio', 'video']),
    rtpParameters: Opaque,
    paused: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type CascadedTrack = Static<typeof CascadedTrack>;

export const cascadeRequests = {
  /** The sub side's endpoint; answered with the home side's. */
  'cascade:open': request(PipeEndpoint).answers<PipeEndpoint>(),
} as const;

/** One-way messages, either direction, once the link is open. */
export const cascadeMessages = {
  /** The sender has taken the answer and listens for tracks now. */
  'cascade:ready': Type.Object({}, { additionalProperties: false }),
  'cascade:producer': CascadedTrack,
  'cascade:producer-closed': Type.Object({ producerId: Id }, { additionalProperties: false }),
  'cascade:producer-paused': Type.Object(
    { producerId: Id, paused: Type.Boolean() },
    { additionalProperties: false },
  ),
} as const;

type Messages = typeof cascadeMessages;
export type CascadeMessageEvents = { [E in keyof Messages]: (message: Static<Messages[E]>) => void };
export type CascadeEvents = EventsOf<typeof cascadeRequests> & CascadeMessageEvents;

/** The listening side of a link socket (either end). */
interface MessageSocket {
  on(event: string, listener: (message: unknown) => void): unknown;
}

const validators = Object.fromEntries(
  Object.entries(cascadeMessages).map(([event, schema]: [string, TSchema]) => [event, Compile(schema)]),
);

/** Listens for the given messages, each validated first; an invalid one is dropped and reported. */
export function onMessages(
  socket: MessageSocket,
  listeners: { readonly [E in keyof Messages]?: (message: Static<Messages[E]>) => void },
  invalid: (event: string) => void,
): void {
  for (const [event, listener] of Object.entries(listeners) as [string, (message: unknown) => void][]) {
    socket.on(event, (message) => {
      if (validators[event]!.Check(message)) listener(message);
      else invalid(event);
    });
  }
}
