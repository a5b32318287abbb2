/**
 * Request/answer over Socket.IO, for every realtime contract (the hall, the SFU's signaling, the
 * evaluation to come): a contract is one table of requests, each with the schema of its payload and the
 * type of its answer (mediasoup-demo's request→response maps). The Socket.IO event map, the handler
 * types of the side that serves it and the typed `request()` of the side that sends are all derived from
 * that one table, so a request cannot exist in one list and be missing from another.
 *
 * Every request carries an ack answering `{ ok: true, data } | { ok: false, error: { code, message } }`.
 */
import type { Static, TSchema } from 'typebox';
import type { WireError } from './errors.ts';

export type Result<T> =
  | { readonly ok: true; readonly data: T }
  | { readonly ok: false; readonly error: WireError };
export type Ack<T> = (result: Result<T>) => void;

/** One request of a contract: its payload's schema and, in the type alone, what it answers. */
export interface RequestSpec<S extends TSchema = TSchema, A = unknown> {
  readonly schema: S;
  /** Never set: carries the answer's type for the derived maps. */
  readonly answer?: A;
}

export type RequestTable = { readonly [event: string]: RequestSpec };

export type PayloadOf<T extends RequestTable, E extends keyof T> = Static<T[E]['schema']>;
export type AnswerOf<T extends RequestTable, E extends keyof T> =
  T[E] extends RequestSpec<TSchema, infer A> ? A : never;

/** The Socket.IO "client to server" event map of a request table. */
export type EventsOf<T extends RequestTable> = {
  [E in keyof T]: (request: PayloadOf<T, E>, ack: Ack<AnswerOf<T, E>>) => void;
};

/**
 * Declares one request: `request(Schema).answers<Answer>()`, with whatever else the contract says of it
 * (a grant, whether it needs a joined room).
 */
export function request<S extends TSchema>(schema: S) {
  return {
    answers<A>(): RequestSpec<S, A> {
      return { schema };
    },
  };
}

/** The error a request was answered with, as the sending side throws it. */
export class RequestError extends Error {
  readonly code: string;
  /** What exactly went wrong, in both languages (absent where the server wrote English only). */
  readonly detail: WireError['detail'];
  constructor(error: WireError) {
    super(`${error.code}: ${error.message}`);
    this.code = error.code;
    this.detail = error.detail;
  }
}

/** What a request needs of a Socket.IO client socket (its typed overloads are checked by the table). */
interface RequestSocket {
  timeout(ms: number): object;
}
type WithAck = { emitWithAck(event: string, payload: unknown): Promise<unknown> };

/**
 * Sends one request of table `T` and resolves with its data, or throws RequestError with the code the
 * other side answered (a timeout throws Socket.IO's own error).
 */
export async function sendRequest<T extends RequestTable, E extends keyof T & string>(
  socket: RequestSocket,
  timeoutMs: number,
  event: E,
  payload: PayloadOf<T, E>,
): Promise<AnswerOf<T, E>> {
  const timed = socket.timeout(timeoutMs) as WithAck;
  const result = (await timed.emitWithAck(event, payload)) as Result<AnswerOf<T, E>>;
  if (!result.ok) throw new RequestError(result.error);
  return result.data;
}

/** A token bucket: `perSecond` sustained, `burst` at once. Returns whether one more may pass now. */
export function tokenBucket(perSecond: number, burst: number): () => boolean {
  let tokens = burst;
  let last = Date.now();
  return () => {
    const now = Date.now();
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * perSecond);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}
