import { readFileSync } from 'node:fs';
import type { TokenClaims } from '@bidhall/shared';
import { HallClient } from '@bidhall/shared/hall-client';
import { sql } from 'drizzle-orm';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/src/config.ts';
import { rowsOf } from '../../server/src/db/client.ts';
import { certPath, issueFromDevCa } from '../support/pki.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
const clients: HallClient[] = [];
let tenderId: string;

beforeAll(async () => {
  server = await startTestServer({
    listen: true,
    env: {
      SESSION_RECHECK_SECONDS: '0',
      TRUST_PROXY: '127.0.0.1',
      SFU_URLS: 'beijing=http://127.0.0.1:9',
      MEDIA_TICKET_SECRET: 'm'.repeat(40),
    },
  });
  tenderId = (await server.createTender((await server.login('host', 'host')).token)).id;
});
afterAll(async () => {
  for (const client of clients) client.close();
  await server.close();
});

/** The login token of `actor`, re-signed to expire in `seconds`. */
async function tokenExpiringIn(actor: string, role: TokenClaims['role'], seconds: number): Promise<string> {
  const { token } = await server.login(actor, role);
  const {
    iat: _iat,
    exp: _exp,
    ...claims
  } = server.app.jwt.decode<TokenClaims & { iat: number; exp: number }>(token)!;
  return server.app.jwt.sign(claims, { expiresIn: `${seconds}s` });
}

async function connect(token: string): Promise<HallClient> {
  const client = new HallClient({ url: server.url, token });
  clients.push(client);
  await client.connect();
  await client.join(tenderId);
  return client;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('hall sessions', () => {
  it('seal-14: a connection ends when its token expires, and the expired token cannot open another', async () => {
    const token = await tokenExpiringIn('host', 'host', 2);
    const client = await connect(token);
    expect(await client.request('hall:time', { clientTime: Date.now() })).toMatchObject({
      serverTime: expect.any(Number),
    });
    await expect.poll(() => client.socket.connected, { timeout: 5000 }).toBe(false);
    const again = new HallClient({ url: server.url, token });
    clients.push(again);
    await expect(again.connect()).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('seal-14: a renewed token keeps the connection going; another person’s token is refused', async () => {
    const client = await connect(await tokenExpiringIn('supervisor', 'supervisor', 3));
    const renewed = await server.app.inject({
      method: 'POST',
      url: '/api/auth/renew',
      headers: {
        authorization: `Bearer ${client.socket.auth && (client.socket.auth as { token: string }).token}`,
      },
    });
    expect(renewed.statusCode, renewed.body).toBe(200);
    const { expiresAt } = renewed.json<{ token: string; expiresAt: string }>();
    expect(Date.parse(expiresAt)).toBeGreaterThan(server.clock.now().getTime() + 60_000);
    await client.renew(renewed.json<{ token: string }>().token);
    await sleep(3300);
    expect(await client.request('hall:time', { clientTime: Date.now() })).toMatchObject({
      serverTime: expect.any(Number),
    });
    const someoneElse = (await server.login('host', 'host')).token;
    await expect(client.request('hall:renew', { token: someoneElse })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    // Refused, the renewal changes nothing: the connection goes on with the token it had.
    expect(await client.request('hall:join', { tenderId })).toMatchObject({ snapshot: { tenderId } });
  });

  it('seal-14: renewals end a fixed time after the certificate login', async () => {
    const { token } = await server.login('host', 'host');
    server.clock.set(new Date(Date.now() + 13 * 3_600_000));
    try {
      const late = await server.app.inject({
        method: 'POST',
        url: '/api/auth/renew',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(late.json()).toMatchObject({ code: 'TOKEN_EXPIRED' });
    } finally {
      server.clock.offsetMs = 0;
    }
  });

  it('seal-14: a person re-registered with another certificate loses the connection opened with the old one', async () => {
    const client = await connect((await server.login('supervisor', 'supervisor')).token);
    const { certPem: renewedCertificate } = issueFromDevCa('ca-b', {
      cn: '李监督',
      o: '市发展和改革委员会',
      serialNumber: 'SUP-0001',
    });
    const admin = (await server.login('admin', 'admin')).token;
    const registered = await server.app.inject({
      method: 'POST',
      url: '/api/actors',
      headers: { authorization: `Bearer ${admin}` },
      payload: { role: 'supervisor', signingCertificate: renewedCertificate },
    });
    expect(registered.statusCode, registered.body).toBe(201);
    await expect(client.request('hall:time', { clientTime: Date.now() })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    // The certificate the supervisor really holds is registered again for the tests that follow.
    const restored = await server.app.inject({
      method: 'POST',
      url: '/api/actors',
      headers: { authorization: `Bearer ${admin}` },
      payload: {
        role: 'supervisor',
        signingCertificate: readFileSync(certPath('supervisor', 'sign'), 'utf8'),
      },
    });
    expect(restored.statusCode).toBe(201);
  });
});

describe('client addresses behind proxies', () => {
  it('seal-15: TRUST_PROXY=true is refused: name the proxies or a hop count', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' }, { checkFiles: false })).toThrow(ConfigError);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }, { checkFiles: false }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
    ]);
    expect(loadConfig({ TRUST_PROXY: '2' }, { checkFiles: false }).trustProxy).toBe(2);
  });

  it('seal-15: an expert cannot claim a seat network by writing X-Forwarded-For; the trusted proxy’s word counts', async () => {
    const host = (await server.login('host', 'host')).token;
    const evaluation = await server.app.inject({
      method: 'POST',
      url: '/api/evaluations',
      headers: { authorization: `Bearer ${host}` },
      payload: {
        title: '评标',
        mainCity: 'beijing',
        subCities: [],
        experts: [{ expertId: server.actors.get('expert1'), city: 'beijing' }],
        seatNetworks: [{ city: 'beijing', cidr: '10.0.0.0/24' }],
      },
    });
    expect(evaluation.statusCode, evaluation.body).toBe(201);
    const venue = `eval:${evaluation.json<{ id: string }>().id}:main`;
    const expert = (await server.login('expert1', 'expert')).token;
    const ticket = (forwardedFor: string) =>
      server.app.inject({
        method: 'POST',
        url: '/api/media/tickets',
        headers: { authorization: `Bearer ${expert}`, 'x-forwarded-for': forwardedFor },
        payload: { venue },
      });
    // The expert wrote 10.0.0.5 itself; the proxy (127.0.0.1, trusted) appended the real address.
    expect((await ticket('10.0.0.5, 198.51.100.7')).json()).toMatchObject({ code: 'MEDIA_NOT_AT_SEAT' });
    // The proxy says the expert is at 10.0.0.5.
    expect((await ticket('10.0.0.5')).statusCode).toBe(200);
  });

  it('seal-15: a hall connection is audited with the address the trusted proxy forwarded', async () => {
    const { token } = await server.login('supervisor', 'supervisor');
    const socket = io(server.url, {
      auth: { token },
      transports: ['websocket'],
      extraHeaders: { 'x-forwarded-for': '203.0.113.9' },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    await socket.timeout(5000).emitWithAck('hall:join', { tenderId: '00000000-0000-4000-8000-000000000000' });
    socket.disconnect();
    await server.app.audit.flush();
    const [row] = rowsOf<{ ip: string }>(
      await server.app.db.execute(
        sql`SELECT entry::jsonb ->> 'ip' AS ip FROM audit_log WHERE entry::jsonb ->> 'action' = 'hall.join' ORDER BY seq DESC LIMIT 1`,
      ),
    );
    expect(row?.ip).toBe('203.0.113.9');
  });
});
