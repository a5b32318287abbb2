/**
 * The hall under hostile or careless use: every role against every hall request, forged and replayed
 * content keys, malformed, oversized and unacknowledged payloads, floods, unauthenticated sockets.
 * Each gets a coded error and the session goes on.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Action, type ClientToServerEvents, can, type Role, type TenderView } from '@bidhall/shared';
import { HallClient } from '@bidhall/shared/hall-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrapOwnKey } from '../../server/src/hall-client/bidder-actions.ts';
import {
  advanceTo,
  afterDeadline,
  hallRequestSamples,
  joinHall,
  keysOf,
  prepareOpening,
} from '../support/hall.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const work = mkdtempSync(join(tmpdir(), 'bidhall-hall-security-'));
let server: TestServer;
let tender: TenderView;
const clients: HallClient[] = [];

beforeAll(async () => {
  server = await startTestServer({ listen: true });
  ({ tender } = await prepareOpening(server, work, ['bidder1', 'bidder2', 'bidder3']));
  await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
  const host = await joinHall(server, 'host', 'host', tender.id);
  clients.push(host);
  await host.request('hall:start-decryption', { tenderId: tender.id });
});
afterAll(async () => {
  for (const client of clients) client.close();
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

async function connect(actor: string, role: Role): Promise<HallClient> {
  const { token } = await server.login(actor, role);
  const client = new HallClient({ url: server.url, token });
  await client.connect();
  clients.push(client);
  return client;
}

function payloads() {
  return hallRequestSamples(tender.id, server.clock.now());
}

const payloadFor = <E extends keyof ClientToServerEvents>(event: E) => payloads()[event];

const roleActors: [Role, string][] = [
  ['bidder', 'bidder1'],
  ['host', 'host'],
  ['supervisor', 'supervisor'],
  ['expert', 'expert1'],
  ['custodian', 'custodian1'],
  ['tenderee', 'tenderee'],
  ['admin', 'admin'],
];

describe('authorization: every role against every hall request', () => {
  it('only the granted roles get past the role check; experts cannot enter the opening', async () => {
    // Every request of the contract: the payload table is typed to have one entry per event.
    const events = Object.keys(payloads()) as (keyof ClientToServerEvents)[];
    for (const [role, actor] of roleActors) {
      const client = await connect(actor, role);
      if (can(role, 'hall:join')) await client.join(tender.id);
      for (const event of events) {
        // hall:time and hall:renew ride on the hall:join grant.
        const action: Action = ['hall:time', 'hall:renew'].includes(event) ? 'hall:join' : (event as Action);
        const outcome = await client.request(event, payloadFor(event) as never).then(
          () => 'ok',
          (error: { code: string }) => error.code,
        );
        if (can(role, action)) expect(outcome, `${role} ${event}`).not.toBe('FORBIDDEN_ROLE');
        else expect(outcome, `${role} ${event}`).toBe('FORBIDDEN_ROLE');
      }
      client.close();
    }
  });
});

describe('bad input in the hall', () => {
  it('forged and replayed content keys are refused, the bid stays sealed, and the real key still works', async () => {
    const bidder1 = await joinHall(server, 'bidder1', 'bidder', tender.id);
    const bidder2 = await joinHall(server, 'bidder2', 'bidder', tender.id);
    clients.push(bidder1, bidder2);
    const forged = {
      tenderId: tender.id,
      part: 'summary' as const,
      contentKey: randomBytes(32).toString('base64'),
    };
    await expect(bidder2.request('hall:decrypt', forged)).rejects.toMatchObject({
      code: 'DECRYPT_WRONG_KEY',
    });
    await expect(bidder2.request('hall:decrypt', { ...forged, part: 'documents' })).rejects.toMatchObject({
      code: 'DECRYPT_WRONG_KEY',
    });
    // bidder1's genuine key, replayed by bidder2, opens only bidder1's bid.
    const own = await bidder1.request('hall:recipient', { tenderId: tender.id });
    const key1 = unwrapOwnKey(own.summary, keysOf('bidder1')).toString('base64');
    await expect(bidder2.request('hall:decrypt', { ...forged, contentKey: key1 })).rejects.toMatchObject({
      code: 'DECRYPT_WRONG_KEY',
    });
    await bidder1.request('hall:decrypt', { ...forged, contentKey: key1 });
    await expect(bidder1.request('hall:decrypt', { ...forged, contentKey: key1 })).rejects.toMatchObject({
      code: 'DECRYPT_DONE',
    });
    const mine = await bidder2.request('hall:recipient', { tenderId: tender.id });
    await bidder2.request('hall:decrypt', {
      ...forged,
      contentKey: unwrapOwnKey(mine.summary, keysOf('bidder2')).toString('base64'),
    });
    const bid2 = await bidder2.waitFor(
      (e) =>
        e.type === 'bid' &&
        e.data.bidderName === '北方路桥集团有限公司' &&
        e.data.openingStatus === 'summary-decrypted',
    );
    expect(bid2.type).toBe('bid');
  });

  it('malformed payloads get VALIDATION_FAILED; requests without an ack are dropped; the socket goes on', async () => {
    const client = await joinHall(server, 'bidder3', 'bidder', tender.id);
    clients.push(client);
    const bad: [keyof ClientToServerEvents, unknown][] = [
      ['hall:decrypt', { tenderId: tender.id, part: 'everything', contentKey: 'x' }],
      ['hall:decrypt', { tenderId: 'not-a-uuid', part: 'summary', contentKey: '' }],
      ['hall:object', { tenderId: tender.id, text: 'x'.repeat(3000) }],
      ['hall:object', { tenderId: tender.id, text: 'hi', extra: true }],
      ['hall:check-in', null],
      ['hall:check-in', 'string'],
    ];
    for (const [event, payload] of bad) {
      await expect(client.request(event, payload as never), JSON.stringify(payload)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    }
    rawEmit(client, 'hall:check-in', { tenderId: tender.id });
    expect(await client.request('hall:time', { clientTime: 0 })).toHaveProperty('serverTime');
    // Not joined to that tender: refused before anything else.
    await expect(client.request('hall:check-in', { tenderId: randomUUID() })).rejects.toMatchObject({
      code: 'HALL_NOT_JOINED',
    });
    await expect(client.request('hall:join', { tenderId: randomUUID() })).rejects.toMatchObject({
      code: 'TENDER_NOT_FOUND',
    });
    await expect(client.request('hall:open-record', { tenderId: tender.id } as never)).rejects.toMatchObject({
      code: 'FORBIDDEN_ROLE',
    });
  });

  it('an oversized payload costs the sender its connection, not the hall its session', async () => {
    const client = await joinHall(server, 'bidder3', 'bidder', tender.id);
    clients.push(client);
    const disconnected = new Promise((resolve) => client.socket.once('disconnect', resolve));
    rawEmit(client, 'hall:object', { tenderId: tender.id, text: 'x'.repeat(200 * 1024) }, () => undefined);
    await disconnected;
    await new Promise<void>((resolve) => client.socket.once('connect', () => resolve()));
    expect(await client.request('hall:time', { clientTime: 0 })).toHaveProperty('serverTime');
  });

  it('a flood from one socket is rate-limited; after a pause the socket is served again', async () => {
    const client = await joinHall(server, 'bidder1', 'bidder', tender.id);
    clients.push(client);
    const outcomes = await Promise.all(
      Array.from({ length: 150 }, () =>
        client.request('hall:time', { clientTime: 0 }).then(
          () => 'ok',
          (error: { code: string }) => error.code,
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'RATE_LIMITED').length).toBeGreaterThan(50);
    expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThanOrEqual(30);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await client.request('hall:time', { clientTime: 0 })).toHaveProperty('serverTime');
  });

  it('refuses sockets without a valid token, with a code', async () => {
    const anonymous = new HallClient({ url: server.url, token: 'nope' });
    await expect(anonymous.connect()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    anonymous.close();
    const expired = server.app.jwt.sign(
      { sub: 'x', role: 'bidder', name: 'x', identity: 'x' },
      { expiresIn: -5 },
    );
    const late = new HallClient({ url: server.url, token: expired });
    await expect(late.connect()).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    late.close();
  });

  it('wrong-state requests get HALL_WRONG_STATE and change nothing', async () => {
    const host = await joinHall(server, 'host', 'host', tender.id);
    clients.push(host);
    await expect(host.request('hall:open-record', { tenderId: tender.id })).rejects.toMatchObject({
      code: 'HALL_WRONG_STATE',
    });
    await expect(host.request('hall:close', { tenderId: tender.id })).rejects.toMatchObject({
      code: 'HALL_WRONG_STATE',
    });
    await expect(host.request('hall:start-decryption', { tenderId: tender.id })).rejects.toMatchObject({
      code: 'HALL_WRONG_STATE',
    });
    expect((await host.join(tender.id)).status).toBe('decrypting');
  });
});

/** Sends a raw event, bypassing the typed client (for payloads the types forbid). */
function rawEmit(client: HallClient, event: string, ...args: unknown[]): void {
  (client.socket as unknown as { emit(event: string, ...args: unknown[]): void }).emit(event, ...args);
}
