/**
 * The login session of a Socket.IO connection, for every namespace the server serves (the opening hall,
 * the evaluation): the login token checked at the handshake, the connection closed when the token
 * expires (a client renews before), and the person behind it looked up again every half minute — re-
 * registered with another certificate, or no longer in that role, the connection ends.
 */
import { errorCatalogue, isRole, type SocketData, type TokenClaims, type WireError } from '@bidhall/shared';
import { eq } from 'drizzle-orm';
import type { Socket } from 'socket.io';
import type { Database } from '../db/client.ts';
import { actors } from '../db/schema/index.ts';
import { AppError, isAppError } from '../errors.ts';

type SessionSocket = Socket<never, never, never, SocketData>;
type Claims = TokenClaims & { exp: number };

export interface SessionOptions {
  readonly db: Database;
  /** Verifies a login token (the app's JWT), throwing as @fastify/jwt does. */
  verify(token: string): Claims;
  /** How often an open connection's actor is looked up again (0: on every request). */
  readonly recheckSeconds?: number;
}

export function socketSessions(options: SessionOptions) {
  /** The claims of a login token, or the coded reason it is refused. */
  const claimsOf = (token: unknown): Claims => {
    if (typeof token !== 'string') throw new AppError('UNAUTHENTICATED');
    let claims: Claims;
    try {
      claims = options.verify(token);
    } catch (error) {
      const expired = ['FAST_JWT_EXPIRED', 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED'].includes(
        (error as { code?: string }).code ?? '',
      );
      throw new AppError(expired ? 'TOKEN_EXPIRED' : 'UNAUTHENTICATED');
    }
    if (!isRole(claims.role)) throw new AppError('UNAUTHENTICATED');
    return claims;
  };

  const adopt = (socket: SessionSocket, claims: Claims) => {
    socket.data.actor = {
      sub: claims.sub,
      role: claims.role,
      name: claims.name,
      identity: claims.identity,
      org: claims.org ?? null,
      fp: claims.fp ?? null,
    };
    socket.data.expiresAt = claims.exp * 1000;
    socket.data.actorCheckedAt = Date.now();
  };

  const recheckMs = (options.recheckSeconds ?? 30) * 1000;
  const timers = new WeakMap<object, NodeJS.Timeout>();
  const armExpiry = (socket: SessionSocket) => {
    clearTimeout(timers.get(socket));
    // setTimeout takes at most 2^31-1 ms; tokens live minutes to hours.
    const timer = setTimeout(
      () => socket.disconnect(true),
      Math.min(2 ** 31 - 1, Math.max(0, socket.data.expiresAt - Date.now())),
    );
    timer.unref();
    timers.set(socket, timer);
  };

  return {
    /** The namespace's handshake: a connection without a valid login token is refused with its code. */
    handshake(socket: SessionSocket, next: (error?: Error) => void): void {
      try {
        adopt(socket, claimsOf(socket.handshake.auth.token));
        next();
      } catch (error) {
        const code = isAppError(error) ? error.code : 'UNAUTHENTICATED';
        const refusal = new Error(errorCatalogue[code].en) as Error & { data: WireError };
        refusal.data = { code, message: errorCatalogue[code].en };
        next(refusal);
      }
    },

    /** Closes the connection when its token expires; call on connection and after a renewal. */
    armExpiry,

    /** Forgets the connection's expiry timer (on disconnect). */
    disarm(socket: SessionSocket): void {
      clearTimeout(timers.get(socket));
    },

    /** Token not expired, person still registered as it was; a refusal ends the connection. */
    async checkSession(socket: SessionSocket): Promise<void> {
      if (Date.now() >= socket.data.expiresAt) throw new AppError('TOKEN_EXPIRED');
      if (recheckMs > 0 && Date.now() - socket.data.actorCheckedAt < recheckMs) return;
      const { sub, role, fp } = socket.data.actor;
      const [row] = await options.db
        .select({ role: actors.role, fingerprint: actors.signingFingerprint })
        .from(actors)
        .where(eq(actors.id, sub));
      const appointed = role !== 'bidder';
      if (!row || row.role !== role || (appointed && fp !== null && row.fingerprint !== fp)) {
        throw new AppError('UNAUTHENTICATED', { key: 'loginNoLongerValid' });
      }
      socket.data.actorCheckedAt = Date.now();
    },

    /** A renewed token for an open connection: the same person in the same role, or refused. */
    renew(socket: SessionSocket, token: string): { expiresAt: string } {
      const claims = claimsOf(token);
      if (claims.sub !== socket.data.actor.sub || claims.role !== socket.data.actor.role)
        throw new AppError('UNAUTHENTICATED', { key: 'renewSamePerson' });
      adopt(socket, claims);
      armExpiry(socket);
      return { expiresAt: new Date(socket.data.expiresAt).toISOString() };
    },
  };
}
