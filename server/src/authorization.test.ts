import { type Action, can, type Role, type TenderView } from '@bidhall/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../tests/support/server.ts';

/** A committee id no committee has (the role check comes before the lookup). */
const someCommittee = '00000000-0000-4000-8000-000000000001';

/** Every HTTP entry point with the action it performs. */
const routes: {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: (tender: string) => string;
  action: Action;
}[] = [
  { method: 'POST', url: () => '/api/tenders', action: 'tender:create' },
  { method: 'GET', url: () => '/api/tenders', action: 'tender:list' },
  { method: 'PATCH', url: (t) => `/api/tenders/${t}`, action: 'tender:edit' },
  { method: 'GET', url: (t) => `/api/tenders/${t}`, action: 'tender:read' },
  { method: 'POST', url: (t) => `/api/tenders/${t}/bids`, action: 'bid:submit' },
  { method: 'DELETE', url: (t) => `/api/tenders/${t}/bids/mine`, action: 'bid:withdraw' },
  { method: 'GET', url: (t) => `/api/tenders/${t}/bids/mine`, action: 'bid:read-own' },
  { method: 'GET', url: (t) => `/api/tenders/${t}/bids`, action: 'bid:list' },
  { method: 'POST', url: () => '/api/actors', action: 'actor:register' },
  { method: 'GET', url: (t) => `/api/tenders/${t}/record-bundle`, action: 'record:export' },
  { method: 'POST', url: () => '/api/media/tickets', action: 'media:ticket' },
  { method: 'POST', url: () => '/api/evaluations', action: 'evaluation:create' },
  { method: 'GET', url: () => '/api/evaluations', action: 'evaluation:read' },
  { method: 'GET', url: () => '/api/media/venues', action: 'recording:read' },
  { method: 'GET', url: (t) => `/api/recordings?room=hall:${t}`, action: 'recording:read' },
  { method: 'POST', url: () => '/api/experts/import', action: 'pool:manage' },
  { method: 'GET', url: () => '/api/experts', action: 'pool:read' },
  { method: 'POST', url: () => '/api/seats', action: 'pool:manage' },
  { method: 'GET', url: () => '/api/seats', action: 'seat:read' },
  { method: 'POST', url: () => '/api/committees', action: 'committee:create' },
  { method: 'GET', url: () => '/api/committees', action: 'committee:read' },
  { method: 'GET', url: () => `/api/committees/${someCommittee}`, action: 'committee:read' },
  {
    method: 'POST',
    url: () => `/api/committees/${someCommittee}/representatives`,
    action: 'committee:name-representatives',
  },
  { method: 'POST', url: () => `/api/committees/${someCommittee}/draw`, action: 'committee:draw' },
  { method: 'GET', url: () => `/api/committees/${someCommittee}/draw`, action: 'committee:read-draw' },
  { method: 'POST', url: () => `/api/committees/${someCommittee}/sign-in`, action: 'committee:sign-in' },
  { method: 'POST', url: () => `/api/committees/${someCommittee}/declaration`, action: 'committee:declare' },
  { method: 'POST', url: () => `/api/committees/${someCommittee}/vote`, action: 'committee:vote' },
  { method: 'POST', url: () => `/api/committees/${someCommittee}/leader`, action: 'committee:name-leader' },
  {
    method: 'GET',
    url: () => `/api/committees/${someCommittee}/documents`,
    action: 'committee:read-documents',
  },
  {
    method: 'GET',
    url: () => `/api/committees/${someCommittee}/documents/${someCommittee}/files/0`,
    action: 'committee:read-documents',
  },
  {
    method: 'GET',
    url: () => `/api/committees/${someCommittee}/opening-record`,
    action: 'committee:read-documents',
  },
  { method: 'POST', url: () => `/api/committees/${someCommittee}/fault`, action: 'committee:record-fault' },
  { method: 'POST', url: () => `/api/committees/${someCommittee}/resume`, action: 'committee:record-fault' },
  { method: 'PUT', url: () => `/api/committees/${someCommittee}/plan`, action: 'committee:plan' },
  { method: 'GET', url: () => `/api/committees/${someCommittee}/review`, action: 'committee:read' },
  { method: 'POST', url: () => `/api/committees/${someCommittee}/sheets`, action: 'committee:review' },
  { method: 'PUT', url: () => `/api/committees/${someCommittee}/sheets/draft`, action: 'committee:review' },
  { method: 'POST', url: () => `/api/committees/${someCommittee}/sheets/return`, action: 'committee:review' },
  {
    method: 'POST',
    url: () => `/api/committees/${someCommittee}/sheets/confirm`,
    action: 'committee:review',
  },
  { method: 'POST', url: () => `/api/committees/${someCommittee}/reopen`, action: 'committee:review' },
  { method: 'POST', url: () => `/api/committees/${someCommittee}/report`, action: 'committee:review' },
  { method: 'POST', url: () => `/api/committees/${someCommittee}/publish`, action: 'committee:publish' },
  {
    method: 'POST',
    url: () => `/api/committees/${someCommittee}/candidate-objections/${someCommittee}/answer`,
    action: 'committee:publish',
  },
  { method: 'GET', url: (t) => `/api/tenders/${t}/candidates`, action: 'tender:read' },
  { method: 'POST', url: () => `/api/committees/${someCommittee}/assessments`, action: 'committee:assess' },
  { method: 'GET', url: () => `/api/committees/${someCommittee}/assessments`, action: 'committee:assess' },
  { method: 'GET', url: () => '/api/assessments', action: 'pool:read' },
  { method: 'PUT', url: () => `/api/committees/${someCommittee}/rating-forms`, action: 'committee:publish' },
  { method: 'POST', url: () => `/api/committees/${someCommittee}/ratings`, action: 'committee:rate' },
  { method: 'GET', url: (t) => `/api/tenders/${t}/rating-form`, action: 'committee:rate' },
  { method: 'GET', url: () => '/api/ratings', action: 'pool:read' },
  { method: 'POST', url: (t) => `/api/tenders/${t}/candidate-objections`, action: 'candidate:object' },
  { method: 'GET', url: () => `/api/committees/${someCommittee}/report-bundle`, action: 'committee:export' },
  { method: 'GET', url: () => `/api/committees/${someCommittee}/report`, action: 'committee:read' },
  { method: 'POST', url: () => `/api/committees/${someCommittee}/report/sign`, action: 'committee:review' },
  {
    method: 'POST',
    url: () => `/api/committees/${someCommittee}/report/dissent`,
    action: 'committee:review',
  },
  { method: 'POST', url: () => `/api/committees/${someCommittee}/replace`, action: 'committee:approve' },
  { method: 'POST', url: () => `/api/committees/${someCommittee}/time-votes`, action: 'committee:review' },
  {
    method: 'POST',
    url: () => `/api/committees/${someCommittee}/time-votes/answer`,
    action: 'committee:review',
  },
  {
    method: 'POST',
    url: () => `/api/committees/${someCommittee}/reopen/decision`,
    action: 'committee:approve',
  },
  {
    method: 'POST',
    url: () => `/api/committees/${someCommittee}/clarifications`,
    action: 'committee:review',
  },
  {
    method: 'POST',
    url: () => `/api/committees/${someCommittee}/clarifications/${someCommittee}/decision`,
    action: 'committee:approve',
  },
  { method: 'GET', url: () => `/api/committees/${someCommittee}/clarifications`, action: 'committee:read' },
  {
    method: 'GET',
    url: () => `/api/committees/${someCommittee}/clarifications/${someCommittee}/files/0`,
    action: 'committee:read',
  },
  { method: 'GET', url: (t) => `/api/tenders/${t}/clarifications`, action: 'clarification:answer' },
  {
    method: 'POST',
    url: () => `/api/clarifications/${someCommittee}/answer`,
    action: 'clarification:answer',
  },
];

/** The intended permission model, written out so that a change to the grants cannot pass unnoticed. */
const allowed: Record<Action, Role[]> = {
  'tender:create': ['host'],
  'tender:edit': ['host'],
  'tender:list': ['bidder', 'host', 'supervisor', 'custodian', 'tenderee', 'admin'],
  'tender:read': ['bidder', 'host', 'supervisor', 'custodian', 'tenderee', 'admin'],
  'bid:submit': ['bidder'],
  'bid:withdraw': ['bidder'],
  'bid:read-own': ['bidder'],
  'bid:list': ['host', 'supervisor'],
  'audit:read': ['host', 'supervisor', 'admin'],
  'audit:verify': ['supervisor', 'admin'],
  'actor:register': ['admin'],
  'hall:join': ['bidder', 'host', 'supervisor', 'custodian', 'tenderee'],
  'hall:check-in': ['bidder'],
  'hall:recipient': ['bidder'],
  'hall:self-test-challenge': ['bidder'],
  'hall:self-test': ['bidder'],
  'hall:decrypt': ['bidder'],
  'hall:start-decryption': ['host'],
  'hall:pause': ['host'],
  'hall:resume': ['host'],
  'hall:extend': ['host'],
  'hall:confirm-failure': ['host'],
  'hall:cancel': ['host'],
  'hall:record-outage': ['host', 'supervisor'],
  'hall:settle': ['host', 'supervisor'],
  'hall:confirm': ['host', 'supervisor'],
  'hall:reject': ['host', 'supervisor'],
  'hall:share-fetch': ['custodian'],
  'hall:share-submit': ['custodian'],
  'hall:approve-remedy': ['supervisor'],
  'hall:reveal-seed': ['bidder'],
  'hall:announce': ['host'],
  'hall:open-record': ['host'],
  'hall:sign-record': ['bidder', 'host', 'supervisor'],
  'hall:object': ['bidder'],
  'hall:answer': ['host'],
  'hall:close': ['host'],
  'record:export': ['bidder', 'host', 'supervisor'],
  'media:ticket': ['bidder', 'host', 'supervisor', 'expert', 'tenderee'],
  'evaluation:create': ['host'],
  'evaluation:read': ['host', 'supervisor', 'expert'],
  'recording:read': ['supervisor'],
  // The expert pool and the seats: names of experts are for the pool's administrator and supervisors.
  'pool:manage': ['admin'],
  'pool:read': ['admin', 'supervisor'],
  // The seat catalogue (places, not people): hosts choose a committee's seats from it.
  'seat:read': ['host', 'supervisor', 'admin'],
  // The committee: specified by the host, drawn with the supervisor's seed, the tenderee names its
  // representatives (and the leader where the tender says so), members act at their seats.
  'committee:create': ['host'],
  'committee:read': ['host', 'supervisor', 'expert', 'tenderee'],
  'committee:draw': ['supervisor'],
  'committee:read-draw': ['supervisor'],
  'committee:name-representatives': ['tenderee'],
  'committee:name-leader': ['tenderee'],
  'committee:sign-in': ['expert'],
  'committee:declare': ['expert'],
  'committee:vote': ['expert'],
  'committee:read-documents': ['expert'],
  'committee:record-fault': ['host', 'supervisor'],
  'committee:plan': ['host'],
  'committee:review': ['expert'],
  'committee:approve': ['supervisor'],
  'clarification:answer': ['bidder'],
  'committee:export': ['supervisor'],
  'committee:publish': ['host'],
  'candidate:object': ['bidder'],
  'committee:assess': ['host', 'supervisor', 'tenderee'],
  'committee:rate': ['bidder', 'host', 'supervisor', 'expert', 'tenderee'],
};

const actorOf: Record<Role, string> = {
  bidder: 'bidder1',
  host: 'host',
  supervisor: 'supervisor',
  expert: 'expert1',
  custodian: 'custodian1',
  tenderee: 'tenderee',
  admin: 'admin',
};

let server: TestServer;
let tender: TenderView;
const tokens = new Map<Role, string>();

beforeAll(async () => {
  server = await startTestServer();
  for (const [role, actor] of Object.entries(actorOf) as [Role, string][])
    tokens.set(role, (await server.login(actor, role)).token);
  tender = await server.createTender(tokens.get('host')!);
});
afterAll(() => server.close());

describe('authorization: every role against every HTTP entry point', () => {
  it('the grants in shared/ are the intended ones', () => {
    for (const [action, roles] of Object.entries(allowed) as [Action, Role[]][]) {
      for (const role of Object.keys(actorOf) as Role[])
        expect(can(role, action), `${role} ${action}`).toBe(roles.includes(role));
    }
  });

  for (const route of routes) {
    it(`${route.method} ${route.url(':tender')} (${route.action})`, async () => {
      for (const role of Object.keys(actorOf) as Role[]) {
        const response = await server.app.inject({
          method: route.method,
          url: route.url(tender.id),
          headers: { authorization: `Bearer ${tokens.get(role)}` },
          ...(route.method === 'POST' || route.method === 'PUT' ? { payload: {} } : {}),
        });
        const code = response.json<{ code?: string } | null>()?.code;
        if (allowed[route.action].includes(role))
          expect(code, `${role} should pass the role check`).not.toBe('FORBIDDEN_ROLE');
        else expect([response.statusCode, code], `${role} must be refused`).toEqual([403, 'FORBIDDEN_ROLE']);
      }
      const anonymous = await server.app.inject({ method: route.method, url: route.url(tender.id) });
      expect([anonymous.statusCode, anonymous.json().code]).toEqual([401, 'UNAUTHENTICATED']);
    });
  }

  it('audits refusals with the actor, role and address', async () => {
    await server.app.inject({
      method: 'POST',
      url: '/api/tenders',
      headers: { authorization: `Bearer ${tokens.get('bidder')}` },
      payload: {},
    });
    await server.app.audit.flush();
    const rows = await server.database.handle.queryText(
      `SELECT entry FROM audit_log ORDER BY seq DESC LIMIT 1`,
    );
    expect(JSON.parse(rows[0]![0]!)).toMatchObject({
      action: 'tender.create',
      outcome: 'FORBIDDEN_ROLE',
      role: 'bidder',
      ip: '127.0.0.1',
    });
  });
});
