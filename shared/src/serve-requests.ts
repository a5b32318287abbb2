/**
 * The serving side of a request table (wire.ts), for the server and the SFU alike: every request on a
 * socket is rate-limited, authorised by the side's own rule, validated against the table's schema,
 * admitted, run by its handler (typed from the table) and acked with its data or a coded error. What
 * differs between the two (grants and sessions on the server, tickets and rooms on the SFU, how each
 * audits a refusal) comes in as rules; the order of the checks and the error shape on the wire are here
 * once.
 *
 * One `onAny` listener per socket rather than one listener per event: at thousands of connections that
 * is the difference between one closure and two dozen per socket.
 */
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import {
  detailText,
  type ErrorCode,
  type ErrorDetail,
  errorCatalogue,
  violationDetail,
  type WireError,
} from './errors.ts';
import { type AnswerOf, type PayloadOf, type RequestTable, type Result, tokenBucket } from './wire.ts';

/** One handler per request of the table, typed from it; `Call` is what each of them gets besides. */
export type Handlers<T extends RequestTable, Call> = {
  readonly [E in keyof T & string]: (request: PayloadOf<T, E>, call: Call) => Promise<AnswerOf<T, E>>;
};

/** What the server keeps per connection. */
export interface ConnectionState {
  readonly allow: () => boolean;
  /** When a refused flood was last reported (a flood is reported once in a while, not per packet). */
  lastRateReport: number;
  /** For the side's admission rule: what it already found this connection allowed to touch. */
  readonly admitted: Set<string>;
}

/** The socket as the serving side sees it. */
interface ServedSocket {
  onAny(listener: (event: string, ...args: unknown[]) => void): unknown;
  disconnect(close?: boolean): unknown;
}

export interface ServeRules<T extends RequestTable, S extends ServedSocket, Call> {
  readonly table: T;
  readonly handlers: Handlers<T, Call>;
  readonly limits: { readonly eventsPerSecond: number; readonly burst: number };
  /** Checks the session is still good; a refusal here also ends the connection, after the answer. */
  checkSession?(socket: S): Promise<void>;
  /** May this socket make this request at all (a role's grant)? Throws a coded error when not. */
  authorise?(socket: S, spec: T[keyof T]): void;
  /** The side's own rule for a validated request (a joined room, a tender of one's agency). */
  admit?(socket: S, spec: T[keyof T], request: PayloadOf<T, keyof T>, state: ConnectionState): Promise<void>;
  callOf(socket: S): Call;
  /** The side's errors as they go on the wire; anything else is INTERNAL (and logged). */
  toWireError(error: unknown): WireError;
  /** Told of every refusal (the server audits them). */
  refused?(
    socket: S,
    event: string,
    payload: unknown,
    error: WireError,
    state: ConnectionState,
  ): Promise<void>;
  readonly log: { error(object: object, message: string): void };
}

/** A coded refusal any side can throw from a rule. */
export class Refusal extends Error {
  readonly code: ErrorCode;
  readonly detail: ErrorDetail | undefined;
  constructor(code: ErrorCode, detail?: ErrorDetail) {
    super(detail ? detailText(detail, 'en') : errorCatalogue[code].en);
    this.code = code;
    this.detail = detail;
  }
}

/** Compiles the table once; returns what serves it on each new connection. */
export function serveRequests<T extends RequestTable, S extends ServedSocket, Call>(
  rules: ServeRules<T, S, Call>,
): (socket: S) => void {
  const compiled = new Map<string, { spec: T[keyof T]; validator: ReturnType<typeof Compile<TSchema>> }>();
  for (const [event, spec] of Object.entries(rules.table))
    compiled.set(event, { spec: spec as T[keyof T], validator: Compile(spec.schema) });
  const handlers = rules.handlers as unknown as Record<
    string,
    (request: unknown, call: Call) => Promise<unknown>
  >;
  const wireOf = (error: unknown): WireError =>
    error instanceof Refusal
      ? { code: error.code, message: error.message, ...(error.detail ? { detail: error.detail } : {}) }
      : rules.toWireError(error);

  async function serve(
    socket: S,
    state: ConnectionState,
    event: string,
    payload: unknown,
    reply: (result: Result<unknown>) => void,
  ): Promise<void> {
    const entry = compiled.get(event);
    let sessionOver = false;
    try {
      if (!state.allow()) throw new Refusal('RATE_LIMITED');
      await rules.checkSession?.(socket).catch((error: unknown) => {
        sessionOver = true;
        throw error;
      });
      if (!entry) throw new Refusal('VALIDATION_FAILED', { key: 'requestUnknown' });
      rules.authorise?.(socket, entry.spec);
      if (!entry.validator.Check(payload)) {
        throw new Refusal('VALIDATION_FAILED', violationDetail([...entry.validator.Errors(payload)][0]));
      }
      const request = payload as PayloadOf<T, keyof T>;
      await rules.admit?.(socket, entry.spec, request, state);
      reply({ ok: true, data: await handlers[event]!(request, rules.callOf(socket)) });
    } catch (error) {
      const wire = wireOf(error);
      if (wire.code === 'INTERNAL') rules.log.error({ err: error, event }, 'request failed');
      reply({ ok: false, error: wire });
      if (sessionOver) socket.disconnect(true);
      await rules.refused?.(socket, event, payload, wire, state).catch(() => undefined);
    }
  }

  return (socket) => {
    const state: ConnectionState = {
      allow: tokenBucket(rules.limits.eventsPerSecond, rules.limits.burst),
      lastRateReport: 0,
      admitted: new Set(),
    };
    socket.onAny((event: string, payload: unknown, ack: unknown) => {
      // Every request is acked; a packet without an ack function is not a request and is dropped.
      if (typeof ack !== 'function') return;
      void serve(socket, state, event, payload, ack as (result: Result<unknown>) => void);
    });
  };
}

/** A field of a payload that may be anything (a refused request is reported with what it named). */
export function fieldOf(payload: unknown, name: string): unknown {
  return typeof payload === 'object' && payload !== null ? Reflect.get(payload, name) : undefined;
}
