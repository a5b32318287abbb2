/**
 * Cross-city cascading (级联): each city runs its own SFU; the experts of a sub venue connect to the SFU in
 * their city, and that SFU links the room to the "home" SFU serving the main venue. One link per room:
 * a Socket.IO connection from the sub SFU to the home SFU's `/cascade` namespace (authenticated with a
 * token signed with the shared media secret) carries the signaling, and a pair of SRTP-protected
 * mediasoup PipeTransports carries the media. Every track of the room on either side is forwarded to the
 * other (never back over the link it came from), so with several sub venues the home SFU is the hub of
 * a star and every venue sees every other.
 */
import { errorCatalogue, isSecureOrLoopbackUrl, type Result, sfuSocketAddress } from '@bidhall/shared';
import { type Handlers, serveRequests } from '@bidhall/shared/serve-requests';
import { cascadeSigner, cascadeVerifier } from '@bidhall/shared/tokens';
import type { types } from 'mediasoup';
import type { Namespace, Socket as ServerSocket } from 'socket.io';
import { type Socket as ClientSocket, io as connect } from 'socket.io-client';
import {
  type CascadedTrack,
  type CascadeEvents,
  type CascadeMessageEvents,
  cascadeRequests,
  onMessages,
  type PipeEndpoint,
} from './cascade-contract.ts';
import { MediaError } from './errors.ts';
import type { ProducerEntry, Room } from './room.ts';

export interface CascadeNetwork {
  /** This SFU's name (its city), for logs and link ids. */
  readonly name: string;
  readonly secret: string;
  readonly listenIp: string;
  readonly announcedAddress?: string;
  readonly log?: { warn(object: object, message: string): void };
}

/** A link's socket as runLink uses it, whichever end it is: messages out, validated messages in. */
interface LinkSocket {
  emit<E extends keyof CascadeMessageEvents>(
    event: E,
    message: Parameters<CascadeMessageEvents[E]>[0],
  ): unknown;
  on(event: string, listener: (message: unknown) => void): unknown;
  disconnect(): unknown;
}

/**
 * Either end's Socket.IO socket as a LinkSocket: both have these methods, but their typed overloads
 * (server and client sockets differ) do not unify, so the one conversion is here.
 */
const asLink = (
  socket: ClientSocket<CascadeEvents, CascadeEvents> | ServerSocket<CascadeEvents, CascadeEvents>,
): LinkSocket => socket as unknown as LinkSocket;

async function pipeTransport(router: types.Router, network: CascadeNetwork): Promise<types.PipeTransport> {
  return router.createPipeTransport({
    listenInfo: {
      protocol: 'udp',
      ip: network.listenIp,
      ...(network.announcedAddress ? { announcedAddress: network.announcedAddress } : {}),
    },
    enableSrtp: true,
  });
}

function endpointOf(transport: types.PipeTransport, network: CascadeNetwork): PipeEndpoint {
  return {
    ip: network.announcedAddress ?? transport.tuple.localAddress,
    port: transport.tuple.localPort,
    srtpParameters: transport.srtpParameters!,
  };
}

/** The other side's endpoint, as mediasoup takes it (the schema allows only its crypto suites). */
const connectTo = (transport: types.PipeTransport, remote: PipeEndpoint) =>
  transport.connect({ ...remote, srtpParameters: remote.srtpParameters as types.SrtpParameters });

/**
 * Forwards the room's tracks over `transport` and takes in the other side's, once both transports are
 * connected. Symmetric: the same on the home and the sub side.
 */
function runLink(
  room: Room,
  router: types.Router,
  transport: types.PipeTransport,
  socket: LinkSocket,
  linkId: string,
  network: CascadeNetwork,
  onStop?: () => void,
) {
  const forwarded = new Map<string, types.Consumer>();
  const received = new Map<string, types.Producer>();

  const forward = async (entry: ProducerEntry) => {
    if (entry.origin === linkId || forwarded.has(entry.info.producerId) || transport.closed) return;
    const localId = await room.ensureOn(entry, router);
    const consumer = await transport.consume({ producerId: localId });
    forwarded.set(entry.info.producerId, consumer);
    // A paused track (a muted microphone, a camera turned off) is paused on the other side too.
    const tellPaused = (paused: boolean) =>
      socket.emit('cascade:producer-paused', { producerId: entry.info.producerId, paused });
    consumer.on('producerpause', () => tellPaused(true));
    consumer.on('producerresume', () => tellPaused(false));
    const track: CascadedTrack = {
      info: entry.info,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      paused: consumer.producerPaused,
    };
    socket.emit('cascade:producer', track);
  };
  const onProducer = (entry: ProducerEntry) => void forward(entry).catch(() => undefined);
  const onClosed = (producerId: string) => {
    const consumer = forwarded.get(producerId);
    if (!consumer) return;
    forwarded.delete(producerId);
    consumer.close();
    socket.emit('cascade:producer-closed', { producerId });
  };
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    room.off('producer', onProducer);
    room.off('producerclosed', onClosed);
    room.off('reset', stop);
    transport.close();
    socket.disconnect();
    onStop?.();
  };

  onMessages(
    socket,
    {
      'cascade:producer': (track) => {
        if (received.has(track.info.producerId) || transport.closed) return;
        void transport
          .produce({
            id: track.info.producerId,
            kind: track.kind,
            rtpParameters: track.rtpParameters as types.RtpParameters,
            paused: track.paused,
          })
          .then((producer) => {
            received.set(track.info.producerId, producer);
            room.addCascadedProducer(track.info, router, producer, linkId);
          })
          .catch(() => undefined);
      },
      'cascade:producer-closed': ({ producerId }) => {
        received.get(producerId)?.close();
        received.delete(producerId);
      },
      'cascade:producer-paused': ({ producerId, paused }) => {
        const producer = received.get(producerId);
        if (!producer) return;
        room.markPaused(producerId, paused);
        void (paused ? producer.pause() : producer.resume()).catch(() => undefined);
      },
    },
    (event) => network.log?.warn({ link: linkId, event }, 'cascade message dropped: invalid'),
  );
  socket.on('disconnect', stop);
  room.on('producer', onProducer);
  room.on('producerclosed', onClosed);
  room.once('reset', stop);
  for (const entry of room.producerEntries) onProducer(entry);
  return stop;
}

/** The home side: accepts links from other cities' SFUs for rooms it serves. */
export function serveCascade(
  namespace: Namespace,
  roomFor: (roomId: string) => Room,
  network: CascadeNetwork,
): void {
  const verify = cascadeVerifier(network.secret);
  namespace.use((socket, next) => {
    const claims = verify((socket.handshake.auth as { token?: unknown }).token);
    if (!claims) return next(new Error('cascade token invalid'));
    socket.data.cascade = claims;
    next();
  });
  type HomeSocket = ServerSocket<CascadeEvents, CascadeEvents>;
  /** Per link: its room, where it comes from, and whether it is open already (one open per link). */
  const links = new WeakMap<HomeSocket, { roomId: string; from: string; opened: boolean }>();
  const handlers: Handlers<typeof cascadeRequests, HomeSocket> = {
    'cascade:open': async (remote, socket) => {
      const link = links.get(socket)!;
      if (link.opened) throw new MediaError('VALIDATION_FAILED', 'this link is open already');
      link.opened = true;
      try {
        const room = roomFor(link.roomId);
        const router = await room.cascadeRouter();
        const transport = await pipeTransport(router, network);
        await connectTo(transport, remote);
        // Tracks flow once the other side listens for them: it says so after it has taken the answer.
        // The other city's venue keeps this room open while linked, even with nobody here.
        const release = room.hold();
        socket.once('disconnect', release);
        socket.once('cascade:ready', () =>
          runLink(room, router, transport, asLink(socket), `link:${link.from}`, network, release),
        );
        return endpointOf(transport, network);
      } catch (error) {
        setImmediate(() => socket.disconnect());
        throw new MediaError('MEDIA_UNAVAILABLE', (error as Error).message);
      }
    },
  };
  const attach = serveRequests<typeof cascadeRequests, HomeSocket, HomeSocket>({
    table: cascadeRequests,
    handlers,
    limits: { eventsPerSecond: 5, burst: 5 },
    callOf: (socket) => socket,
    toWireError: (error) =>
      error instanceof MediaError
        ? { code: error.code, message: error.message }
        : { code: 'INTERNAL', message: errorCatalogue.INTERNAL.en },
    log: { error: (object, message) => network.log?.warn(object, `cascade ${message}`) },
  });
  namespace.on('connection', (socket: HomeSocket) => {
    const { room: roomId, cascadeFrom } = socket.data.cascade as { room: string; cascadeFrom: string };
    links.set(socket, { roomId, from: cascadeFrom, opened: false });
    attach(socket);
  });
}

/** The sub side: opens this room's link to its home SFU. Resolves once media can flow. */
export async function openCascade(
  room: Room,
  homeUrl: string,
  network: CascadeNetwork,
  onClosed?: () => void,
): Promise<() => void> {
  // The link carries SRTP keys and a bearer token: never in the clear beyond this machine.
  if (!isSecureOrLoopbackUrl(homeUrl)) throw new Error(`the home SFU ${homeUrl} is not served over HTTPS`);
  const token = cascadeSigner(network.secret)({ cascadeFrom: network.name, room: room.id });
  // forceNew: a link has its own connection, never multiplexed with a participant's to the same host.
  const address = sfuSocketAddress(homeUrl, '/cascade');
  const socket: ClientSocket<CascadeEvents, CascadeEvents> = connect(address.uri, {
    path: address.path,
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const router = await room.cascadeRouter();
    const transport = await pipeTransport(router, network);
    const answer: Result<PipeEndpoint> = await socket
      .timeout(10_000)
      .emitWithAck('cascade:open', endpointOf(transport, network));
    if (!answer.ok) throw new Error(`the home SFU refused the link: ${answer.error.message}`);
    await connectTo(transport, answer.data);
    const stop = runLink(room, router, transport, asLink(socket), `link:${homeUrl}`, network, onClosed);
    socket.emit('cascade:ready', {});
    return stop;
  } catch (error) {
    socket.disconnect();
    throw error;
  }
}
