/**
 * The server's way of serving a realtime contract (a request table from shared/ whose requests name
 * their grants, e.g. the hall's): shared/'s request serving, with the server's rules on top — the
 * session is checked on every request, the caller's role must hold the request's grant, the server's
 * errors go on the wire with their codes, and every refusal is audited (a flood once per ten seconds per
 * connection, not once per packet). A module (the opening now, the evaluation next) brings its table,
 * its handlers and its admission rule.
 */
import {
  type Action,
  can,
  errorCatalogue,
  type PayloadOf,
  phraseParams,
  type RequestSpec,
  type Role,
  roleWords,
  type WireError,
} from '@bidhall/shared';
import { type ConnectionState, type Handlers, serveRequests } from '@bidhall/shared/serve-requests';
import type { Socket } from 'socket.io';
import type { AuditInput } from '../audit/audit-log.ts';
import { AppError, isAppError, isDatabaseDown } from '../errors.ts';

export { type ConnectionState, fieldOf, type Handlers } from '@bidhall/shared/serve-requests';

/** A request table whose every request names the grant it needs. */
export type GrantedTable = { readonly [event: string]: RequestSpec & { readonly grant: Action } };

export interface RealtimeOptions<T extends GrantedTable, S extends Socket, Call> {
  readonly table: T;
  readonly handlers: Handlers<T, Call>;
  readonly limits: { readonly eventsPerSecond: number; readonly burst: number };
  /** Who is behind the socket. */
  roleOf(socket: S): Role;
  /** Token not expired, person still registered as they were; a refusal ends the connection. */
  checkSession(socket: S): Promise<void>;
  /** The module's own rule for a validated request (a joined room…); throws to refuse. */
  admit?(socket: S, spec: T[keyof T], request: PayloadOf<T, keyof T>, state: ConnectionState): Promise<void>;
  callOf(socket: S): Call;
  /** Who and what a refused request's audit entry names (outcome and message are filled in). */
  refusal(socket: S, event: string, payload: unknown): Omit<AuditInput, 'outcome' | 'detail'>;
  readonly audit: { append(entry: AuditInput): Promise<unknown> };
  readonly log: { error(object: object, message: string): void };
}

export function toWireError(error: unknown): WireError {
  if (isAppError(error))
    return { code: error.code, message: error.message, ...(error.detail ? { detail: error.detail } : {}) };
  if (isDatabaseDown(error))
    return { code: 'DATABASE_UNAVAILABLE', message: errorCatalogue.DATABASE_UNAVAILABLE.en };
  return { code: 'INTERNAL', message: errorCatalogue.INTERNAL.en };
}

const rateAuditIntervalMs = 10_000;

/** Compiles the table once; returns what attaches it to each new connection. */
export function serveGranted<T extends GrantedTable, S extends Socket, Call>(
  options: RealtimeOptions<T, S, Call>,
): (socket: S) => void {
  return serveRequests<T, S, Call>({
    table: options.table,
    handlers: options.handlers,
    limits: options.limits,
    checkSession: options.checkSession,
    authorise(socket, spec) {
      const role = options.roleOf(socket);
      if (!can(role, spec.grant))
        throw new AppError('FORBIDDEN_ROLE', {
          key: 'roleMayNot',
          params: { ...(role ? phraseParams('role', roleWords[role]) : {}), action: spec.grant },
        });
    },
    ...(options.admit ? { admit: options.admit } : {}),
    callOf: options.callOf,
    toWireError,
    async refused(socket, event, payload, error, state) {
      if (error.code === 'RATE_LIMITED') {
        const now = Date.now();
        if (now - state.lastRateReport < rateAuditIntervalMs) return;
        state.lastRateReport = now;
      }
      await options.audit.append({
        ...options.refusal(socket, event, payload),
        outcome: error.code,
        detail: { message: error.message.slice(0, 300) },
      });
    },
    log: options.log,
  });
}
