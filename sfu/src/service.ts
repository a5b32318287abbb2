/**
 * The SFU process's signaling: a Socket.IO server that clients reach with a media ticket from the main
 * server. Each socket is one participant in one venue. Every request is validated against the shared
 * schemas, rate-limited per socket, and answered with `Result<T>`; a refused request changes nothing and
 * the room goes on.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  errorCatalogue,
  type MediaRequests,
  type MediaTicket,
  mediaLimits,
  mediaRequests,
  roomOf,
  sfuSocketAddress,
  type WireError,
} from '@bidhall/shared';
import { type Handlers, serveRequests } from '@bidhall/shared/serve-requests';
import { ticketVerifier } from '@bidhall/shared/tokens';
import { Server, type Socket } from 'socket.io';
import { openCascade, serveCascade } from './cascade.ts';
import { MediaError } from './errors.ts';
import { SegmentOutbox } from './outbox.ts';
import {
  prepareRecordingsDir,
  type RecordedSegment,
  type RecorderOptions,
  RoomRecorder,
  recoverInterrupted,
} from './recorder.ts';
import { type Peer, Room } from './room.ts';
import { WorkerPool } from './worker-pool.ts';

export interface SfuOptions {
  /** This SFU's name (its city), used to identify its cascade links. */
  readonly name?: string;
  /** Where it listens on its own; or `attach` to share an HTTP server (the main server's port). */
  readonly host?: string;
  readonly port?: number;
  readonly attach?: {
    readonly server: HttpServer;
    /** The URL clients and other SFUs use, e.g. `http://host:3000/sfu` (its path becomes `/sfu/socket.io`). */
    readonly url: string;
  };
  /** Serve signaling over HTTPS with this certificate (what every SFU facing a network must do). */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  readonly ticketSecret: string;
  readonly workers: number;
  readonly listenIp: string;
  readonly announcedAddress?: string;
  readonly rtcMinPort?: number;
  readonly rtcMaxPort?: number;
  readonly consumersPerRouter?: number;
  /** Default mediaLimits.consumerResumeTimeoutMs (15 s). */
  readonly consumerResumeTimeoutMs?: number;
  /**
   * Records every publishing participant into WebM segments (see recorder.ts); off when absent. Finished
   * segments wait in `dir` until `deliver` succeeds (outbox.ts).
   */
  readonly recording?: Omit<RecorderOptions, 'log'>;
  readonly log: {
    info(object: object, message: string): void;
    warn(object: object, message: string): void;
    error(object: object, message: string): void;
  };
}

export interface Sfu {
  readonly url: string;
  readonly pool: WorkerPool;
  readonly rooms: ReadonlyMap<string, Room>;
  readonly recorders: ReadonlyMap<Room, RoomRecorder>;
  close(): Promise<void>;
}

/** What each signaling handler gets: the participant, and its room once it has joined. */
interface MediaCall {
  readonly peer: Peer;
  readonly roomId: string;
  /** The room joined; MEDIA_NOT_JOINED before media:join. */
  joined(): Room;
}

function wireError(error: unknown): WireError {
  if (error instanceof MediaError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: errorCatalogue.INTERNAL.en };
}

export async function startSfu(options: SfuOptions): Promise<Sfu> {
  const pool = await WorkerPool.start({
    size: options.workers,
    log: options.log,
    ...(options.rtcMinPort ? { rtcMinPort: options.rtcMinPort } : {}),
    ...(options.rtcMaxPort ? { rtcMaxPort: options.rtcMaxPort } : {}),
  });
  const rooms = new Map<string, Room>();
  const network = {
    listenIp: options.listenIp,
    consumersPerRouter: options.consumersPerRouter ?? 500,
    consumerResumeTimeoutMs: options.consumerResumeTimeoutMs ?? mediaLimits.consumerResumeTimeoutMs,
    ...(options.announcedAddress ? { announcedAddress: options.announcedAddress } : {}),
  };
  pool.on('died', (worker) => {
    for (const room of rooms.values()) {
      if (room.usesWorker(worker)) room.rebuild(`media worker ${worker.pid} stopped`);
    }
  });

  const notFound = (_request: unknown, response: { writeHead(status: number): { end(): void } }) => {
    response.writeHead(404).end();
  };
  const http: HttpServer =
    options.attach?.server ??
    (options.tls
      ? (createHttpsServer(options.tls, notFound) as unknown as HttpServer)
      : createServer(notFound));
  const io = new Server(http, {
    path: options.attach ? sfuSocketAddress(options.attach.url).path : '/socket.io',
    maxHttpBufferSize: mediaLimits.maxPayloadBytes,
    transports: ['websocket'],
    cors: { origin: true },
    // Sharing a server: upgrades for other paths (the hall's Socket.IO) are not this server's to refuse.
    destroyUpgrade: false,
  });
  const verify = ticketVerifier(options.ticketSecret);
  const recording = options.recording;
  let outbox: SegmentOutbox | null = null;
  if (recording) {
    await prepareRecordingsDir(recording.dir);
    outbox = new SegmentOutbox({ dir: recording.dir, deliver: recording.deliver, log: options.log });
    const waiting = outbox;
    const recovered = await recoverInterrupted(recording.dir, recording.ffmpegPath ?? 'ffmpeg', (segment) =>
      waiting.send(segment),
    );
    if (recovered)
      options.log.warn({ recovered }, 'recovered recording segments an earlier run did not finish');
    outbox.start();
  }
  const recorders = new Map<Room, RoomRecorder>();
  const roomFor = (roomId: string): Room => {
    const current = rooms.get(roomId);
    if (current) return current;
    const created = new Room(roomId, pool, network, () => {
      if (rooms.get(roomId) === created) rooms.delete(roomId);
      const recorder = recorders.get(created);
      recorders.delete(created);
      void recorder?.close();
    });
    rooms.set(roomId, created);
    if (recording && outbox) {
      const waiting = outbox;
      const deliver = async (segment: RecordedSegment) => void (await waiting.send(segment));
      recorders.set(created, new RoomRecorder(created, { ...recording, deliver, log: options.log }));
    }
    return created;
  };
  const cascade = {
    name: options.name ?? 'local',
    secret: options.ticketSecret,
    listenIp: options.listenIp,
    ...(options.announcedAddress ? { announcedAddress: options.announcedAddress } : {}),
    log: options.log,
  };
  serveCascade(io.of('/cascade'), roomFor, cascade);
  /** This SFU's links to the home SFUs of rooms it serves a sub venue of, by room. */
  const links = new Map<string, Promise<unknown>>();
  const linkHome = (room: Room, homeUrl: string, attempt = 0): Promise<unknown> => {
    let link = links.get(room.id);
    if (!link) {
      // A link that drops (the home SFU restarted, the room there was rebuilt) is made again while
      // this venue still has people in it.
      const onClosed = () => {
        if (links.get(room.id) === link) links.delete(room.id);
        if (room.closed || room.peers === 0 || rooms.get(room.id) !== room) return;
        const delay = Math.min(15_000, 500 * 2 ** attempt);
        setTimeout(() => {
          if (room.closed || room.peers === 0) return;
          linkHome(room, homeUrl, attempt + 1).catch((error: unknown) =>
            options.log.warn({ err: error, room: room.id }, 'cascade link could not be made again yet'),
          );
        }, delay).unref();
      };
      link = openCascade(room, homeUrl, cascade, onClosed);
      links.set(room.id, link);
      const forget = () => {
        if (links.get(room.id) === link) links.delete(room.id);
      };
      // The caller sees the failure; here it only clears the way for the next attempt (a first attempt
      // fails the join that asked for it; a repeated one keeps trying).
      link.catch(() => {
        forget();
        if (attempt > 0) onClosed();
      });
      room.once('reset', forget);
    }
    return link;
  };

  io.use((socket, next) => {
    const ticket = verify((socket.handshake.auth as { ticket?: unknown }).ticket);
    if (!ticket) {
      const error = new Error(errorCatalogue.MEDIA_TICKET_INVALID.en) as Error & { data: WireError };
      error.data = { code: 'MEDIA_TICKET_INVALID', message: errorCatalogue.MEDIA_TICKET_INVALID.en };
      return next(error);
    }
    socket.data.ticket = ticket;
    next();
  });

  const handlers: Handlers<MediaRequests, MediaCall> = {
    'media:join': async ({ venue }, { peer, roomId }) => {
      const { ticket } = peer;
      if (venue !== ticket.venue) throw new MediaError('MEDIA_FORBIDDEN', 'the ticket is for another venue');
      const room = roomFor(roomId);
      // The link first, so that what the main venue publishes is in the list the participant gets.
      if (ticket.homeSfu) {
        await linkHome(room, ticket.homeSfu).catch((error: unknown) => {
          options.log.error({ err: error, room: roomId }, 'cascade link to the home SFU failed');
          if (room.peers === 0) room.close();
          throw new MediaError('MEDIA_UNAVAILABLE', 'the main venue cannot be reached right now');
        });
      }
      return room.join(peer);
    },
    'media:create-transport': ({ direction }, { peer, joined }) => joined().createTransport(peer, direction),
    'media:connect-transport': async ({ transportId, dtlsParameters }, { peer, joined }) => {
      await joined().connectTransport(peer, transportId, dtlsParameters);
      return { connected: true };
    },
    'media:produce': async (request, { peer, joined }) => ({
      producerId: await joined().produce(peer, request),
    }),
    'media:consume': (request, { peer, joined }) => joined().consume(peer, request),
    'media:resume-consumer': async ({ consumerId }, { peer, joined }) => {
      await joined().resumeConsumer(peer, consumerId);
      return { resumed: true };
    },
    'media:pause-producer': async ({ producerId }, { peer, joined }) => {
      await joined().pauseProducer(peer, producerId, true);
      return { paused: true };
    },
    'media:resume-producer': async ({ producerId }, { peer, joined }) => {
      await joined().pauseProducer(peer, producerId, false);
      return { resumed: true };
    },
    'media:close-producer': async ({ producerId }, { peer, joined }) => {
      joined().closeProducer(peer, producerId);
      return { closed: true };
    },
    'media:preferred-layers': async ({ consumerId, spatialLayer }, { peer, joined }) => {
      await joined().setPreferredLayers(peer, consumerId, spatialLayer);
      return { set: true };
    },
  };
  const calls = new WeakMap<Socket, MediaCall>();
  const attach = serveRequests<MediaRequests, Socket, MediaCall>({
    table: mediaRequests,
    handlers,
    limits: mediaLimits,
    callOf: (socket) => calls.get(socket)!,
    toWireError: wireError,
    log: { error: (object, message) => options.log.error(object, `media ${message}`) },
  });

  io.on('connection', (socket: Socket) => {
    const ticket = socket.data.ticket as MediaTicket;
    const peer: Peer = {
      id: socket.id,
      ticket,
      router: null,
      transports: new Map(),
      producers: new Map(),
      consumers: new Map(),
      send: (event, payload) => socket.emit(event, payload),
    };
    const roomId = roomOf(ticket.venue);
    calls.set(socket, {
      peer,
      roomId,
      joined: () => {
        const current = rooms.get(roomId);
        if (!current) throw new MediaError('MEDIA_NOT_JOINED', 'join the venue first');
        return current;
      },
    });
    attach(socket);
    socket.on('disconnect', () => rooms.get(roomId)?.leave(peer));
  });

  let url: string;
  if (options.attach) url = options.attach.url;
  else {
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve) => http.listen(options.port ?? 0, host, resolve));
    url = `${options.tls ? 'https' : 'http'}://${host}:${(http.address() as AddressInfo).port}`;
  }
  options.log.info({ url, workers: options.workers }, 'SFU listening');
  return {
    url,
    pool,
    rooms,
    recorders,
    async close() {
      // Recordings first, while their tracks still flow: every segment is finalised and delivered.
      await Promise.all([...recorders.values()].map((recorder) => recorder.close()));
      await outbox?.close();
      io.disconnectSockets(true);
      // io.close() would close an attached server too: only this SFU's own server is closed.
      if (options.attach) io.engine.close();
      else await new Promise<void>((resolve) => io.close(() => resolve()));
      for (const room of rooms.values()) room.close();
      pool.close();
    },
  };
}
