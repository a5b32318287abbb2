/**
 * One room of the SFU: an opening hall, or an evaluation with its main and sub venues. Each venue has its
 * own Router; a consumer in one venue of a producer in another gets it through `pipeToRouter`, so the
 * experts of all venues see and hear each other. A hall whose viewers outgrow one router gets more
 * routers on other workers, fed by pipes from the first (where the host publishes).
 *
 * Permissions come from the peer's media ticket only. Presence is never announced: other participants
 * learn of published tracks, not of who watches, so supervisors stay unseen.
 */

import { EventEmitter } from 'node:events';
import {
  type MediaPermissions,
  type MediaTicket,
  mediaLimits,
  parseRoom,
  parseVenue,
  type RemoteProducer,
  roomOf,
  venueOf,
} from '@bidhall/shared';

const isHall = (venue: string) => parseVenue(venue)?.kind === 'hall';

import type { types } from 'mediasoup';
import { MediaError } from './errors.ts';
import type { WorkerPool } from './worker-pool.ts';

export const mediaCodecs: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 600 } },
];

export interface NetworkOptions {
  /** Address the transports listen on. */
  readonly listenIp: string;
  /** Address announced to clients (public IP behind NAT), if not the listen address. */
  readonly announcedAddress?: string;
  /** Viewers per hall router before another router (on another worker) is added. */
  readonly consumersPerRouter: number;
  /** A consumer its client has not resumed by then is closed. */
  readonly consumerResumeTimeoutMs: number;
}

export interface Peer {
  readonly id: string;
  readonly ticket: MediaTicket;
  router: types.Router | null;
  readonly transports: Map<string, types.WebRtcTransport>;
  readonly producers: Map<string, types.Producer>;
  readonly consumers: Map<string, types.Consumer>;
  readonly send: (event: string, payload: object) => void;
}

export interface ProducerEntry {
  readonly info: RemoteProducer;
  readonly router: types.Router;
  /** The local participant who publishes it, or null for a track that came over a cascade link. */
  readonly owner: Peer | null;
  /** 'local', or the id of the cascade link it came over (never sent back over that link). */
  readonly origin: string;
  readonly producer: types.Producer;
}

export interface RoomEvents {
  /** A track appeared in the room (published here or cascaded in): links forward it. */
  producer: [entry: ProducerEntry];
  producerclosed: [producerId: string];
  /** A track was paused (muted, camera off) or resumed. */
  producerpaused: [producerId: string, paused: boolean];
  /** The room's routers are gone (rebuild or close): links on them must be rebuilt. */
  reset: [];
}

export class Room extends EventEmitter<RoomEvents> {
  readonly id: string;
  readonly #pool: WorkerPool;
  readonly #network: NetworkOptions;
  /** Routers per venue; the first one of a venue carries its producers. */
  readonly #routers = new Map<string, types.Router[]>();
  readonly #peers = new Map<string, Peer>();
  readonly #producers = new Map<string, ProducerEntry>();
  /** Pipes made (or being made) into each router, by producer id. */
  readonly #piped = new Map<string, Map<string, Promise<string>>>();
  readonly #onEmpty: () => void;
  /** Cascade links keeping the room open (see hold). */
  #holds = 0;
  #closed = false;

  constructor(id: string, pool: WorkerPool, network: NetworkOptions, onEmpty: () => void) {
    super();
    this.id = id;
    this.#pool = pool;
    this.#network = network;
    this.#onEmpty = onEmpty;
  }

  get peers(): number {
    return this.#peers.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  usesWorker(worker: types.Worker): boolean {
    return [...this.#routers.values()].flat().some((router) => this.#workerOf(router) === worker);
  }

  #workerOf(router: types.Router): types.Worker | undefined {
    return (router.appData as { worker?: types.Worker }).worker;
  }

  async #newRouter(venue: string): Promise<types.Router> {
    const worker = this.#pool.next();
    const router = await worker.createRouter({ mediaCodecs, appData: { worker, venue } });
    const list = this.#routers.get(venue) ?? [];
    list.push(router);
    this.#routers.set(venue, list);
    return router;
  }

  /** Publishers use the venue's first router; a hall viewer the first router with room to spare. */
  async #routerFor(peer: Peer): Promise<types.Router> {
    const venue = peer.ticket.venue;
    const list = this.#routers.get(venue) ?? [];
    if (list.length === 0 || peer.ticket.publish || !isHall(venue)) return list[0] ?? this.#newRouter(venue);
    const load = (router: types.Router) =>
      [...this.#peers.values()]
        .filter((p) => p.router === router)
        .reduce((n, p) => n + p.consumers.size + 2, 0);
    const spare = list.find((router) => load(router) < this.#network.consumersPerRouter);
    return spare ?? this.#newRouter(venue);
  }

  /** The producers a peer may consume: its venue's, or the whole room's for evaluations and supervisors. */
  #visible(peer: Peer): ProducerEntry[] {
    if (!peer.ticket.consume) return [];
    return [...this.#producers.values()].filter(
      (entry) =>
        entry.owner !== peer &&
        (peer.ticket.wholeRoom || !isHall(peer.ticket.venue) || entry.info.venue === peer.ticket.venue),
    );
  }

  async join(peer: Peer): Promise<{
    routerRtpCapabilities: types.RtpCapabilities;
    producers: RemoteProducer[];
    permissions: MediaPermissions;
  }> {
    if (roomOf(peer.ticket.venue) !== this.id)
      throw new MediaError('MEDIA_FORBIDDEN', 'the ticket is for another room');
    this.#peers.set(peer.id, peer);
    peer.router = await this.#routerFor(peer);
    const { publish, consume, hidden } = peer.ticket;
    return {
      routerRtpCapabilities: peer.router.rtpCapabilities,
      producers: this.#visible(peer).map((entry) => entry.info),
      permissions: { publish, consume, hidden },
    };
  }

  #joined(peer: Peer): types.Router {
    if (!peer.router || !this.#peers.has(peer.id))
      throw new MediaError('MEDIA_NOT_JOINED', 'join the venue first');
    return peer.router;
  }

  async createTransport(peer: Peer, direction: 'send' | 'recv') {
    const router = this.#joined(peer);
    if (direction === 'send' && !peer.ticket.publish)
      throw new MediaError('MEDIA_FORBIDDEN', `a ${peer.ticket.role} may not publish here`);
    if (direction === 'recv' && !peer.ticket.consume)
      throw new MediaError('MEDIA_FORBIDDEN', `a ${peer.ticket.role} may not watch here`);
    if (peer.transports.size >= mediaLimits.maxTransportsPerPeer)
      throw new MediaError('MEDIA_LIMIT', `at most ${mediaLimits.maxTransportsPerPeer} transports`);
    const transport = await router.createWebRtcTransport({
      listenInfos: (['udp', 'tcp'] as const).map((protocol) => ({
        protocol,
        ip: this.#network.listenIp,
        ...(this.#network.announcedAddress ? { announcedAddress: this.#network.announcedAddress } : {}),
      })),
      preferUdp: true,
      initialAvailableOutgoingBitrate: 1_000_000,
      appData: { direction },
    });
    peer.transports.set(transport.id, transport);
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  #transport(peer: Peer, transportId: string, direction?: 'send' | 'recv'): types.WebRtcTransport {
    const transport = peer.transports.get(transportId);
    if (!transport || (direction && (transport.appData as { direction: string }).direction !== direction))
      throw new MediaError(
        'MEDIA_UNKNOWN_ID',
        `no ${direction ?? ''} transport ${transportId} of yours`.replace('  ', ' '),
      );
    return transport;
  }

  async connectTransport(peer: Peer, transportId: string, dtlsParameters: unknown): Promise<void> {
    this.#joined(peer);
    await mediasoupCall(() =>
      this.#transport(peer, transportId).connect({ dtlsParameters: dtlsParameters as types.DtlsParameters }),
    );
  }

  async produce(
    peer: Peer,
    request: {
      transportId: string;
      kind: 'audio' | 'video';
      rtpParameters: unknown;
      source: RemoteProducer['source'];
    },
  ): Promise<string> {
    const router = this.#joined(peer);
    if (!peer.ticket.publish)
      throw new MediaError('MEDIA_FORBIDDEN', `a ${peer.ticket.role} may not publish here`);
    if (peer.producers.size >= mediaLimits.maxProducersPerPeer)
      throw new MediaError('MEDIA_LIMIT', `at most ${mediaLimits.maxProducersPerPeer} tracks`);
    const transport = this.#transport(peer, request.transportId, 'send');
    const producer = await mediasoupCall(() =>
      transport.produce({ kind: request.kind, rtpParameters: request.rtpParameters as types.RtpParameters }),
    );
    peer.producers.set(producer.id, producer);
    const info: RemoteProducer = {
      producerId: producer.id,
      kind: producer.kind,
      source: request.source,
      venue: peer.ticket.venue,
      peerId: peer.ticket.sub,
      peerName: peer.ticket.name,
      paused: producer.paused,
    };
    producer.observer.once('close', () => peer.producers.delete(producer.id));
    this.#addProducer({ info, router, owner: peer, origin: 'local', producer });
    return producer.id;
  }

  #addProducer(entry: ProducerEntry): void {
    this.#producers.set(entry.info.producerId, entry);
    entry.producer.observer.once('close', () => {
      if (this.#producers.get(entry.info.producerId) !== entry) return;
      this.#producers.delete(entry.info.producerId);
      this.#tellViewers(entry.info, 'media:producer-closed', { producerId: entry.info.producerId });
      this.emit('producerclosed', entry.info.producerId);
    });
    this.#tellViewers(entry.info, 'media:producer-added', entry.info);
    this.emit('producer', entry);
  }

  /** Every track of the room now, for a cascade link that has just opened. */
  get producerEntries(): readonly ProducerEntry[] {
    return [...this.#producers.values()];
  }

  /** The router cascade links attach to: the main venue's first router (made if need be). */
  async cascadeRouter(): Promise<types.Router> {
    const first = [...this.#routers.values()][0]?.[0];
    const room = parseRoom(this.id);
    return (
      first ??
      this.#newRouter(room?.kind === 'eval' ? venueOf({ kind: 'main', evaluationId: room.id }) : this.id)
    );
  }

  /** A track that arrived over a cascade link, produced on `router` by its PipeTransport. */
  addCascadedProducer(
    info: RemoteProducer,
    router: types.Router,
    producer: types.Producer,
    linkId: string,
  ): void {
    this.#addProducer({ info, router, owner: null, origin: linkId, producer });
  }

  /** Tells every peer that may see `info` (other than its owner) about it. */
  #tellViewers(info: RemoteProducer, event: string, payload: object): void {
    for (const other of this.#peers.values()) {
      if (other.ticket.sub === info.peerId && other.producers.has(info.producerId)) continue;
      const sees =
        other.ticket.consume &&
        (other.ticket.wholeRoom || !isHall(other.ticket.venue) || info.venue === other.ticket.venue);
      if (sees) other.send(event, payload);
    }
  }

  async consume(
    peer: Peer,
    request: { transportId: string; producerId: string; rtpCapabilities: unknown },
  ): Promise<{
    id: string;
    producerId: string;
    kind: 'audio' | 'video';
    rtpParameters: types.RtpParameters;
  }> {
    const router = this.#joined(peer);
    if (!peer.ticket.consume)
      throw new MediaError('MEDIA_FORBIDDEN', `a ${peer.ticket.role} may not watch here`);
    if (peer.consumers.size >= mediaLimits.maxConsumersPerPeer)
      throw new MediaError('MEDIA_LIMIT', `at most ${mediaLimits.maxConsumersPerPeer} consumers`);
    const entry = this.#visible(peer).find((e) => e.info.producerId === request.producerId);
    if (!entry) throw new MediaError('MEDIA_UNKNOWN_ID', `no producer ${request.producerId} you may watch`);
    const transport = this.#transport(peer, request.transportId, 'recv');
    const localId = await this.#pipe(entry, router);
    const rtpCapabilities = request.rtpCapabilities as types.RtpCapabilities;
    const canConsume = await mediasoupCall(async () =>
      router.canConsume({ producerId: localId, rtpCapabilities }),
    );
    if (!canConsume) throw new MediaError('MEDIA_BAD_PARAMETERS', 'your device cannot receive this track');
    const consumer = await mediasoupCall(() =>
      transport.consume({ producerId: localId, rtpCapabilities, paused: true }),
    );
    peer.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    consumer.on('score', (score) =>
      peer.send('media:consumer-score', { consumerId: consumer.id, score: score.score }),
    );
    consumer.on('producerpause', () =>
      peer.send('media:producer-paused', { producerId: entry.info.producerId, paused: true }),
    );
    consumer.on('producerresume', () =>
      peer.send('media:producer-paused', { producerId: entry.info.producerId, paused: false }),
    );
    // A client that never resumes its consumer (never acks having set it up) does not keep it.
    const abandon = setTimeout(() => {
      if (consumer.paused && !consumer.closed) consumer.close();
    }, this.#network.consumerResumeTimeoutMs);
    abandon.unref();
    consumer.observer.once('resume', () => clearTimeout(abandon));
    consumer.observer.once('close', () => clearTimeout(abandon));
    return {
      id: consumer.id,
      producerId: request.producerId,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
    };
  }

  /** Makes a track of the room available on `router` (for a cascade link's transport); its id there. */
  ensureOn(entry: ProducerEntry, router: types.Router): Promise<string> {
    return this.#pipe(entry, router);
  }

  /**
   * Makes the producer available on `router` (another venue, or another hall router), once, and returns
   * its id on that router. Between routers of one worker the piped copy needs an id of its own (mediasoup
   * ids are unique per worker); across workers it keeps the original one.
   */
  async #pipe(entry: ProducerEntry, router: types.Router): Promise<string> {
    if (entry.router === router) return entry.info.producerId;
    const piped = this.#piped.get(router.id) ?? new Map<string, Promise<string>>();
    this.#piped.set(router.id, piped);
    // Concurrent consumers of the same producer wait for the one pipe being made.
    let pipe = piped.get(entry.info.producerId);
    if (!pipe) {
      const keepId = this.#workerOf(entry.router) !== this.#workerOf(router);
      pipe = entry.router
        .pipeToRouter({ producerId: entry.info.producerId, router, keepId })
        .then(({ pipeProducer }) => pipeProducer?.id ?? entry.info.producerId);
      piped.set(entry.info.producerId, pipe);
      pipe.catch(() => piped.delete(entry.info.producerId));
    }
    return pipe;
  }

  #consumer(peer: Peer, consumerId: string): types.Consumer {
    const consumer = peer.consumers.get(consumerId);
    if (!consumer) throw new MediaError('MEDIA_UNKNOWN_ID', `no consumer ${consumerId} of yours`);
    return consumer;
  }

  #producer(peer: Peer, producerId: string): types.Producer {
    const producer = peer.producers.get(producerId);
    if (!producer) throw new MediaError('MEDIA_UNKNOWN_ID', `no producer ${producerId} of yours`);
    return producer;
  }

  async resumeConsumer(peer: Peer, consumerId: string): Promise<void> {
    const consumer = this.#consumer(peer, consumerId);
    await consumer.resume();
    // The score is sent as it changes; a steady link would otherwise never report one.
    peer.send('media:consumer-score', { consumerId, score: consumer.score.score });
  }

  async setPreferredLayers(peer: Peer, consumerId: string, spatialLayer: number): Promise<void> {
    await this.#consumer(peer, consumerId).setPreferredLayers({ spatialLayer });
  }

  async pauseProducer(peer: Peer, producerId: string, paused: boolean): Promise<void> {
    const producer = this.#producer(peer, producerId);
    if (paused) await producer.pause();
    else await producer.resume();
    this.markPaused(producerId, paused);
  }

  /** Keeps a track's paused state for those who join later (a local track, or a cascaded one). */
  markPaused(producerId: string, paused: boolean): void {
    const entry = this.#producers.get(producerId);
    if (!entry) return;
    this.#producers.set(producerId, { ...entry, info: { ...entry.info, paused } });
    this.emit('producerpaused', producerId, paused);
  }

  closeProducer(peer: Peer, producerId: string): void {
    this.#producer(peer, producerId).close();
  }

  leave(peer: Peer): void {
    if (!this.#peers.delete(peer.id)) return;
    for (const transport of peer.transports.values()) transport.close();
    peer.router = null;
    this.#closeIfUnused();
  }

  /**
   * Keeps the room open without local participants while another city's SFU is linked to it (its venue
   * still has people in it). Returns the release.
   */
  hold(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      this.#closeIfUnused();
    };
  }

  #closeIfUnused(): void {
    if (this.#peers.size === 0 && this.#holds === 0 && !this.#closed) this.close();
  }

  /**
   * The worker under some of this room's routers died: everything of the room is gone with it or cut off
   * from it. Close what is left and ask every peer to join again; the room is rebuilt as they do.
   */
  rebuild(reason: string): void {
    const peers = [...this.#peers.values()];
    this.#closeRouters();
    for (const peer of peers) {
      peer.transports.clear();
      peer.producers.clear();
      peer.consumers.clear();
      peer.router = null;
      peer.send('media:rejoin', { venue: peer.ticket.venue, reason });
    }
  }

  #closeRouters(): void {
    this.emit('reset');
    for (const router of [...this.#routers.values()].flat()) router.close();
    this.#routers.clear();
    this.#producers.clear();
    this.#piped.clear();
  }

  close(): void {
    this.#closed = true;
    this.#closeRouters();
    this.#peers.clear();
    this.#onEmpty();
  }
}

/** mediasoup rejects malformed parameters with TypeError: those are the client's fault, coded as such. */
async function mediasoupCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof MediaError) throw error;
    if (error instanceof TypeError || (error as Error).name === 'UnsupportedError')
      throw new MediaError('MEDIA_BAD_PARAMETERS', (error as Error).message.slice(0, 300));
    throw error;
  }
}
