/**
 * The client of the opening hall, for the browser and for Node alike: connects with a login token, keeps
 * time in step with the server, follows the hall (snapshot plus sequenced events, catching up after a
 * reconnect), and sends requests with acks. Used by the web client, `bidhall hall join`, the tests and
 * the benchmarks; the crypto each role does on its own machine builds on it.
 */
import { io, type Socket } from 'socket.io-client';
import type { WireError } from './errors.ts';
import type {
  ClientToServerEvents,
  HallEvent,
  HallRequestName,
  HallRequests,
  HallSnapshot,
  ServerToClientEvents,
} from './hall.ts';
import { type AnswerOf, type PayloadOf, RequestError, sendRequest } from './wire.ts';

/** A hall request the server refused, with its code. */
export { RequestError as HallError } from './wire.ts';

export interface HallClientOptions {
  readonly url: string;
  readonly token: string;
  /** Per-request timeout. */
  readonly timeoutMs?: number;
  /** Reconnection backoff: jittered, so that thousands of clients do not reconnect at once. */
  readonly reconnectionDelayMs?: number;
  readonly connectTimeoutMs?: number;
}

export class HallClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly #timeoutMs: number;
  #tenderId: string | null = null;
  #lastSeq = 0;
  #offsetMs = 0;
  #bestRttMs = Number.POSITIVE_INFINITY;
  snapshot: HallSnapshot | null = null;
  /** Every event applied, in sequence order. */
  readonly events: HallEvent[] = [];
  readonly progress = new Map<string, number>();
  #listeners = new Set<(event: HallEvent) => void>();

  constructor(options: HallClientOptions) {
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.socket = io(options.url, {
      auth: { token: options.token },
      transports: ['websocket'],
      reconnectionDelay: options.reconnectionDelayMs ?? 500,
      randomizationFactor: 0.5,
      // A connection attempt that hangs (half-open network) is given up after this long and retried,
      // rather than after Socket.IO's default 20 s.
      timeout: options.connectTimeoutMs ?? 8_000,
      autoConnect: false,
    });
    this.socket.on('hall:event', (event) => this.#apply(event));
    this.socket.on('hall:progress', ({ bidId, progress }) => this.progress.set(bidId, progress));
    this.socket.on('connect', () => {
      // After a reconnection the server may have recovered the session (missed packets replayed); if
      // not, ask for what followed the last event seen.
      if (this.#tenderId && !this.socket.recovered) void this.join(this.#tenderId).catch(() => undefined);
    });
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error & { data?: WireError }) => {
        this.socket.off('connect', onConnect);
        reject(error.data ? new RequestError(error.data) : error);
      };
      const onConnect = () => {
        this.socket.off('connect_error', onError);
        resolve();
      };
      this.socket.once('connect', onConnect);
      this.socket.once('connect_error', onError);
      this.socket.connect();
    });
  }

  /** Sends a request and returns its data, or throws RequestError with the server's code. */
  request<E extends HallRequestName>(
    event: E,
    payload: PayloadOf<HallRequests, E>,
  ): Promise<AnswerOf<HallRequests, E>> {
    return sendRequest<HallRequests, E>(this.socket, this.#timeoutMs, event, payload);
  }

  /**
   * Hands the connection a renewed login token (before the current one expires); reconnections use it
   * too. Resolves with when the new token expires.
   */
  async renew(token: string): Promise<string> {
    this.socket.auth = { token };
    if (!this.socket.connected) return '';
    const { expiresAt } = await this.request('hall:renew', { token });
    return expiresAt;
  }

  /** Joins (or re-joins) a tender's hall, catching up on events after the last one applied. */
  async join(tenderId: string): Promise<HallSnapshot> {
    const first = this.#tenderId !== tenderId;
    this.#tenderId = tenderId;
    const { snapshot, missed } = await this.request('hall:join', {
      tenderId,
      ...(first ? {} : { afterSeq: this.#lastSeq }),
    });
    if (first) {
      this.snapshot = snapshot;
      this.#lastSeq = snapshot.seq;
    } else {
      for (const event of missed) this.#apply(event);
      this.snapshot = { ...snapshot, seq: Math.max(snapshot.seq, this.#lastSeq) };
    }
    return snapshot;
  }

  #apply(event: HallEvent): void {
    if (event.tenderId !== this.#tenderId || event.seq <= this.#lastSeq) return;
    // A broadcast was lost on the way (the processes' Redis away for a moment): fetch what is missing,
    // in order, rather than apply this one after a hole. The catch-up brings this event too.
    if (this.snapshot && event.seq > this.#lastSeq + 1) {
      this.#catchUp();
      return;
    }
    this.#lastSeq = event.seq;
    this.events.push(event);
    for (const listener of this.#listeners) listener(event);
  }

  #catchingUp: Promise<unknown> | null = null;
  #catchUp(): void {
    if (this.#catchingUp || !this.#tenderId) return;
    this.#catchingUp = this.join(this.#tenderId)
      .catch(() => undefined)
      .finally(() => {
        this.#catchingUp = null;
      });
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  onEvent(listener: (event: HallEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves with the first event (already applied or future) that satisfies `test`. */
  waitFor<E extends HallEvent>(test: (event: HallEvent) => event is E, timeoutMs?: number): Promise<E>;
  waitFor(test: (event: HallEvent) => boolean, timeoutMs?: number): Promise<HallEvent>;
  waitFor(test: (event: HallEvent) => boolean, timeoutMs = 30_000): Promise<HallEvent> {
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`no matching hall event within ${timeoutMs} ms`));
      }, timeoutMs);
      const stop = this.onEvent((event) => {
        if (!test(event)) return;
        clearTimeout(timer);
        stop();
        resolve(event);
      });
    });
  }

  /**
   * Estimates the server clock (NTP-style): several round trips, keeping the offset from the fastest,
   * whose midpoint is the best estimate of when the server read its clock.
   */
  async syncTime(samples = 5): Promise<number> {
    for (let i = 0; i < samples; i++) {
      const sent = Date.now();
      const { serverTime } = await this.request('hall:time', { clientTime: sent });
      const received = Date.now();
      const rtt = received - sent;
      if (rtt < this.#bestRttMs) {
        this.#bestRttMs = rtt;
        this.#offsetMs = serverTime - (sent + received) / 2;
      }
    }
    return this.#offsetMs;
  }

  /** The server's time now, as this client estimates it. */
  serverNow(): number {
    return Date.now() + this.#offsetMs;
  }

  close(): void {
    this.socket.disconnect();
  }
}
