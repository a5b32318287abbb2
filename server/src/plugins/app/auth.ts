import {
  type Action,
  ChallengeResponse,
  can,
  isRole,
  LoginRequest,
  LoginResponse,
  phraseParams,
  roleWords,
  sessionMaxHours,
  type TokenClaims,
} from '@bidhall/shared';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { LoginService } from '../../auth/login.ts';
import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import { parseCertificateChain } from '../../pki/certificate.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * onRequest hook: requires a valid login token and a role granted `action`. It runs before the body is
     * read or validated, so an unauthorised caller learns nothing about the payload and sends no upload.
     */
    requireGrant(action: Action): onRequestAsyncHookHandler;
  }
  interface FastifyRequest {
    actor: TokenClaims | null;
  }
}

export interface AuthOptions {
  readonly tokenTtlMinutes: number;
  readonly platformName: string;
  readonly clock: Clock;
  readonly loginRateLimitPerMinute: number;
}

async function authenticate(request: FastifyRequest): Promise<TokenClaims> {
  if (request.actor) return request.actor;
  let claims: TokenClaims;
  try {
    claims = await request.jwtVerify<TokenClaims>();
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new AppError(code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED' ? 'TOKEN_EXPIRED' : 'UNAUTHENTICATED');
  }
  if (!isRole(claims.role)) throw new AppError('UNAUTHENTICATED');
  request.actor = claims;
  return claims;
}

export default fp<AuthOptions>(
  async (app, options) => {
    app.decorateRequest('actor', null);
    app.decorate('requireGrant', (action: Action): onRequestAsyncHookHandler => {
      return async (request) => {
        const claims = await authenticate(request);
        if (!can(claims.role, action)) {
          throw new AppError('FORBIDDEN_ROLE', {
            key: 'roleMayNot',
            params: { ...phraseParams('role', roleWords[claims.role]), action },
          });
        }
      };
    });

    const logins = new LoginService({
      db: app.db,
      trust: app.trust,
      clock: options.clock,
      platformName: options.platformName,
    });
    const loginRateLimit = { rateLimit: { max: options.loginRateLimitPerMinute, timeWindow: '1 minute' } };
    const api = app.withTypeProvider<TypeBoxTypeProvider>();

    api.post(
      '/api/auth/challenge',
      { config: loginRateLimit, schema: { response: { 200: ChallengeResponse } } },
      () => logins.createChallenge(),
    );

    api.post(
      '/api/auth/login',
      {
        config: { ...loginRateLimit, auditAction: 'auth.login' },
        schema: { body: LoginRequest, response: { 200: LoginResponse } },
      },
      async (request) => {
        const body = request.body;
        const actor = await logins.login(body);
        const claims: TokenClaims = {
          sub: actor.id,
          role: actor.role,
          name: actor.name,
          identity: actor.identity,
          org: actor.organization,
          fp: parseCertificateChain(body.certificateChain)[0]!.fingerprint,
          since: options.clock.now().getTime(),
        };
        const token = await app.jwt.sign(claims);
        request.actor = claims;
        const expiresAt = new Date(
          options.clock.now().getTime() + options.tokenTtlMinutes * 60_000,
        ).toISOString();
        await app.audit.append({
          ...request.auditActor(),
          action: 'auth.login',
          outcome: 'ok',
          detail: { identity: actor.identity },
        });
        return {
          token,
          expiresAt,
          actor: { id: actor.id, role: actor.role, name: actor.name, identity: actor.identity },
        };
      },
    );

    api.get('/api/auth/me', async (request) => authenticate(request));

    /**
     * A fresh token for a live session, so that a page keeps its connection through a whole opening
     * without asking for the certificate again. Renewals end `sessionMaxHours` after the certificate
     * login: then the holder signs in again.
     */
    api.post(
      '/api/auth/renew',
      { config: { auditAction: 'auth.renew' }, schema: { response: { 200: LoginResponse } } },
      async (request) => {
        const claims = await authenticate(request);
        const since = claims.since ?? 0;
        if (options.clock.now().getTime() - since > sessionMaxHours * 3_600_000) {
          throw new AppError('TOKEN_EXPIRED', { key: 'sessionTooOld', params: { hours: sessionMaxHours } });
        }
        const { iat: _iat, exp: _exp, ...kept } = claims as TokenClaims & { iat?: number; exp?: number };
        const token = await app.jwt.sign(kept);
        await app.audit.append({ ...request.auditActor(), action: 'auth.renew', outcome: 'ok' });
        return {
          token,
          expiresAt: new Date(options.clock.now().getTime() + options.tokenTtlMinutes * 60_000).toISOString(),
          actor: { id: claims.sub, role: claims.role, name: claims.name, identity: claims.identity },
        };
      },
    );
  },
  { name: 'auth', dependencies: ['database', 'jwt', 'rate-limit', 'pki', 'audit'] },
);
