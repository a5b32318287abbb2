/**
 * The confidentiality contract of the opening (电子招标投标办法: nobody learns who bid before the
 * deadline): for every role and every read path — each HTTP route of the application, the hall snapshot,
 * every hall broadcast, the answer to every hall request, the audit feed, the actors list, media tickets,
 * the record bundle — nothing before the bids are opened identifies another bidder, nor how many there are.
 *
 * The routes come from the application's own route table and the requests from the typed event map:
 * a route added without saying here how it is called fails this test, a request fails to compile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientToServerEvents, Role, TenderView } from '@bidhall/shared';
import type { HallClient } from '@bidhall/shared/hall-client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actors, bids } from '../../server/src/db/schema/index.ts';
import { selfTest } from '../../server/src/hall-client/bidder-actions.ts';
import {
  advanceTo,
  afterDeadline,
  hallRequestSamples,
  joinHall,
  keysOf,
  prepareOpening,
} from '../support/hall.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const work = mkdtempSync(join(tmpdir(), 'bidhall-confidential-'));
let server: TestServer;
let tender: TenderView;
let evaluationId: string;
const clients: HallClient[] = [];

/** Who looks: every kind of viewer, bidders with and without a bid among them. */
const viewers: { readonly name: string; readonly actor: string; readonly role: Role }[] = [
  { name: 'bidder with a bid', actor: 'bidder1', role: 'bidder' },
  { name: 'bidder without a bid', actor: 'bidder4', role: 'bidder' },
  { name: 'tenderee', actor: 'tenderee', role: 'tenderee' },
  { name: 'custodian', actor: 'custodian1', role: 'custodian' },
  { name: 'host', actor: 'host', role: 'host' },
  { name: 'supervisor', actor: 'supervisor', role: 'supervisor' },
  { name: 'admin', actor: 'admin', role: 'admin' },
  { name: 'expert', actor: 'expert1', role: 'expert' },
];
const tokens = new Map<string, string>();
const halls = new Map<string, HallClient>();
/** Everything that identifies each bidder of the tender: name, credit code, actor id, bid ids, hashes. */
const secretsOf = new Map<string, string[]>();

const names: Record<string, string> = {
  bidder1: '华东建设工程有限公司',
  bidder2: '北方路桥集团有限公司',
  bidder3: '西南水利水电股份有限公司',
};

/** The strings `viewer` must not see: those of every bidder of the tender other than itself. */
function forbiddenFor(viewer: string): string[] {
  return [...secretsOf].filter(([bidder]) => bidder !== viewer).flatMap(([, secrets]) => secrets);
}

function expectNothingOf(viewer: string, where: string, value: unknown): void {
  const text = JSON.stringify(value) ?? '';
  const leaked = forbiddenFor(viewer).filter((secret) => text.includes(secret));
  expect(leaked, `${where} shows ${viewer} another bidder's ${leaked.join(', ')}`).toEqual([]);
}

beforeAll(async () => {
  server = await startTestServer({
    listen: true,
    env: { SFU_URLS: 'local=http://127.0.0.1:9', MEDIA_TICKET_SECRET: 'x'.repeat(40) },
  });
  ({ tender } = await prepareOpening(server, work, ['bidder1', 'bidder2', 'bidder3'], {
    draw: { label: { zh: '下浮系数', en: 'Discount' }, options: ['0.95', '0.96', '0.97'] },
  }));
  for (const viewer of viewers)
    tokens.set(viewer.actor, (await server.login(viewer.actor, viewer.role)).token);
  for (const bidder of ['bidder2', 'bidder3'])
    tokens.set(bidder, (await server.login(bidder, 'bidder')).token);
  const host = tokens.get('host')!;
  const evaluation = await server.app.inject({
    method: 'POST',
    url: '/api/evaluations',
    headers: { authorization: `Bearer ${host}` },
    payload: {
      title: '评标',
      tenderId: tender.id,
      mainCity: 'beijing',
      subCities: [],
      experts: [{ expertId: server.actors.get('expert1'), city: 'beijing' }],
    },
  });
  expect(evaluation.statusCode, evaluation.body).toBe(201);
  evaluationId = evaluation.json<{ id: string }>().id;

  // Every viewer with a hall grant follows the hall from before the bidders act.
  for (const viewer of viewers) {
    if (['admin', 'expert'].includes(viewer.role)) continue;
    const client = await joinHall(server, viewer.actor, viewer.role, tender.id);
    clients.push(client);
    halls.set(viewer.actor, client);
  }

  // What bidders do before the deadline, each of which leaves traces: check-ins, a self-test, a refused
  // upload, a withdrawal, media tickets.
  const bidder2 = await joinHall(server, 'bidder2', 'bidder', tender.id);
  clients.push(bidder2);
  await halls.get('bidder1')!.request('hall:check-in', { tenderId: tender.id });
  await bidder2.request('hall:check-in', { tenderId: tender.id });
  await selfTest(halls.get('bidder1')!, tender.id, keysOf('bidder1'));
  await server.app.inject({
    method: 'POST',
    url: `/api/tenders/${tender.id}/bids`,
    headers: { authorization: `Bearer ${tokens.get('bidder2')}` },
    payload: { not: 'multipart' },
  });
  for (const bidder of ['bidder1', 'bidder2'])
    await server.app.inject({
      method: 'POST',
      url: '/api/media/tickets',
      headers: { authorization: `Bearer ${tokens.get(bidder)}` },
      payload: { venue: `hall:${tender.id}` },
    });
  await server.app.inject({
    method: 'DELETE',
    url: `/api/tenders/${tender.id}/bids/mine`,
    headers: { authorization: `Bearer ${tokens.get('bidder3')}` },
  });
  await server.app.audit.flush();

  const rows = await server.app.db
    .select({ bid: bids, name: actors.name, identity: actors.identity })
    .from(bids)
    .innerJoin(actors, eq(actors.id, bids.bidderId))
    .where(eq(bids.tenderId, tender.id));
  for (const [bidder, name] of Object.entries(names)) {
    const own = rows.filter((r) => r.name === name);
    const first = own[0]!;
    secretsOf.set(
      bidder,
      [
        first.name,
        first.identity,
        first.bid.bidderId,
        ...own.flatMap((r) => [
          r.bid.id,
          r.bid.summarySha256,
          r.bid.documentsSha256,
          r.bid.drawCommitment ?? '',
        ]),
      ].filter(Boolean),
    );
  }
});
afterAll(async () => {
  for (const client of clients) client.close();
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** How the contract calls each route: its query and body, or why it is called last. */
const routeCalls: Record<string, { query?: () => string; body?: () => unknown; last?: true }> = {
  'POST /api/auth/challenge': {},
  'POST /api/auth/login': { body: () => ({}) },
  'GET /api/auth/me': {},
  'POST /api/auth/renew': {},
  'POST /api/actors': { body: () => ({}) },
  'GET /api/actors': { query: () => 'role=bidder' },
  'POST /api/tenders': { body: () => ({}) },
  'GET /api/tenders': {},
  'GET /api/tenders/:tenderId': {},
  'PATCH /api/tenders/:tenderId': { body: () => ({}) },
  'POST /api/tenders/:tenderId/bids': { body: () => ({}) },
  // Withdraws the caller's own bid: called after every other path has been read.
  'DELETE /api/tenders/:tenderId/bids/mine': { last: true },
  'GET /api/tenders/:tenderId/bids/mine': {},
  'GET /api/tenders/:tenderId/bids': {},
  'GET /api/tenders/:tenderId/record-bundle': {},
  'GET /api/tenders/:tenderId/audit': { query: () => 'after=0' },
  'GET /api/tenders/:tenderId/audit/export': { query: () => 'format=csv' },
  'POST /api/audit/verify': {},
  'POST /api/tenders/:tenderId/record-bundle/verify': {},
  'POST /api/evaluations': { body: () => ({}) },
  'GET /api/evaluations': {},
  'GET /api/evaluations/:evaluationId': {},
  'POST /api/media/tickets': { body: () => ({ venue: `hall:${tender.id}` }) },
  'GET /api/media/venues': {},
  'PUT /api/media/segments/:segmentId': { body: () => ({}) },
  'POST /api/media/recording-state': {},
  'GET /api/recordings': { query: () => `room=hall:${tender.id}` },
  'GET /api/recordings/rooms': {},
  'GET /api/recordings/:segmentId/media': {},
  'POST /api/experts/import': { body: () => ({}) },
  'GET /api/experts': {},
  'POST /api/seats': { body: () => ({}) },
  'GET /api/seats': {},
  'POST /api/committees': { body: () => ({}) },
  'GET /api/committees': {},
  'GET /api/committees/:committeeId': {},
  'POST /api/committees/:committeeId/representatives': { body: () => ({}) },
  'POST /api/committees/:committeeId/draw': { body: () => ({}) },
  'GET /api/committees/:committeeId/draw': {},
  'POST /api/committees/:committeeId/sign-in': {},
  'POST /api/committees/:committeeId/declaration': { body: () => ({}) },
  'POST /api/committees/:committeeId/vote': { body: () => ({}) },
  'POST /api/committees/:committeeId/leader': { body: () => ({}) },
  'GET /api/committees/:committeeId/documents': {},
  'GET /api/committees/:committeeId/documents/:bidId/files/:index': {},
  'GET /api/committees/:committeeId/opening-record': {},
  'POST /api/committees/:committeeId/fault': { body: () => ({}) },
  'PUT /api/committees/:committeeId/plan': { body: () => ({}) },
  'GET /api/committees/:committeeId/review': {},
  'POST /api/committees/:committeeId/sheets': { body: () => ({}) },
  'PUT /api/committees/:committeeId/sheets/draft': { body: () => ({}) },
  'POST /api/committees/:committeeId/sheets/return': { body: () => ({}) },
  'POST /api/committees/:committeeId/sheets/confirm': { body: () => ({}) },
  'POST /api/committees/:committeeId/reopen': { body: () => ({}) },
  'POST /api/committees/:committeeId/report': {},
  'GET /api/committees/:committeeId/report': {},
  'GET /api/committees/:committeeId/report-bundle': {},
  'POST /api/committees/:committeeId/publish': { body: () => ({}) },
  'POST /api/committees/:committeeId/candidate-objections/:objectionId/answer': { body: () => ({}) },
  'GET /api/tenders/:tenderId/candidates': {},
  'POST /api/committees/:committeeId/assessments': { body: () => ({}) },
  'GET /api/committees/:committeeId/assessments': {},
  'GET /api/assessments': {},
  'PUT /api/committees/:committeeId/rating-forms': { body: () => ({}) },
  'POST /api/committees/:committeeId/ratings': { body: () => ({}) },
  'GET /api/tenders/:tenderId/rating-form': {},
  'GET /api/ratings': {},
  'POST /api/tenders/:tenderId/candidate-objections': { body: () => ({}) },
  'POST /api/committees/:committeeId/report/sign': { body: () => ({}) },
  'POST /api/committees/:committeeId/report/dissent': { body: () => ({}) },
  'POST /api/committees/:committeeId/replace': { body: () => ({}) },
  'POST /api/committees/:committeeId/time-votes': {},
  'POST /api/committees/:committeeId/time-votes/answer': { body: () => ({}) },
  'POST /api/committees/:committeeId/reopen/decision': { body: () => ({}) },
  'POST /api/committees/:committeeId/clarifications': { body: () => ({}) },
  'POST /api/committees/:committeeId/clarifications/:clarificationId/decision': { body: () => ({}) },
  'GET /api/committees/:committeeId/clarifications': {},
  'GET /api/committees/:committeeId/clarifications/:clarificationId/files/:index': {},
  'GET /api/tenders/:tenderId/clarifications': {},
  'POST /api/clarifications/:clarificationId/answer': { body: () => ({}) },
  'POST /api/committees/:committeeId/resume': { body: () => ({}) },
  'GET /api/health': {},
  'GET /health/live': {},
  'GET /health/ready': {},
  'GET /metrics': {},
};

/** The built page's own files (one route each) hold nothing of any tender: they are called as they are. */
const isPageFile = (url: string) => !url.startsWith('/api/');
const callOf = (route: { method: string; url: string }) =>
  routeCalls[`${route.method} ${route.url}`] ?? (isPageFile(route.url) ? {} : undefined);

function urlOf(pattern: string): string {
  return pattern.replace(/:(\w+)|\*/g, (match, name: string | undefined) => {
    if (match === '*') return 'index.html';
    if (name === 'tenderId') return tender.id;
    if (name === 'evaluationId') return evaluationId;
    if (name === 'segmentId') return '00000000-0000-4000-8000-000000000000';
    // No committee can exist before the deadline (it is formed after the bids are read).
    if (name === 'committeeId' || name === 'bidId' || name === 'clarificationId' || name === 'objectionId')
      return '00000000-0000-4000-8000-000000000001';
    if (name === 'index') return '0';
    throw new Error(`no sample value for :${name} in ${pattern}`);
  });
}

describe('before the deadline nothing identifies another bidder', () => {
  it('seal-03: every route of the application has a way to be called here', () => {
    const keys = server.app.routeList.map((r) => `${r.method} ${r.url}`);
    const missing = keys.filter((key) => !routeCalls[key] && !isPageFile(key.split(' ')[1]!));
    expect(missing, 'routes the confidentiality contract does not know how to call').toEqual([]);
  });
  it('seal-01: the hall snapshot shows a bidder its own bid and commitment only, and everyone else none, not even a count', async () => {
    for (const [actor, client] of halls) {
      const { snapshot } = await client.request('hall:join', { tenderId: tender.id });
      expectNothingOf(actor, `the hall snapshot (${actor})`, snapshot);
      const own = actor === 'bidder1';
      expect(snapshot.bids, actor).toHaveLength(own ? 1 : 0);
      expect(snapshot.draw?.seeds ?? [], actor).toHaveLength(own ? 1 : 0);
      expect(snapshot.checkedIn, actor).toHaveLength(own ? 1 : 0);
      expect(JSON.stringify(snapshot)).not.toMatch(/"count"|"bidCount"/);
    }
  });
  it('seal-03: no hall broadcast and no answer to any hall request names another bidder', async () => {
    const samples = hallRequestSamples(tender.id, server.clock.now());
    for (const [actor, client] of halls) {
      for (const event of client.events) expectNothingOf(actor, `hall event ${event.type} (${actor})`, event);
      for (const request of Object.keys(samples) as (keyof ClientToServerEvents)[]) {
        // Requests that would change the caller's own state are asked anyway: their answers are checked.
        const answer = await client.request(request, samples[request] as never).then(
          (data) => ({ ok: true, data }),
          (error: unknown) => ({ ok: false, error: String(error) }),
        );
        expectNothingOf(actor, `${request} (${actor})`, answer);
      }
    }
  });
  it('seal-03, seal-02: no HTTP route answers any role with another bidder (audit feed, actors, tickets, bundle…)', async () => {
    const routes = [...server.app.routeList].sort(
      (a, b) => Number(!!callOf(a)?.last) - Number(!!callOf(b)?.last),
    );
    for (const route of routes) {
      const call = callOf(route)!;
      for (const viewer of viewers) {
        const query = call.query?.();
        const response = await server.app.inject({
          method: route.method as 'GET',
          url: `${urlOf(route.url)}${query ? `?${query}` : ''}`,
          headers: { authorization: `Bearer ${tokens.get(viewer.actor)}` },
          ...(call.body ? { payload: call.body() as object } : {}),
        });
        expectNothingOf(viewer.actor, `${route.method} ${route.url} (${viewer.name})`, response.body);
      }
    }
  });
  it('seal-02: a hall media ticket needs a bid in the tender', async () => {
    const refused = await server.app.inject({
      method: 'POST',
      url: '/api/media/tickets',
      headers: { authorization: `Bearer ${tokens.get('bidder4')}` },
      payload: { venue: `hall:${tender.id}` },
    });
    expect(refused.json()).toMatchObject({ code: 'HALL_NO_BID' });
  });
  it('seal-02: the supervisor sees that entries are sealed; after the opening the whole trail is readable', async () => {
    const feed = async (actor: string) =>
      (
        await server.app.inject({
          method: 'GET',
          url: `/api/tenders/${tender.id}/audit?after=0`,
          headers: { authorization: `Bearer ${tokens.get(actor)}` },
        })
      ).json<{
        entries: { entry: { action: string; role: string | null; outcome: string } }[];
        sealed: number | null;
      }>();
    const before = await feed('supervisor');
    expect(before.sealed).toBeGreaterThanOrEqual(6);
    expect(before.entries.some((e) => e.entry.role === 'bidder' || e.entry.action.startsWith('bid.'))).toBe(
      false,
    );
    expect((await feed('host')).sealed).toBeNull();
    await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
    const after = await feed('supervisor');
    expect(after.sealed).toBe(0);
    expect(
      after.entries.filter((e) => e.entry.action === 'bid.submit' && e.entry.outcome === 'ok').length,
    ).toBe(3);
  });
});
