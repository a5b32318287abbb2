import { sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Role } from '@bidhall/shared';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certPath, keyPath } from '../../../tests/support/pki.ts';
import { startTestServer, type TestServer } from '../../../tests/support/server.ts';
import { rowsOf } from '../db/client.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ kind: 'pglite' });
});
afterAll(() => server.close());

async function attempt(options: {
  actor: string;
  role: Role;
  signer?: string;
  signingKey?: 'sign' | 'enc';
  chain?: string;
  reuseNonce?: string;
}) {
  const challenge = (await server.app.inject({ method: 'POST', url: '/api/auth/challenge' })).json<{
    nonce: string;
    challenge: string;
  }>();
  const nonce = options.reuseNonce ?? challenge.nonce;
  const signature = sign(
    'sha256',
    Buffer.from(challenge.challenge),
    readFileSync(keyPath(options.signer ?? options.actor, options.signingKey ?? 'sign')),
  );
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: {
      nonce,
      role: options.role,
      certificateChain: options.chain ?? readFileSync(certPath(options.actor, 'sign'), 'utf8'),
      signature: signature.toString('base64'),
    },
  });
  return { status: response.statusCode, body: response.json(), nonce };
}

describe('certificate login (embedded PGlite)', () => {
  it('logs a bidder in from either CA, registering it on first login, with a token for its role', async () => {
    const first = await attempt({ actor: 'bidder3', role: 'bidder' });
    expect(first).toMatchObject({
      status: 200,
      body: { actor: { role: 'bidder', name: '西南水利水电股份有限公司', identity: '91510000MA6CX0003Z' } },
    });
    const again = await attempt({ actor: 'bidder3', role: 'bidder' });
    expect(again.body.actor.id).toBe(first.body.actor.id);
    const me = await server.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { authorization: `Bearer ${first.body.token}` },
    });
    expect(me.json()).toMatchObject({ sub: first.body.actor.id, role: 'bidder' });
  });

  it('logs registered staff in only for the role they hold', async () => {
    expect((await attempt({ actor: 'host', role: 'host' })).status).toBe(200);
    expect(await attempt({ actor: 'host', role: 'supervisor' })).toMatchObject({
      status: 403,
      body: { code: 'ROLE_NOT_GRANTED' },
    });
    expect(await attempt({ actor: 'bidder1', role: 'host' })).toMatchObject({
      status: 403,
      body: { code: 'ROLE_NOT_GRANTED' },
    });
  });

  it('refuses bad certificates and signatures with specific codes, and audits each refusal', async () => {
    const cases: [Parameters<typeof attempt>[0], number, string][] = [
      [{ actor: 'bidder-revoked', role: 'bidder' }, 401, 'CERT_REVOKED'],
      [{ actor: 'bidder-expired', role: 'bidder' }, 401, 'CERT_EXPIRED'],
      [{ actor: 'bidder-untrusted', role: 'bidder' }, 401, 'CERT_UNTRUSTED'],
      [{ actor: 'bidder1', role: 'bidder', signer: 'bidder2' }, 401, 'LOGIN_SIGNATURE_INVALID'],
      [{ actor: 'bidder1', role: 'bidder', chain: 'not a certificate '.repeat(10) }, 422, 'CERT_MALFORMED'],
      [
        // An encryption certificate (key encipherment only) cannot be used to log in.
        {
          actor: 'bidder1',
          role: 'bidder',
          signingKey: 'enc',
          chain: readFileSync(certPath('bidder1', 'enc'), 'utf8'),
        },
        401,
        'CERT_KEY_USAGE',
      ],
    ];
    for (const [input, status, code] of cases) {
      expect(await attempt(input), code).toMatchObject({ status, body: { code } });
      await server.app.audit.flush();
      const [last] = rowsOf<{ action: string; outcome: string }>(
        await server.app.db.execute(
          sql`SELECT entry::jsonb ->> 'action' AS action, entry::jsonb ->> 'outcome' AS outcome FROM audit_log ORDER BY seq DESC LIMIT 1`,
        ),
      );
      expect(last).toEqual({ action: 'auth.login', outcome: code });
    }
  });

  it('makes each challenge single-use', async () => {
    const first = await attempt({ actor: 'bidder1', role: 'bidder' });
    expect(first.status).toBe(200);
    expect(await attempt({ actor: 'bidder1', role: 'bidder', reuseNonce: first.nonce })).toMatchObject({
      status: 401,
      body: { code: 'LOGIN_CHALLENGE_UNKNOWN' },
    });
  });

  it('rejects expired and forged tokens', async () => {
    const forged = await server.app.inject({
      method: 'GET',
      url: '/api/tenders',
      headers: { authorization: 'Bearer abc.def.ghi' },
    });
    expect(forged.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    const expired = server.app.jwt.sign(
      { sub: 'x', role: 'host', name: 'x', identity: 'x' },
      { expiresIn: -10 },
    );
    const response = await server.app.inject({
      method: 'GET',
      url: '/api/tenders',
      headers: { authorization: `Bearer ${expired}` },
    });
    expect(response.json()).toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('validates the login body with a specific code', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { nonce: 'x' },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
