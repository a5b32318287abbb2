/**
 * The participant's side of a venue, for the browser and for Node (with @roamhq/wrtc's globals): connects
 * to the SFU with a media ticket, loads the mediasoup-client Device, publishes local tracks (video with
 * simulcast layers), consumes every visible remote track (created paused, resumed once set up) and follows
 * tracks appearing and leaving. When the SFU rebuilds the room after a worker died, it joins again and
 * re-publishes the same tracks.
 */

import type { types } from 'mediasoup-client';
import { Device } from 'mediasoup-client';
import { io, type Socket } from 'socket.io-client';
import type { WireError } from './errors.ts';
import type {
  MediaClientToServerEvents,
  MediaPermissions,
  MediaRequests,
  MediaServerToClientEvents,
  RemoteProducer,
  Venue,
} from './media.ts';
import { sfuSocketAddress } from './media.ts';
import { type AnswerOf, type PayloadOf, RequestError, sendRequest } from './wire.ts';

/** A media request the SFU refused, with its code. */
export { RequestError as MediaRequestError } from './wire.ts';

export interface RemoteTrack {
  readonly producer: RemoteProducer;
  readonly consumer: types.Consumer;
  readonly track: MediaStreamTrack;
}

export interface MediaClientOptions {
  readonly url: string;
  readonly ticket: string;
  readonly venue: Venue;
  /** mediasoup-client's handler; detected in browsers, 'Chrome111' for @roamhq/wrtc in Node. */
  readonly handlerName?: types.BuiltinHandlerName;
  readonly timeoutMs?: number;
}

/**
 * The simulcast layers for a camera of this size, so that viewers on weak links get a lower one and the
 * recording the full one. Chromium sends no more layers than its table allows for the size (640×360: two,
 * 960×540 and above: three; below 480×270: one) and drops the top ones beyond that: asking three layers of
 * a 640×360 camera sent only 160×90 and 320×180, and every recording was 320×180. So the layers are
 * counted from the top: the full size, then halves.
 */
export function simulcastEncodings(width: number, height: number): types.RtpEncodingParameters[] {
  const pixels = width * height;
  const layers = pixels >= 960 * 540 ? 3 : pixels >= 480 * 270 ? 2 : 1;
  if (pixels === 0) return [{ maxBitrate: 900_000 }];
  return Array.from({ length: layers }, (_, i) => {
    const scale = 2 ** (layers - 1 - i);
    const layerPixels = pixels / scale ** 2;
    const maxBitrate = layerPixels > 640 * 360 ? 1_500_000 : layerPixels > 320 * 180 ? 900_000 : 300_000;
    return { rid: `r${i}`, scaleResolutionDownBy: scale, maxBitrate };
  });
}

export class MediaClient {
  readonly socket: Socket<MediaServerToClientEvents, MediaClientToServerEvents>;
  readonly #options: MediaClientOptions;
  #device: Device | null = null;
  #send: types.Transport | null = null;
  #recv: types.Transport | null = null;
  #published = new Map<
    string,
    { track: MediaStreamTrack; source: RemoteProducer['source']; producer: types.Producer }
  >();
  readonly remote = new Map<string, RemoteTrack>();
  readonly scores = new Map<string, number>();
  permissions: MediaPermissions | null = null;
  #trackListeners = new Set<(track: RemoteTrack) => void>();
  #goneListeners = new Set<(producerId: string) => void>();
  #rejoins = 0;
  #announced: RemoteProducer[] = [];
  /** Producers being consumed now (announced twice while joining: consumed once). */
  readonly #consuming = new Set<string>();

  constructor(options: MediaClientOptions) {
    this.#options = options;
    // In a page the server may name its own SFU by path (`/sfu`): same origin as the page.
    const page = (globalThis as { location?: { href: string } }).location?.href;
    const address = sfuSocketAddress(options.url, '', page);
    this.socket = io(address.uri, {
      path: address.path,
      auth: { ticket: options.ticket },
      transports: ['websocket'],
      reconnection: false,
      autoConnect: false,
      // One connection per participant, even to the same SFU (a supervisor's wall joins several venues).
      forceNew: true,
    });
    this.socket.on('media:producer-added', (producer) => {
      // A track announced while joining, before the receiving transport exists, is taken up after it.
      if (!this.#recv) this.#announced.push(producer);
      else void this.#consume(producer).catch((error) => this.#fail(error));
    });
    this.socket.on('media:producer-closed', ({ producerId }) => this.#drop(producerId));
    this.socket.on('media:consumer-score', ({ consumerId, score }) => this.scores.set(consumerId, score));
    this.socket.on('media:rejoin', () => void this.#rejoin().catch((error) => this.#fail(error)));
  }

  /** Problems met while following the venue (a track that could not be received, a failed rejoin). */
  readonly errors: Error[] = [];

  #fail(error: unknown): void {
    this.errors.push(error instanceof Error ? error : new Error(String(error)));
  }

  get rejoins(): number {
    return this.#rejoins;
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', (error: Error & { data?: WireError }) =>
        reject(error.data ? new RequestError(error.data) : error),
      );
      this.socket.connect();
    });
  }

  request<E extends keyof MediaRequests & string>(
    event: E,
    payload: PayloadOf<MediaRequests, E>,
  ): Promise<AnswerOf<MediaRequests, E>> {
    return sendRequest<MediaRequests, E>(this.socket, this.#options.timeoutMs ?? 10_000, event, payload);
  }

  /** Joins the venue: the Device, the transports the ticket allows, and every visible track. */
  async join(): Promise<void> {
    const joined = await this.request('media:join', { venue: this.#options.venue });
    this.permissions = joined.permissions;
    const device = new Device(this.#options.handlerName ? { handlerName: this.#options.handlerName } : {});
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as types.RtpCapabilities });
    this.#device = device;
    if (joined.permissions.publish) this.#send = await this.#transport('send');
    if (joined.permissions.consume) {
      this.#recv = await this.#transport('recv');
      const announced = this.#announced.splice(0);
      for (const producer of [...joined.producers, ...announced])
        await this.#consume(producer).catch((error) => this.#fail(error));
    }
  }

  async #transport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const options = await this.request('media:create-transport', { direction });
    const params = {
      id: options.id,
      iceParameters: options.iceParameters as types.IceParameters,
      iceCandidates: options.iceCandidates as types.IceCandidate[],
      dtlsParameters: options.dtlsParameters as types.DtlsParameters,
    };
    const transport =
      direction === 'send'
        ? this.#device!.createSendTransport(params)
        : this.#device!.createRecvTransport(params);
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      this.request('media:connect-transport', {
        transportId: transport.id,
        dtlsParameters: dtlsParameters as object,
      }).then(() => done(), fail);
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
      this.request('media:produce', {
        transportId: transport.id,
        kind,
        rtpParameters: rtpParameters as object,
        source: (appData as { source: RemoteProducer['source'] }).source,
      }).then(({ producerId }) => done({ id: producerId }), fail);
    });
    return transport;
  }

  /** Publishes a local track (camera, microphone or screen). */
  async publish(track: MediaStreamTrack, source: RemoteProducer['source']): Promise<types.Producer> {
    if (!this.#send) throw new Error('this ticket does not allow publishing');
    const producer = await this.#send.produce({
      track,
      // The caller owns the track: it outlives a rejoin, when it is published again.
      stopTracks: false,
      appData: { source },
      ...(track.kind === 'video'
        ? {
            // A track that does not say its size (not a browser's) is sent as one layer, not guessed at.
            encodings: simulcastEncodings(
              track.getSettings?.().width ?? 0,
              track.getSettings?.().height ?? 0,
            ),
            codecOptions: { videoGoogleStartBitrate: 600 },
          }
        : {}),
    });
    this.#published.set(producer.id, { track, source, producer });
    return producer;
  }

  /** Swaps the device behind a published track (another camera or microphone); kept across rejoins. */
  async replaceTrack(producer: types.Producer, track: MediaStreamTrack): Promise<void> {
    await producer.replaceTrack({ track });
    const published = this.#published.get(producer.id);
    if (published) this.#published.set(producer.id, { ...published, track });
  }

  /** The producers published now (they change on a rejoin). */
  get published(): readonly {
    readonly source: RemoteProducer['source'];
    readonly producer: types.Producer;
  }[] {
    return [...this.#published.values()];
  }

  /** Stops publishing a track (a screen share that ended): the SFU closes it for everyone. */
  async unpublish(producer: types.Producer): Promise<void> {
    this.#published.delete(producer.id);
    producer.close();
    await this.request('media:close-producer', { producerId: producer.id });
  }

  async setMuted(producer: types.Producer, muted: boolean): Promise<void> {
    if (muted) {
      producer.pause();
      await this.request('media:pause-producer', { producerId: producer.id });
    } else {
      producer.resume();
      await this.request('media:resume-producer', { producerId: producer.id });
    }
  }

  async #consume(producer: RemoteProducer): Promise<void> {
    const id = producer.producerId;
    if (!this.#recv || !this.#device || this.remote.has(id) || this.#consuming.has(id)) return;
    this.#consuming.add(id);
    try {
      await this.#consumeNow(producer, this.#recv, this.#device);
    } finally {
      this.#consuming.delete(id);
    }
  }

  async #consumeNow(producer: RemoteProducer, recv: types.Transport, device: Device): Promise<void> {
    const options = await this.request('media:consume', {
      transportId: recv.id,
      producerId: producer.producerId,
      rtpCapabilities: device.rtpCapabilities as object,
    });
    const consumer = await recv.consume({
      id: options.id,
      producerId: options.producerId,
      kind: options.kind,
      rtpParameters: options.rtpParameters as types.RtpParameters,
    });
    await this.request('media:resume-consumer', { consumerId: consumer.id });
    const remote: RemoteTrack = { producer, consumer, track: consumer.track };
    this.remote.set(producer.producerId, remote);
    for (const listener of this.#trackListeners) listener(remote);
  }

  #drop(producerId: string): void {
    const remote = this.remote.get(producerId);
    if (!remote) return;
    remote.consumer.close();
    this.remote.delete(producerId);
    for (const listener of this.#goneListeners) listener(producerId);
  }

  /** The SFU lost the worker under this room: everything is rebuilt, the same local tracks re-published. */
  async #rejoin(): Promise<void> {
    this.#rejoins++;
    for (const producerId of [...this.remote.keys()]) this.#drop(producerId);
    const published = [...this.#published.values()];
    this.#published.clear();
    this.#send?.close();
    this.#recv?.close();
    this.#send = null;
    this.#recv = null;
    await this.join();
    for (const { track, source } of published) await this.publish(track, source);
  }

  onTrack(listener: (track: RemoteTrack) => void): () => void {
    this.#trackListeners.add(listener);
    for (const remote of this.remote.values()) listener(remote);
    return () => this.#trackListeners.delete(listener);
  }

  onTrackGone(listener: (producerId: string) => void): () => void {
    this.#goneListeners.add(listener);
    return () => this.#goneListeners.delete(listener);
  }

  close(): void {
    this.#send?.close();
    this.#recv?.close();
    this.socket.disconnect();
  }
}
