/**
 * The evaluation committee end to end, on the real database and two server processes: a tender opened
 * with 4 bidders; a committee of 7 (5 drawn experts over a main venue in Beijing and a sub venue in
 * Shanghai, 2 tenderee representatives) drawn from a pool of 40 with one expert excluded by employer and
 * one by relation; the draw recomputed by an independent function; one member misses the sign-in
 * deadline and one declares a conflict, both replaced from the reserves in draw order; the leader vote
 * takes two rounds; every member reads a bid document at its seat and the reads are audited; a member
 * from another network, a vote for a non-member, a second vote, a pledge by a withdrawn member and
 * actions out of order are each refused with their code, and change nothing. The second process is
 * restarted in every state, and timed steps run in whichever process gets them, once.
 */

import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type AssessmentView,
  type AuditEntry,
  type BidderClarification,
  type CandidatesView,
  type CommitteeClarification,
  type CommitteeDrawView,
  type CommitteeEvent,
  type CommitteeStatus,
  type CommitteeView,
  clarificationAnswerText,
  defaultRatingForms,
  dissentText,
  type EvaluationClientEvents,
  type EvaluationReport,
  type EvaluationRequests,
  type EvaluationServerEvents,
  type OwnAssessment,
  type PoolExpert,
  type RatingFormView,
  type RatingSummary,
  type ReportView,
  type ReviewView,
  type SeatView,
  sendRequest,
} from '@bidhall/shared';
import { and, asc, eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { type Socket as ClientSocket, io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTar, writeTar } from '../../server/src/bundles/signed-bundle.ts';
import { signSmall } from '../../server/src/cms/signed-data.ts';
import {
  auditLog,
  bids,
  committeeMembers,
  expertServices,
  sheetDrafts,
  tenders,
} from '../../server/src/db/schema/index.ts';
import { type ReportBundleReport, verifyReportBundle } from '../../server/src/evaluation/report-bundle.ts';
import { type Answer, CommitteeMemberClient, call, loginWith, registerSeats } from '../support/committee.ts';
import { bidderNames, decryptedOpening, endWindow, signerOf } from '../support/hall.ts';
import { caPath, crlPath, issueFromDevCa, loadCert, platformPath } from '../support/pki.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const work = mkdtempSync(join(tmpdir(), 'bidhall-committee-'));
/** Both processes share Redis, as production's do: each one's broadcasts reach the other's followers. */
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = {
  REDIS_URL: redisUrl,
  REDIS_PREFIX: `bidhall-test-${randomBytes(4).toString('hex')}`,
  // Media tickets name an SFU per city; none is reached here.
  SFU_URLS: 'beijing=http://127.0.0.1:9,shanghai=http://127.0.0.1:9',
  MEDIA_TICKET_SECRET: 'x'.repeat(40),
};
let main: TestServer;
/** The second process: restarted (closed and started again) in every state. */
let second: TestServer;
let tokens: Record<'admin' | 'host' | 'supervisor' | 'tenderee' | 'bidder', string>;
let tenderId: string;
let bidderCodes: string[];
/** What the first test leaves for the next: the committee, its specification and its sitting members. */
let committeeSpec: Record<string, unknown>;
let firstCommittee: string;
let sittingMembers: CommitteeMemberClient[];
/** The third test's committee, reviewing with its leader named, for the review's test. */
let review: {
  id: string;
  tenderId: string;
  members: Map<string, CommitteeMemberClient>;
  leader: string;
  reserve: { id: string; client: CommitteeMemberClient };
  addressOf: Map<string, string>;
};
const clients: { close(): void }[] = [];

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const creditCode = (n: number) => `91110000${String(n).padStart(9, '0')}X`;

/** The pool: 40 experts, 20 in Beijing and 20 in Shanghai; one works for bidder1, one declared bidder2. */
function poolCsv(): string {
  const header =
    'code,name,identity,specialties,region,employerName,employerCreditCode,relations,status,suspendedUntil';
  const lines = Array.from({ length: 40 }, (_, i) => {
    const employer = i === 7 ? bidderCodes[0]! : creditCode(i % 9);
    const relations = i === 12 ? bidderCodes[1]! : '';
    return [
      `P${String(i + 1).padStart(3, '0')}`,
      `评标专家${i + 1}号`,
      `1101051980${String(100000 + i)}`,
      i % 2 ? 'A080101;A080102' : 'A080101',
      i < 20 ? 'beijing' : 'shanghai',
      `第${i % 9}设计研究院`,
      employer,
      relations,
      'active',
      '',
    ].join(',');
  });
  return [header, ...lines].join('\n');
}

/** The draw, recomputed here with nothing of the server's but the published inputs. */
function recompute(inputs: CommitteeDrawView): { members: string[]; reserves: string[] } {
  const candidates = inputs.snapshot.split('\n').map((line) => {
    const [code, specialties] = line.split('|') as [string, string];
    return { code, specialties: specialties.split(';') };
  });
  const snapshotHash = sha256(inputs.snapshot);
  const seed = `${inputs.platformSeed}:${inputs.supervisorSeed}`;
  const ticket = new Map(candidates.map((c) => [c.code, sha256(`${seed}:${snapshotHash}:${c.code}`)]));
  const order = [...candidates].sort((a, b) =>
    ticket.get(a.code)! === ticket.get(b.code)!
      ? a.code.localeCompare(b.code)
      : ticket.get(a.code)! < ticket.get(b.code)!
        ? -1
        : 1,
  );
  const taken = new Set<string>();
  const members: string[] = [];
  for (const quota of inputs.quotas) {
    for (const c of order
      .filter((x) => !taken.has(x.code) && x.specialties.includes(quota.specialty))
      .slice(0, quota.seats)) {
      taken.add(c.code);
      members.push(c.code);
    }
  }
  const reserves = order
    .filter((c) => !taken.has(c.code) && inputs.quotas.some((q) => c.specialties.includes(q.specialty)))
    .slice(0, inputs.reserves)
    .map((c) => c.code);
  return { members, reserves };
}

/** The audit entries of one action (with its outcome), in order. */
async function audited(action: string, outcome = 'ok'): Promise<AuditEntry[]> {
  const rows = await main.app.db.select({ entry: auditLog.entry }).from(auditLog).orderBy(asc(auditLog.seq));
  return rows
    .map((r) => JSON.parse(r.entry) as AuditEntry)
    .filter((e) => e.action === action && e.outcome === outcome);
}

const expectRefused = (answer: Answer<unknown>, code: string) =>
  expect([answer.status, answer.body.code]).toEqual([expect.any(Number), code]);

async function restartSecond(): Promise<void> {
  await second.close();
  second = await startTestServer({ shareWith: main, env: redis });
}

/** A company with a certificate of its own and no bid in these tenders (bidders register by logging in). */
let outsiderBidderToken: string | null = null;
async function outsiderBidder(): Promise<string> {
  // Issued once, before the clock runs days ahead: the dev CA's certificates live a day of real time.
  if (outsiderBidderToken) return outsiderBidderToken;
  const keys = issueFromDevCa('ca-a', {
    cn: '局外建设有限公司',
    o: '局外建设有限公司',
    serialNumber: '91110000000000999X',
  });
  outsiderBidderToken = await loginWith(main, keys.certPem, keys.keyPem, 'bidder');
  return outsiderBidderToken;
}

/** A live follower of a committee: joined over `/evaluation`, collecting every event in order. */
async function follow(token: string, committeeId: string, afterSeq?: number) {
  const socket: ClientSocket<EvaluationServerEvents, EvaluationClientEvents> = io(`${main.url}/evaluation`, {
    auth: { token },
    transports: ['websocket'],
    // Its own connection, not multiplexed on a hall client's.
    forceNew: true,
  });
  clients.push({ close: () => socket.close() });
  // Joined and live events may overlap around the join: kept once each, by sequence.
  const bySeq = new Map<number, CommitteeEvent>();
  socket.on('eval:event', (event) => bySeq.set(event.seq, event));
  const joined = await sendRequest<EvaluationRequests, 'eval:join'>(socket, 10_000, 'eval:join', {
    committeeId,
    ...(afterSeq === undefined ? {} : { afterSeq }),
  });
  for (const event of joined.events) bySeq.set(event.seq, event);
  return {
    socket,
    view: joined.view,
    get events() {
      return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    },
  };
}

/** Waits until the committee is in `status`, with both schedulers running. */
async function statusBecomes(committeeId: string, status: CommitteeStatus): Promise<CommitteeView> {
  for (let i = 0; i < 200; i++) {
    main.app.scheduler.poke();
    second.app.scheduler.poke();
    const view = (await call<CommitteeView>(main, tokens.supervisor, 'GET', `/api/committees/${committeeId}`))
      .body;
    if (view.status === status) return view;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`committee never became ${status}`);
}

beforeAll(async () => {
  main = await startTestServer({ listen: true, env: redis });
  tokens = {
    admin: (await main.login('admin', 'admin')).token,
    host: (await main.login('host', 'host')).token,
    supervisor: (await main.login('supervisor', 'supervisor')).token,
    tenderee: (await main.login('tenderee', 'tenderee')).token,
    bidder: (await main.login('bidder1', 'bidder')).token,
  };
  const opening = await decryptedOpening(main, work, bidderNames);
  clients.push(...opening.clients);
  tenderId = opening.tender.id;
  await endWindow(main, tenderId, opening.host);
  await opening.host.request('hall:announce', { tenderId });
  await opening.host.request('hall:open-record', { tenderId });
  second = await startTestServer({ shareWith: main, env: redis });
  // The bidders' identities are their unified social credit codes.
  bidderCodes = bidderNames.map((name) => loadCert(name, 'sign').identity!);
}, 180_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await second.close();
  await main.close();
  const client = new Redis(redisUrl);
  const keys = await client.keys(`${redis.REDIS_PREFIX}*`);
  if (keys.length) await client.del(...keys);
  await client.quit();
  rmSync(work, { recursive: true, force: true });
});

describe('the evaluation committee, from the draw to the leader', () => {
  it('is drawn verifiably, signs in at its seats, declares, replaces from the reserves and elects its leader', async () => {
    // The pool and the seats: 6 seats in Beijing's main venue, 4 in Shanghai's sub venue, each its own address.
    const imported = await main.app.inject({
      method: 'POST',
      url: '/api/experts/import',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'text/csv' },
      payload: poolCsv(),
    });
    expect(imported.statusCode).toBe(201);
    const seats = await registerSeats(main, tokens.admin, [
      { city: 'beijing', centre: '北京市公共资源交易中心', count: 6, net: '10.1.0' },
      { city: 'shanghai', centre: '上海市公共资源交易中心', count: 4, net: '10.2.0' },
    ]);
    const seatIds = { beijing: seats.ids.get('beijing')!, shanghai: seats.ids.get('shanghai')! };
    /** Each seat's address, by the label views give it (centre, room, seat). */
    const seatAddress = seats.addressOf;

    const now = main.clock.now().getTime();
    const spec = {
      tenderId,
      size: 7,
      representatives: 2,
      quotas: [
        { specialty: 'A080101', seats: 3 },
        { specialty: 'A080102', seats: 2 },
      ],
      venues: [
        { city: 'beijing', seatIds: seatIds.beijing },
        { city: 'shanghai', seatIds: seatIds.shanghai },
      ],
      reserves: 4,
      tendereeCreditCode: '91310000MA1TE00085',
      maxServicesForTenderee: 3,
      servicePeriodMonths: 12,
      leader: 'vote',
      signInOpensAt: new Date(now + 10 * 60_000).toISOString(),
      signInClosesAt: new Date(now + 40 * 60_000).toISOString(),
      reserveSignInMinutes: 30,
      suspensionDaysForIncompetent: 180,
      faultLimitBeforeReviewMinutes: 120,
      faultLimitDuringReviewMinutes: 240,
    };
    committeeSpec = spec;

    // Bad specifications change nothing: an even size, too many representatives, quotas that do not add up.
    for (const [change, key] of [
      [{ size: 8 }, 'committeeSizeEven'],
      [
        { representatives: 3, quotas: [{ specialty: 'A080101', seats: 4 }] },
        'committeeRepresentativesTooMany',
      ],
      [{ quotas: [{ specialty: 'A080101', seats: 4 }] }, 'committeeQuotasSum'],
      [{ venues: [{ city: 'shanghai', seatIds: seatIds.beijing }] }, 'committeeSeatCity'],
    ] as const) {
      const refused = await call(main, tokens.host, 'POST', '/api/committees', { ...spec, ...change });
      expect([refused.status, refused.body.code, refused.body.detail?.key]).toEqual([
        422,
        'COMMITTEE_INVALID',
        key,
      ]);
    }
    expect((await call<CommitteeView[]>(main, tokens.supervisor, 'GET', '/api/committees')).body).toEqual([]);

    const created = await call<CommitteeView>(main, tokens.host, 'POST', '/api/committees', spec);
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body.status).toBe('drawing');
    expect(created.body.platformSeedCommitment).toMatch(/^[0-9a-f]{64}$/);
    // Host and supervisor follow the committee live (eval:*); a bidder and an outside expert may not.
    const hostLive = await follow(tokens.host, created.body.id);
    const supervisorLive = await follow(tokens.supervisor, created.body.id);
    await expect(follow(tokens.bidder, created.body.id)).rejects.toMatchObject({ code: 'FORBIDDEN_ROLE' });
    expectRefused(await call(second, tokens.host, 'POST', '/api/committees', spec), 'COMMITTEE_INVALID');

    // The draw waits for the representatives; the tenderee names them (in the second process).
    const seed = randomBytes(32).toString('hex');
    expectRefused(
      await call(main, tokens.supervisor, 'POST', `/api/committees/${id}/draw`, { seed }),
      'COMMITTEE_WRONG_STATE',
    );
    const representatives = [
      { identity: 'REP-00000001', name: '招标人代表甲' },
      { identity: 'REP-00000002', name: '招标人代表乙' },
    ];
    expectRefused(
      await call(second, tokens.tenderee, 'POST', `/api/committees/${id}/representatives`, {
        representatives: representatives.slice(0, 1),
      }),
      'COMMITTEE_INVALID',
    );
    expect(
      (
        await call(second, tokens.tenderee, 'POST', `/api/committees/${id}/representatives`, {
          representatives,
        })
      ).status,
    ).toBe(200);
    await restartSecond();

    const drawn = await call<CommitteeDrawView>(
      second,
      tokens.supervisor,
      'POST',
      `/api/committees/${id}/draw`,
      { seed },
    );
    expect(drawn.status).toBe(200);
    const inputs = drawn.body;
    // Published inputs: the platform's seed matches the commitment made at creation; the exclusions have reasons.
    expect(sha256(inputs.platformSeed)).toBe(created.body.platformSeedCommitment);
    expect(inputs.supervisorSeed).toBe(seed);
    expect(inputs.exclusions).toEqual([
      { code: 'P008', reasons: ['sameEmployerAsBidder'] },
      { code: 'P013', reasons: ['relationWithBidder'] },
    ]);
    expect(inputs.snapshot.split('\n')).toHaveLength(38);
    expect(inputs.snapshot).not.toMatch(/P008|P013/);
    const independent = recompute(inputs);
    expect(inputs.members.map((m) => m.code)).toEqual(independent.members);
    expect(inputs.reservesDrawn.map((m) => m.code)).toEqual(independent.reserves);
    expectRefused(
      await call(main, tokens.supervisor, 'POST', `/api/committees/${id}/draw`, { seed }),
      'COMMITTEE_WRONG_STATE',
    );
    await restartSecond();

    // Sealed: the host sees commitments and seats, no names; the bidder sees nothing; supervisors see all.
    const hostView = (await call<CommitteeView>(main, tokens.host, 'GET', `/api/committees/${id}`)).body;
    expect(hostView.status).toBe('formed');
    expect(hostView.members.filter((m) => m.state === 'awaiting')).toHaveLength(7);
    expect(JSON.stringify(hostView)).not.toMatch(/评标专家|招标人代表|REP-|1101051980|P0\d\d/);
    expect((await call(main, tokens.bidder, 'GET', `/api/committees/${id}`)).status).toBe(403);
    const supervised = (await call<CommitteeView>(second, tokens.supervisor, 'GET', `/api/committees/${id}`))
      .body;
    const pool = (await call<PoolExpert[]>(main, tokens.supervisor, 'GET', '/api/experts')).body;
    const personOf = (code: string) => pool.find((e) => e.code === code)!;
    for (const member of supervised.members)
      if (member.kind === 'expert')
        expect(member.commitment).toBe(
          sha256(
            `${id}:${member.code}:${(await main.app.db.select({ nonce: committeeMembers.nonce }).from(committeeMembers).where(eq(committeeMembers.id, member.id)))[0]!.nonce}`,
          ),
        );
    // A member sits in its own city's venue where a seat is free there.
    for (const member of supervised.members.filter((m) => m.kind === 'expert' && m.state === 'awaiting'))
      expect(member.venue).toBe(personOf(member.code!).region);

    // Everyone who might sit gets an account (reserves too: they may be called).
    const people = new Map<string, CommitteeMemberClient>();
    for (const member of supervised.members) {
      const person =
        member.kind === 'expert'
          ? { name: personOf(member.code!).name, identity: personOf(member.code!).identity }
          : representatives.find((r) => r.name === member.name)!;
      people.set(member.id, await CommitteeMemberClient.register(main, tokens.admin, person));
    }
    const client = (memberId: string) => people.get(memberId)!;
    const seatOf = async (memberId: string) =>
      (await call<CommitteeView>(main, tokens.supervisor, 'GET', `/api/committees/${id}`)).body.members.find(
        (m) => m.id === memberId,
      )!.seat!;
    const atSeat = async (memberId: string) => {
      const c = client(memberId);
      c.address = seatAddress.get(await seatOf(memberId))!;
      return c;
    };

    // Out of order: signing in before sign-in opens.
    const first = supervised.members.find((m) => m.state === 'awaiting')!;
    expectRefused(await (await atSeat(first.id)).signIn(id), 'COMMITTEE_WRONG_STATE');
    // An expert not on the committee (a second import of the pool would not make one) cannot read it.
    const outsider = await CommitteeMemberClient.register(main, tokens.admin, {
      name: '局外专家',
      identity: 'OUT-00000001',
    });
    expect((await outsider.view(id)).status).toBe(403);

    main.clock.set(new Date(now + 10 * 60_000 + 1000));
    await statusBecomes(id, 'signing-in');
    await restartSecond();

    // Every awaited member but one signs in at its seat; one first tries from another network.
    const seated = supervised.members.filter((m) => m.state === 'awaiting');
    const late = seated.find((m) => m.kind === 'expert')!;
    const wandering = client(seated[1]!.id);
    wandering.address = '192.168.7.7';
    const refusedAtHome = await wandering.signIn(id, second);
    expect([refusedAtHome.status, refusedAtHome.body.code]).toEqual([403, 'COMMITTEE_NOT_AT_SEAT']);
    for (const [i, member] of seated.entries()) {
      if (member.id === late.id) continue;
      const answer = await (await atSeat(member.id)).signIn(id, i % 2 ? second : main);
      expect(answer.status).toBe(200);
    }
    expectRefused(await client(seated[1]!.id).signIn(id), 'COMMITTEE_WRONG_STATE');
    // A reserve not yet called cannot sign in.
    const standby = supervised.members.filter((m) => m.state === 'standby');
    expect(standby).toHaveLength(4);
    expectRefused(await client(standby[0]!.id).signIn(id), 'COMMITTEE_NOT_MEMBER');
    await restartSecond();

    // The sign-in deadline passes with one member absent: the first reserve of its specialty is called.
    main.clock.set(new Date(now + 40 * 60_000 + 1000));
    let view: CommitteeView = supervised;
    for (let i = 0; i < 200; i++) {
      main.app.scheduler.poke();
      second.app.scheduler.poke();
      view = (await call<CommitteeView>(main, tokens.supervisor, 'GET', `/api/committees/${id}`)).body;
      if (view.members.find((m) => m.id === late.id)!.state === 'absent') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const called = view.members.find((m) => m.replaces === late.id)!;
    const expectedReserve = standby.find((m) => m.specialty === late.specialty)!;
    expect(called.id).toBe(expectedReserve.id);
    expect(called.state).toBe('awaiting');
    expectRefused(await client(late.id).signIn(id), 'COMMITTEE_MEMBER_ENDED');
    expect(await audited('committee.sign-in-deadline')).toHaveLength(1);
    expect((await (await atSeat(called.id)).signIn(id, second)).status).toBe(200);
    view = await statusBecomes(id, 'declaring');
    await restartSecond();

    // Declarations: one member has a conflict and withdraws; the next reserve of its specialty is called.
    const sitting = () => view.members.filter((m) => ['signed-in', 'declared', 'awaiting'].includes(m.state));
    const conflicted = sitting().find((m) => m.kind === 'expert' && m.id !== called.id)!;
    // Declaring without signing is refused (a signature over other choices does not verify).
    const forged = await client(conflicted.id).request('POST', `/api/committees/${id}/declaration`, {
      conflict: false,
      statement: '',
      signature: Buffer.from('not a signature').toString('base64'),
    });
    expect([forged.status, forged.body.code]).toEqual([422, 'DECLARATION_INVALID']);
    // Nothing of the refused declaration is kept.
    const untouched = (await call<CommitteeView>(main, tokens.supervisor, 'GET', `/api/committees/${id}`))
      .body;
    expect(untouched.members.find((m) => m.id === conflicted.id)).toMatchObject({
      state: 'signed-in',
      declaredAt: null,
    });
    const withdrawn = await client(conflicted.id).declare(id, {
      conflict: true,
      statement: '本人曾在投标人处任职，申请回避',
    });
    expect(withdrawn.body).toEqual({ declared: true, withdrawn: true });
    expectRefused(
      await client(conflicted.id).declare(id, { conflict: false, statement: '' }),
      'COMMITTEE_MEMBER_ENDED',
    );
    view = (await call<CommitteeView>(main, tokens.supervisor, 'GET', `/api/committees/${id}`)).body;
    const second2 = view.members.find((m) => m.replaces === conflicted.id)!;
    expect(second2.specialty).toBe(conflicted.specialty);
    expect(second2.drawOrder).toBe(
      Math.min(
        ...view.members
          .filter((m) => m.state === 'standby' || m.id === second2.id)
          .filter((m) => m.specialty === conflicted.specialty)
          .map((m) => m.drawOrder!),
      ),
    );
    for (const member of sitting().filter((m) => m.state === 'signed-in')) {
      const answer = await client(member.id).declare(
        id,
        { conflict: false, statement: '' },
        member.drawOrder! % 2 ? main : second,
      );
      expect(answer.status).toBe(200);
    }
    await restartSecond();
    expect((await (await atSeat(second2.id)).signIn(id, second)).status).toBe(200);
    expect((await client(second2.id).declare(id, { conflict: false, statement: '' })).status).toBe(200);
    view = await statusBecomes(id, 'electing');
    await restartSecond();

    // The leader vote: a tie in round 1 (3–3–1), a second round among the two tied only.
    const voters = view.members.filter((m) => m.state === 'declared');
    expect(voters).toHaveLength(7);
    const [a, b, c] = voters;
    const round1 = [a, a, a, b, b, b, c];
    expectRefused(await client(voters[0]!.id).vote(id, 1, late.id), 'VOTE_INVALID');
    expectRefused(await client(voters[0]!.id).vote(id, 2, a!.id), 'VOTE_INVALID');
    for (const [i, voter] of voters.entries()) {
      const answer = await client(voter.id).vote(id, 1, round1[i]!.id, i % 2 ? main : second);
      expect(answer.status).toBe(200);
      if (i === 0) expectRefused(await client(voter.id).vote(id, 1, b!.id), 'VOTE_REPEATED');
    }
    view = (await call<CommitteeView>(main, tokens.host, 'GET', `/api/committees/${id}`)).body;
    expect(view.status).toBe('electing');
    expect(view.election[0]!.counts).toEqual(
      expect.arrayContaining([
        { memberId: a!.id, votes: 3 },
        { memberId: b!.id, votes: 3 },
        { memberId: c!.id, votes: 1 },
      ]),
    );
    expect(view.election[1]).toMatchObject({ round: 2, counts: null });
    expect([...view.election[1]!.candidates].sort()).toEqual([a!.id, b!.id].sort());
    expectRefused(await client(voters[0]!.id).vote(id, 2, c!.id), 'VOTE_INVALID');
    await restartSecond();
    for (const [i, voter] of voters.entries())
      expect((await client(voter.id).vote(id, 2, (i < 4 ? a : b)!.id, i % 2 ? second : main)).status).toBe(
        200,
      );
    view = await statusBecomes(id, 'reviewing');
    expect(view.members.find((m) => m.leader)!.id).toBe(a!.id);
    expect(view.election[1]!.counts).toEqual(
      expect.arrayContaining([
        { memberId: a!.id, votes: 4 },
        { memberId: b!.id, votes: 3 },
      ]),
    );
    // Nobody, supervisors included, can tell from the audit whom a member voted for.
    const votes = await audited('committee.vote');
    expect(votes).toHaveLength(14);
    for (const entry of votes)
      expect(Object.keys(entry.detail as object).sort()).toEqual(['member', 'round']);

    // The bid documents: every member reads one at its seat; each read is audited; nobody else reads.
    for (const [i, voter] of voters.entries()) {
      const reader = client(voter.id);
      const list = await reader.request<
        { bidId: string; bidder: string; files: { index: number; path: string; bytes: number }[] }[]
      >('GET', `/api/committees/${id}/documents`, undefined, i % 2 ? second : main);
      expect(list.status).toBe(200);
      expect(list.body).toHaveLength(4);
      const bid = list.body[i % 4]!;
      expect(bid.files.length).toBeGreaterThan(0);
      const file = await (i % 2 ? second : main).app.inject({
        method: 'GET',
        url: `/api/committees/${id}/documents/${bid.bidId}/files/${bid.files[0]!.index}`,
        remoteAddress: reader.address,
        headers: { authorization: `Bearer ${reader.token}` },
      });
      expect(file.statusCode).toBe(200);
      expect(file.rawPayload.length).toBe(bid.files[0]!.bytes);
    }
    const reads = await audited('committee.read-document');
    expect(reads.map((r) => (r.detail as { member: string }).member).sort()).toEqual(
      voters.map((v) => v.id).sort(),
    );
    const reader = client(voters[0]!.id);
    const home = await call(
      main,
      reader.token,
      'GET',
      `/api/committees/${id}/documents`,
      undefined,
      '192.168.7.7',
    );
    expect([home.status, home.body.code]).toEqual([403, 'COMMITTEE_NOT_AT_SEAT']);
    for (const token of [tokens.host, tokens.supervisor, tokens.bidder, tokens.tenderee])
      expect((await call(main, token, 'GET', `/api/committees/${id}/documents`)).status).toBe(403);
    expect((await outsider.request('GET', `/api/committees/${id}/documents`)).status).toBe(403);
    expect((await client(conflicted.id).request('GET', `/api/committees/${id}/documents`)).status).toBe(403);
    // The video room too: a member joins its venue from its own seat, not from another seat of the venue.
    const venueOf = (m: { venue: string | null }) =>
      m.venue === 'beijing' ? `eval:${view.evaluationId}:main` : `eval:${view.evaluationId}:sub:${m.venue}`;
    const places = view.members.filter((m) => voters.some((v) => v.id === m.id));
    const readerPlace = places.find((m) => places.some((n) => n.venue === m.venue && n.id !== m.id))!;
    const neighbour = places.find((m) => m.venue === readerPlace.venue && m.id !== readerPlace.id)!;
    const viewer = client(readerPlace.id);
    const ticket = await viewer.request('POST', '/api/media/tickets', { venue: venueOf(readerPlace) });
    expect(ticket.status).toBe(200);
    const elsewhere = await call(
      main,
      viewer.token,
      'POST',
      '/api/media/tickets',
      { venue: venueOf(readerPlace) },
      seatAddress.get(neighbour.seat!),
    );
    expect([elsewhere.status, elsewhere.body.code]).toEqual([403, 'MEDIA_NOT_AT_SEAT']);
    const record = await reader.request<{ text: string }>('GET', `/api/committees/${id}/opening-record`);
    expect(record.status).toBe(200);
    expect(JSON.parse(record.body.text).bids).toHaveLength(4);

    // A member sees the names of those it sits with, as in the video room; reserves, the absent and the
    // withdrawn stay sealed to it.
    const own = (await reader.view(id)).body;
    expect(
      own.members
        .filter((m) => m.name !== undefined)
        .map((m) => m.id)
        .sort(),
    ).toEqual(voters.map((v) => v.id).sort());

    // Who sees what: every committee route, the tender's audit feed and the actors list, for every viewer.
    // Names, ID numbers and pool numbers of the members reach supervisors, and each member its own only.
    const secretsOf = (memberId: string) => {
      const m =
        supervised.members.find((x) => x.id === memberId) ?? view.members.find((x) => x.id === memberId)!;
      const person = people.get(memberId)!;
      return [person.name, person.identity, ...(m.code ? [m.code] : [])];
    };
    const everyone = view.members.map((m) => m.id);
    const viewers: { name: string; token: string; own: string | null; address?: string }[] = [
      { name: 'bidder', token: tokens.bidder, own: null },
      { name: 'host', token: tokens.host, own: null },
      { name: 'tenderee', token: tokens.tenderee, own: null },
      { name: 'custodian', token: (await main.login('custodian1', 'custodian')).token, own: null },
      { name: 'admin', token: tokens.admin, own: null },
      { name: 'expert not on the committee', token: outsider.token, own: null },
      { name: 'member', token: reader.token, own: voters[0]!.id, address: reader.address },
    ];
    const sample = (url: string) =>
      url
        .replace(':committeeId', id)
        .replace(':bidId', '00000000-0000-4000-8000-000000000001')
        .replace(':index', '0');
    const paths = [
      ...main.app.routeList
        .filter((r) => r.url.startsWith('/api/committees'))
        .map((r) => ({ method: r.method as 'GET' | 'POST' | 'PUT', url: sample(r.url) })),
      { method: 'GET' as const, url: `/api/tenders/${tenderId}/audit?after=0` },
      { method: 'GET' as const, url: `/api/tenders/${tenderId}/audit/export?format=json` },
      // The committee's video room.
      { method: 'GET' as const, url: '/api/evaluations' },
      { method: 'GET' as const, url: `/api/evaluations/${view.evaluationId}` },
      { method: 'GET' as const, url: '/api/media/venues' },
    ];
    for (const viewer of viewers) {
      const sitsWith = viewer.own ? voters.map((v) => v.id) : [];
      const forbidden = everyone.filter((m) => !sitsWith.includes(m)).flatMap(secretsOf);
      for (const path of paths) {
        const answer = await main.app.inject({
          method: path.method,
          url: path.url,
          remoteAddress: viewer.address ?? '127.0.0.1',
          headers: { authorization: `Bearer ${viewer.token}` },
          ...(path.method === 'GET' ? {} : { payload: {} }),
        });
        const leaked = forbidden.filter((secret) => answer.body.includes(secret));
        expect(leaked, `${path.method} ${path.url} shows the ${viewer.name} ${leaked.join(', ')}`).toEqual(
          [],
        );
      }
    }
    // The live channel carried every step, sealed, in sequence; a late joiner catches up from a sequence.
    await expect
      .poll(() =>
        hostLive.events.some(
          (e) => e.type === 'status' && (e.data as { status: string }).status === 'reviewing',
        ),
      )
      .toBe(true);
    expect(hostLive.events.map((e) => e.seq)).toEqual(hostLive.events.map((_, i) => i + 1));
    expect(supervisorLive.events.map((e) => e.seq)).toEqual(hostLive.events.map((e) => e.seq));
    const leaks = everyone
      .flatMap(secretsOf)
      .filter((secret) => JSON.stringify(hostLive.events).includes(secret));
    expect(leaks).toEqual([]);
    const lateFollower = await follow(tokens.tenderee, id, 5);
    expect(lateFollower.events.map((e) => e.seq)[0]).toBe(6);
    await expect(follow(outsider.token, id)).rejects.toMatchObject({ code: 'COMMITTEE_NOT_MEMBER' });

    firstCommittee = id;
    sittingMembers = voters.map((v) => client(v.id));
    const overseen = JSON.stringify(
      (await call(main, tokens.supervisor, 'GET', `/api/committees/${id}`)).body,
    );
    for (const member of everyone) expect(overseen).toContain(people.get(member)!.name);
  }, 240_000);

  it('is suspended by a fault, resumes where it was, and is re-formed once a fault outlasts its limit', async () => {
    const id = firstCommittee;
    // The review recorded each sitting expert's service for this tenderee (later draws' exclusion).
    const served = await main.app.db
      .select()
      .from(expertServices)
      .where(eq(expertServices.tenderId, tenderId));
    expect(served.map((s) => s.tendereeCreditCode)).toEqual(Array(5).fill('91310000MA1TE00085'));

    expectRefused(
      await call(main, tokens.bidder, 'POST', `/api/committees/${id}/fault`, { reason: '网络中断' }),
      'FORBIDDEN_ROLE',
    );
    expectRefused(
      await call(main, tokens.host, 'POST', `/api/committees/${id}/resume`, { reason: '恢复' }),
      'COMMITTEE_WRONG_STATE',
    );
    const fault = await call<{ limitAt: string }>(
      second,
      tokens.supervisor,
      'POST',
      `/api/committees/${id}/fault`,
      {
        reason: '上海分会场网络中断',
      },
    );
    expect(fault.status).toBe(200);
    const faultAt = main.clock.now().getTime();
    // During the review the longer limit applies (4 h).
    expect(Date.parse(fault.body.limitAt) - faultAt).toBeGreaterThan(239 * 60_000);
    await restartSecond();
    let view = (await call<CommitteeView>(main, tokens.host, 'GET', `/api/committees/${id}`)).body;
    expect([view.status, view.fault?.from, view.fault?.reason]).toEqual([
      'suspended',
      'reviewing',
      '上海分会场网络中断',
    ]);
    // Suspended, nothing moves: reading the documents waits for the fault to be over.
    const member = sittingMembers[0]!;
    expectRefused(await member.request('GET', `/api/committees/${id}/documents`), 'COMMITTEE_WRONG_STATE');
    expect(
      (await call(main, tokens.host, 'POST', `/api/committees/${id}/resume`, { reason: '网络已恢复' }))
        .status,
    ).toBe(200);
    view = (await call<CommitteeView>(second, tokens.supervisor, 'GET', `/api/committees/${id}`)).body;
    expect([view.status, view.fault]).toEqual(['reviewing', null]);
    expect((await member.request('GET', `/api/committees/${id}/documents`)).status).toBe(200);

    // A second fault outlasts its limit: the committee is re-formed, once, by whichever process is up.
    expect(
      (await call(main, tokens.supervisor, 'POST', `/api/committees/${id}/fault`, { reason: '主会场停电' }))
        .status,
    ).toBe(200);
    await restartSecond();
    main.clock.set(new Date(main.clock.now().getTime() + 241 * 60_000));
    view = await statusBecomes(id, 're-formed');
    expect(await audited('committee.re-form')).toHaveLength(1);
    expectRefused(
      await call(main, tokens.supervisor, 'POST', `/api/committees/${id}/resume`, { reason: '恢复' }),
      'COMMITTEE_WRONG_STATE',
    );

    // The host forms it again; a specification the pool cannot fill is refused at the draw, and nothing is half-saved.
    const now = main.clock.now().getTime();
    const again = await call<CommitteeView>(main, tokens.host, 'POST', '/api/committees', {
      ...committeeSpec,
      size: 7,
      representatives: 0,
      quotas: [{ specialty: 'B010101', seats: 7 }],
      signInOpensAt: new Date(now + 10 * 60_000).toISOString(),
      signInClosesAt: new Date(now + 40 * 60_000).toISOString(),
    });
    expect(again.status).toBe(201);
    const short = await call(second, tokens.supervisor, 'POST', `/api/committees/${again.body.id}/draw`, {
      seed: randomBytes(32).toString('hex'),
    });
    expect([short.status, short.body.code, short.body.detail?.params]).toEqual([
      409,
      'COMMITTEE_DRAW_SHORT',
      { specialty: 'B010101', missing: 7 },
    ]);
    const after = (
      await call<CommitteeView>(main, tokens.supervisor, 'GET', `/api/committees/${again.body.id}`)
    ).body;
    expect([after.status, after.members, after.drawnAt, after.snapshotSha256]).toEqual([
      'drawing',
      [],
      null,
      null,
    ]);
    const refusedDraws = await audited('committee.draw', 'COMMITTEE_DRAW_SHORT');
    expect(refusedDraws).toHaveLength(1);
  }, 120_000);

  it('lets the tenderee name the leader where the tender says so, and excludes experts who served it too often', async () => {
    // The opening draws the benchmark's coefficient (下浮系数), which the review's price score uses.
    const opening = await decryptedOpening(main, work, ['bidder1', 'bidder2', 'bidder3', 'bidder4'], {
      draw: { label: { zh: '下浮系数', en: 'Coefficient' }, options: ['0.95', '0.96', '0.97', '0.98'] },
    });
    clients.push(...opening.clients);
    const tender = opening.tender.id;
    await endWindow(main, tender, opening.host);
    await opening.host.request('hall:announce', { tenderId: tender });
    const seats = (await call<SeatView[]>(main, tokens.supervisor, 'GET', '/api/seats')).body;
    const addressOf = new Map(
      seats.map((seat) => [`${seat.centre} ${seat.room} ${seat.seat}`, seat.cidr.split('/')[0]!]),
    );
    const now = main.clock.now().getTime();
    const created = await call<CommitteeView>(main, tokens.host, 'POST', '/api/committees', {
      ...committeeSpec,
      tenderId: tender,
      size: 7,
      representatives: 0,
      quotas: [{ specialty: 'A080101', seats: 7 }],
      venues: ['beijing', 'shanghai'].map((city) => ({
        city,
        seatIds: seats.filter((seat) => seat.city === city).map((seat) => seat.id),
      })),
      reserves: 1,
      maxServicesForTenderee: 0,
      leader: 'tenderee',
      signInOpensAt: new Date(now + 60_000).toISOString(),
      signInClosesAt: new Date(now + 30 * 60_000).toISOString(),
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const drawn = await call<CommitteeDrawView>(
      second,
      tokens.supervisor,
      'POST',
      `/api/committees/${id}/draw`,
      {
        seed: randomBytes(32).toString('hex'),
      },
    );
    // The five who served this tenderee in the first evaluation are out, for that reason.
    const servedCodes = (await call<PoolExpert[]>(main, tokens.supervisor, 'GET', '/api/experts')).body
      .filter((e) => sittingMembers.some((m) => m.identity === e.identity))
      .map((e) => e.code)
      .sort();
    expect(servedCodes).toHaveLength(5);
    expect(
      drawn.body.exclusions
        .filter((e) => e.reasons.includes('servedTendereeTooOften'))
        .map((e) => e.code)
        .sort(),
    ).toEqual(servedCodes);
    expect(drawn.body.members.map((m) => m.code).some((code) => servedCodes.includes(code))).toBe(false);

    const pool = (await call<PoolExpert[]>(main, tokens.supervisor, 'GET', '/api/experts')).body;
    const members = new Map<string, CommitteeMemberClient>();
    const view = (await call<CommitteeView>(main, tokens.supervisor, 'GET', `/api/committees/${id}`)).body;
    let reserve: { id: string; client: CommitteeMemberClient } | null = null;
    for (const member of view.members) {
      const person = pool.find((e) => e.code === member.code)!;
      const client = await CommitteeMemberClient.register(main, tokens.admin, {
        name: person.name,
        identity: person.identity,
      });
      if (member.state === 'standby') {
        reserve = { id: member.id, client };
        continue;
      }
      client.address = addressOf.get(member.seat!)!;
      members.set(member.id, client);
    }
    main.clock.set(new Date(now + 61_000));
    await statusBecomes(id, 'signing-in');
    for (const client of members.values()) expect((await client.signIn(id)).status).toBe(200);
    for (const client of members.values())
      expect((await client.declare(id, { conflict: false, statement: '' }, second)).status).toBe(200);
    const electing = await statusBecomes(id, 'electing');
    expect(electing.election).toEqual([]);
    const [first, chosen] = [...members.keys()];
    // The tender says the tenderee names the leader: there is no vote, and only the tenderee names.
    expectRefused(await members.get(first!)!.vote(id, 1, chosen!), 'COMMITTEE_WRONG_STATE');
    expectRefused(
      await call(main, tokens.host, 'POST', `/api/committees/${id}/leader`, { memberId: chosen }),
      'FORBIDDEN_ROLE',
    );
    expectRefused(
      await call(main, tokens.tenderee, 'POST', `/api/committees/${id}/leader`, {
        memberId: sittingMembers.length ? id : id,
      }),
      'COMMITTEE_INVALID',
    );
    expect(
      (await call(second, tokens.tenderee, 'POST', `/api/committees/${id}/leader`, { memberId: chosen }))
        .status,
    ).toBe(200);
    const reviewing = await statusBecomes(id, 'reviewing');
    expect(reviewing.members.filter((m) => m.leader).map((m) => m.id)).toEqual([chosen]);
    review = { id, tenderId: tender, members, leader: chosen!, reserve: reserve!, addressOf };
  }, 180_000);

  it('reviews in stages: pass/fail by majority with Art 51 grounds, scores with abnormal ones sent back, the price score computed', async () => {
    const { id, members, leader } = review;
    const ids = [...members.keys()];
    const memberOf = (i: number) => members.get(ids[i]!)!;
    const label = (zh: string) => ({ zh, en: zh });
    const plan = {
      qualification: [{ key: 'licence', label: label('营业执照及资质证书') }],
      compliance: [{ key: 'validity', label: label('投标有效期') }],
      method: 'comprehensive',
      criteria: [
        { key: 'design', label: label('施工组织设计'), part: 'technical', max: 30 },
        { key: 'schedule', label: label('进度计划'), part: 'technical', max: 20 },
        { key: 'service', label: label('售后服务'), part: 'commercial', max: 10 },
      ],
      price: {
        field: 'price',
        maxPoints: 40,
        applyDrawnCoefficient: true,
        pointsPerPercentAbove: 1,
        pointsPerPercentBelow: 0.5,
      },
      abnormalPercentOfRange: 20,
      aggregation: 'mean',
      candidates: 3,
      tieBreak: 'higher-technical',
      reviewMinutes: 240,
      extensionMinutes: 60,
      signingMinutes: 60,
    };
    const put = (body: object, token = tokens.host) =>
      main.app.inject({
        method: 'PUT',
        url: `/api/committees/${id}/plan`,
        headers: { authorization: `Bearer ${token}` },
        payload: body,
      });
    for (const [change, key] of [
      [{ price: { ...plan.price, maxPoints: 30 } }, 'planPointsTotal'],
      [{ price: { ...plan.price, field: 'duration' } }, 'planPriceField'],
    ] as const) {
      const refused = await put({ ...plan, ...change });
      expect([refused.statusCode, refused.json().code, refused.json().detail.key]).toEqual([
        422,
        'REVIEW_PLAN_INVALID',
        key,
      ]);
    }
    expect((await put(plan)).statusCode).toBe(200);
    // A restart of the second process in every state of the review: nothing is lost, timed steps catch up.
    await restartSecond();

    const bidRows = await main.app.db
      .select({ id: bids.id, summary: bids.summaryFields, bidderId: bids.bidderId })
      .from(bids)
      .where(and(eq(bids.tenderId, review.tenderId), eq(bids.status, 'submitted')));
    const bidIds = bidRows.map((b) => b.id).sort();
    const rejectedBid = bidIds[0]!;
    // Odd members' sheets go to the second process, even members' to the first.
    const sheet = (i: number, stage: string, marks: object[]) =>
      memberOf(i).request('POST', `/api/committees/${id}/sheets`, { stage, marks }, i % 2 ? second : main);
    const passFail = (key: string, failing: boolean) =>
      bidIds.map((bidId) =>
        failing && bidId === rejectedBid
          ? { bidId, key, pass: false, ground: 'unqualified', reason: '资质证书已过有效期' }
          : { bidId, key, pass: true, reason: '' },
      );

    // Bad sheets change nothing: a bid left out, a fail without its ground, the wrong stage.
    const missing = await sheet(0, 'qualification', passFail('licence', false).slice(1));
    expect([missing.body.code, missing.body.detail?.key]).toEqual(['SHEET_INVALID', 'sheetMissingMark']);
    const groundless = await sheet(0, 'qualification', [
      ...passFail('licence', false).slice(1),
      { bidId: rejectedBid, key: 'licence', pass: false, reason: '不合格' },
    ]);
    expect([groundless.body.code, groundless.body.detail?.key]).toEqual([
      'SHEET_INVALID',
      'sheetFailNeedsGround',
    ]);
    expectRefused(await sheet(0, 'detailed', passFail('licence', false)), 'COMMITTEE_WRONG_STATE');
    // Qualification: three of five fail the first bid on the licence: it is rejected, with the ground.
    for (let i = 0; i < 7; i++) {
      expect((await sheet(i, 'qualification', passFail('licence', i < 4))).status).toBe(200);
      if (i === 0) {
        expectRefused(await sheet(0, 'qualification', passFail('licence', true)), 'SHEET_SUBMITTED');
        // Before the stage closes, a member sees its own sheet only.
        const own = (await memberOf(1).request<ReviewView>('GET', `/api/committees/${id}/review`)).body;
        expect(own.sheets).toEqual([]);
      }
    }
    let state = (await memberOf(1).request<ReviewView>('GET', `/api/committees/${id}/review`)).body;
    expect(state.stage).toBe('compliance');
    await restartSecond();
    expect(state.sheets).toHaveLength(7);
    expect(state.results[0]!.rejected).toEqual([
      {
        bidId: rejectedBid,
        items: ['licence'],
        grounds: ['unqualified'],
        reasons: Array(4).fill('资质证书已过有效期'),
      },
    ]);
    // The leader asks to reopen the qualification (重评); a supervisor rejects, then approves a second request.
    const leaderClient = members.get(leader)!;
    const others = ids.filter((m) => m !== leader && m !== ids[3] && m !== ids[4]);
    const reopen = (stage: string, by = leaderClient) =>
      by.request('POST', `/api/committees/${id}/reopen`, { stage, reason: '资质证书有效期需对照原件复核' });
    const decide = (approve: boolean, token = tokens.supervisor) =>
      call(main, token, 'POST', `/api/committees/${id}/reopen/decision`, {
        approve,
        reason: approve ? '同意重评' : '理由不充分',
      });
    expectRefused(await decide(true), 'COMMITTEE_WRONG_STATE');
    expectRefused(await reopen('compliance'), 'COMMITTEE_WRONG_STATE');
    expectRefused(await reopen('qualification', members.get(others[0]!)!), 'NOT_LEADER');
    expect((await reopen('qualification')).status).toBe(200);
    expectRefused(await reopen('qualification'), 'COMMITTEE_WRONG_STATE');
    expectRefused(await decide(true, tokens.host), 'FORBIDDEN_ROLE');
    expect((await decide(false)).body).toEqual({ reopened: false });
    expect((await reopen('qualification')).status).toBe(200);
    expect((await decide(true)).body).toEqual({ reopened: true });
    state = (await memberOf(1).request<ReviewView>('GET', `/api/committees/${id}/review`)).body;
    expect([state.stage, state.results]).toEqual(['qualification', []]);
    expect(state.sheets.filter((x) => x.memberId === ids[1])).toMatchObject([
      { status: 'returned', note: '资质证书有效期需对照原件复核' },
    ]);
    // Each member confirms its sheet or revises it; the stage closes again when all have.
    expect((await sheet(0, 'qualification', passFail('licence', true))).status).toBe(200);
    for (let i = 1; i < 7; i++)
      expect(
        (
          await memberOf(i).request('POST', `/api/committees/${id}/sheets/confirm`, {
            reason: '复核原件后维持原意见',
          })
        ).status,
      ).toBe(200);
    state = (await memberOf(1).request<ReviewView>('GET', `/api/committees/${id}/review`)).body;
    expect(state.stage).toBe('compliance');
    expect(state.results.map((r) => r.rejected.map((x) => x.bidId))).toEqual([[rejectedBid]]);
    expect(await audited('committee.reopen-decision')).toHaveLength(2);

    const remaining = bidIds.slice(1);
    // A sheet's draft is saved on the server as it is typed: the member's own, at its seat, for the
    // running stage and its bids only; nobody else sees it, and it is gone once the sheet is in.
    const draftUrl = `/api/committees/${id}/sheets/draft`;
    const draftMarks = [{ bidId: remaining[0]!, key: 'validity', pass: false, reason: '有效期不足' }];
    const saved = await memberOf(0).request<{ savedAt: string }>('PUT', draftUrl, {
      stage: 'compliance',
      marks: draftMarks,
    });
    expect([saved.status, typeof saved.body.savedAt]).toEqual([200, 'string']);
    expectRefused(
      await memberOf(0).request('PUT', draftUrl, { stage: 'qualification', marks: [] }),
      'COMMITTEE_WRONG_STATE',
    );
    expectRefused(
      await memberOf(0).request('PUT', draftUrl, {
        stage: 'compliance',
        marks: [{ bidId: rejectedBid, key: 'validity', pass: true, reason: '' }],
      }),
      'SHEET_INVALID',
    );
    const seatAddress = memberOf(0).address;
    memberOf(0).address = '192.0.2.77';
    expectRefused(
      await memberOf(0).request('PUT', draftUrl, { stage: 'compliance', marks: [] }),
      'COMMITTEE_NOT_AT_SEAT',
    );
    memberOf(0).address = seatAddress;
    expectRefused(
      await call(main, tokens.supervisor, 'PUT', draftUrl, { stage: 'compliance', marks: [] }),
      'FORBIDDEN_ROLE',
    );
    const ownDraft = (
      await memberOf(0).request<ReviewView>('GET', `/api/committees/${id}/review`, undefined, second)
    ).body.draft;
    expect(ownDraft).toMatchObject({ stage: 'compliance', marks: draftMarks });
    expect(
      (await memberOf(1).request<ReviewView>('GET', `/api/committees/${id}/review`)).body.draft,
    ).toBeNull();
    expect(
      (await call<ReviewView>(main, tokens.supervisor, 'GET', `/api/committees/${id}/review`)).body.draft,
    ).toBeNull();
    expect(await audited('committee.save-draft')).toHaveLength(0);
    expect(await audited('committee.save-draft', 'COMMITTEE_NOT_AT_SEAT')).toHaveLength(1);
    for (let i = 0; i < 7; i++)
      expect(
        (
          await sheet(
            i,
            'compliance',
            remaining.map((bidId) => ({ bidId, key: 'validity', pass: true, reason: '' })),
          )
        ).status,
      ).toBe(200);
    expect(await main.app.db.select().from(sheetDrafts)).toEqual([]);

    // Clarifications (Art 52): the leader asks, a supervisor approves or rejects, the bidder answers in time
    // (signed, with a file) or too late; a bidder cannot open one, and never learns who asked.
    const bidderOf = new Map<string, { name: string; token: string }>();
    for (const name of ['bidder1', 'bidder2', 'bidder3', 'bidder4']) {
      const login = await main.login(name, 'bidder');
      const own = bidRows.find((b) => b.bidderId === login.actor.id);
      if (own) bidderOf.set(own.id, { name, token: login.token });
    }
    const [first, secondBid] = remaining as [string, string];
    const bidderA = bidderOf.get(first)!;
    const bidderB = bidderOf.get(secondBid)!;
    const followA = io(`${main.url}/evaluation`, {
      auth: { token: bidderA.token },
      transports: ['websocket'],
      forceNew: true,
    });
    clients.push({ close: () => followA.close() });
    const pushed: BidderClarification[] = [];
    followA.on('eval:clarification', (c) => pushed.push(c));
    await sendRequest<EvaluationRequests, 'eval:clarifications'>(followA, 10_000, 'eval:clarifications', {
      tenderId: review.tenderId,
    });
    const ask = (bidId: string, question: string, answerMinutes: number) =>
      leaderClient.request<{ clarificationId: string }>('POST', `/api/committees/${id}/clarifications`, {
        bidId,
        question,
        answerMinutes,
      });
    expectRefused(
      await call(main, bidderA.token, 'POST', `/api/committees/${id}/clarifications`, {
        bidId: first,
        question: '我方愿意补充说明报价构成',
        answerMinutes: 30,
      }),
      'FORBIDDEN_ROLE',
    );
    expectRefused(
      await members.get(others[0]!)!.request('POST', `/api/committees/${id}/clarifications`, {
        bidId: first,
        question: '请说明',
        answerMinutes: 30,
      }),
      'NOT_LEADER',
    );
    const q1 = (await ask(first, '请说明投标报价中措施费的计算依据', 30)).body.clarificationId;
    const q2 = (await ask(secondBid, '请说明项目经理的在岗安排', 10)).body.clarificationId;
    const q3 = (await ask(secondBid, '贵公司能否再降价百分之五', 10)).body.clarificationId;
    const decideOn = (clarificationId: string, approve: boolean, reason: string) =>
      call(
        main,
        tokens.supervisor,
        'POST',
        `/api/committees/${id}/clarifications/${clarificationId}/decision`,
        { approve, reason },
      );
    expect((await decideOn(q1, true, '属于澄清范围')).body).toEqual({ status: 'open' });
    expect((await decideOn(q2, true, '属于澄清范围')).body).toEqual({ status: 'open' });
    expect((await decideOn(q3, false, '要求降价属于实质性变更，不得澄清')).body).toEqual({
      status: 'rejected',
    });
    expectRefused(await decideOn(q3, true, '改变主意'), 'COMMITTEE_WRONG_STATE');
    // Each bidder sees its own approved questions, and nothing of who asked.
    const listOf = async (token: string) =>
      (
        await call<BidderClarification[]>(
          main,
          token,
          'GET',
          `/api/tenders/${review.tenderId}/clarifications`,
        )
      ).body;
    expect((await listOf(bidderA.token)).map((c) => c.id)).toEqual([q1]);
    expect((await listOf(bidderB.token)).map((c) => c.id)).toEqual([q2]);
    const seenByBidder = JSON.stringify(await listOf(bidderA.token));
    for (const member of ids) expect(seenByBidder).not.toContain(member);
    expect(seenByBidder).not.toMatch(/askedBy|leader/);
    await expect.poll(() => pushed.map((c) => [c.id, c.status])).toEqual([[q1, 'open']]);

    const answerWith = (
      clarificationId: string,
      question: string,
      text: string,
      signerName: string,
      token: string,
    ) => {
      const files = [
        { name: '措施费计算书.txt', content: Buffer.from('措施费 = 直接费 × 3%').toString('base64') },
      ];
      const signed = clarificationAnswerText({
        clarificationId,
        question,
        text,
        files: files.map((f) => ({
          name: f.name,
          sha256: createHash('sha256').update(Buffer.from(f.content, 'base64')).digest('hex'),
        })),
      });
      const signature = signSmall(Buffer.from(signed, 'utf8'), signerOf(signerName), {
        detached: true,
      }).toString('base64');
      return call(main, token, 'POST', `/api/clarifications/${clarificationId}/answer`, {
        text,
        files,
        signature,
      });
    };
    const q1Text = '请说明投标报价中措施费的计算依据';
    const forged = await answerWith(q1, q1Text, '按定额计取', bidderB.name, bidderA.token);
    expect([forged.status, forged.body.code, forged.body.detail?.key]).toEqual([
      422,
      'CLARIFICATION_INVALID',
      'answerSignedBySomeoneElse',
    ]);
    expect((await answerWith(q1, q1Text, '按定额计取', bidderA.name, bidderB.token)).body.code).toBe(
      'CLARIFICATION_NOT_FOUND',
    );
    expect(
      (await answerWith(q1, q1Text, '措施费按直接费的3%计取，详见附件', bidderA.name, bidderA.token)).status,
    ).toBe(200);
    expectRefused(
      await answerWith(q1, q1Text, '再补充一点', bidderA.name, bidderA.token),
      'COMMITTEE_WRONG_STATE',
    );
    // The second answer comes after its deadline: the scheduler expires it, the answer is refused.
    main.clock.set(new Date(main.clock.now().getTime() + 11 * 60_000));
    await expect
      .poll(async () => {
        main.app.scheduler.poke();
        second.app.scheduler.poke();
        return (await listOf(bidderB.token))[0]!.status;
      })
      .toBe('expired');
    const late = await answerWith(
      q2,
      '请说明项目经理的在岗安排',
      '项目经理全程驻场',
      bidderB.name,
      bidderB.token,
    );
    expect([late.status, late.body.code]).toEqual([409, 'CLARIFICATION_LATE']);
    // The committee reads the answers and their files; the host reads none.
    const seenByCommittee = (
      await leaderClient.request<CommitteeClarification[]>('GET', `/api/committees/${id}/clarifications`)
    ).body;
    expect(seenByCommittee.map((c) => [c.id, c.status, c.answer])).toEqual([
      [q1, 'answered', '措施费按直接费的3%计取，详见附件'],
      [q2, 'expired', null],
      [q3, 'rejected', null],
    ]);
    const attachment = await main.app.inject({
      method: 'GET',
      url: `/api/committees/${id}/clarifications/${q1}/files/0`,
      remoteAddress: leaderClient.address,
      headers: { authorization: `Bearer ${leaderClient.token}` },
    });
    expect(attachment.body).toBe('措施费 = 直接费 × 3%');
    expect((await call(main, tokens.host, 'GET', `/api/committees/${id}/clarifications`)).status).toBe(403);
    expect(pushed.map((c) => [c.id, c.status])).toEqual([
      [q1, 'open'],
      [q1, 'answered'],
    ]);

    // "Time is too short" (Art 48): 3 of 7 is more than a third and extends by an hour; 2 of 7 is not.
    const timeVote = async (yes: number) => {
      const { round } = (
        await leaderClient.request<{ round: number }>('POST', `/api/committees/${id}/time-votes`)
      ).body;
      for (let i = 0; i < 7; i++) {
        const answer = await memberOf(i).request('POST', `/api/committees/${id}/time-votes/answer`, {
          round,
          tooShort: i < yes,
        });
        expect(answer.status).toBe(200);
        if (i === 0)
          expectRefused(
            await memberOf(0).request('POST', `/api/committees/${id}/time-votes/answer`, {
              round,
              tooShort: true,
            }),
            'VOTE_REPEATED',
          );
      }
      return (await memberOf(0).request<ReviewView>('GET', `/api/committees/${id}/review`)).body;
    };
    expectRefused(
      await memberOf(0).request('POST', `/api/committees/${id}/time-votes/answer`, {
        round: 1,
        tooShort: true,
      }),
      'COMMITTEE_WRONG_STATE',
    );
    const endsBefore = Date.parse(state.endsAt!);
    state = await timeVote(3);
    expect(state.timeVotes.at(-1)).toMatchObject({ tooShort: 3, members: 7, extended: true });
    expect(Date.parse(state.endsAt!) - endsBefore).toBe(60 * 60_000);
    state = await timeVote(2);
    expect(state.timeVotes.at(-1)).toMatchObject({ tooShort: 2, members: 7, extended: false });
    expect(Date.parse(state.endsAt!) - endsBefore).toBe(60 * 60_000);
    expect(
      (await audited('committee.time-vote')).every(
        (e) => Object.keys(e.detail).sort().join() === 'member,round',
      ),
    ).toBe(true);

    // Detailed review: member 4 scores the design far below the others, member 3 the service.
    const scores = (design: number, service: number) =>
      remaining.flatMap((bidId) => [
        { bidId, key: 'design', score: design, reason: design < 30 ? '组织设计深度不足' : '' },
        { bidId, key: 'schedule', score: 18, reason: '工期安排偏紧' },
        { bidId, key: 'service', score: service, reason: service < 10 ? '服务承诺一般' : '' },
      ]);
    const outOfRange = await sheet(0, 'detailed', scores(31, 8));
    expect([outOfRange.body.code, outOfRange.body.detail?.key]).toEqual([
      'SHEET_INVALID',
      'sheetScoreOutOfRange',
    ]);
    const unexplained = await sheet(
      0,
      'detailed',
      scores(25, 8).map((m) => ({ ...m, reason: '' })),
    );
    expect([unexplained.body.code, unexplained.body.detail?.key]).toEqual([
      'SHEET_INVALID',
      'sheetDeductionNeedsReason',
    ]);
    const plans = [
      [25, 8],
      [26, 8],
      [24, 8],
      [25, 2],
      [5, 8],
      [25, 8],
      [26, 8],
    ] as const;
    for (const [i, [design, service]] of plans.entries())
      expect((await sheet(i, 'detailed', scores(design, service))).status).toBe(200);

    // A member is replaced during the detailed review: its sheets leave every aggregate, the stages run
    // again from the first as the reserve, called in its place, signs in, declares and submits its own.
    expectRefused(
      await call(main, tokens.host, 'POST', `/api/committees/${id}/replace`, {
        memberId: ids[2],
        reason: '突发疾病离场',
      }),
      'FORBIDDEN_ROLE',
    );
    expectRefused(
      await call(main, tokens.supervisor, 'POST', `/api/committees/${id}/replace`, {
        memberId: leader,
        reason: '突发疾病离场',
      }),
      'COMMITTEE_INVALID',
    );
    const replaced = await call<{ replacedBy: string }>(
      main,
      tokens.supervisor,
      'POST',
      `/api/committees/${id}/replace`,
      {
        memberId: ids[2],
        reason: '突发疾病离场',
      },
    );
    expect(replaced.body.replacedBy).toBe(review.reserve.id);
    expectRefused(await sheet(2, 'detailed', scores(24, 8)), 'COMMITTEE_MEMBER_ENDED');
    const stand = review.reserve.client;
    const called = (
      await call<CommitteeView>(main, tokens.supervisor, 'GET', `/api/committees/${id}`)
    ).body.members.find((m) => m.id === review.reserve.id)!;
    stand.address = review.addressOf.get(called.seat!)!;
    expect((await stand.signIn(id)).status).toBe(200);
    expect((await stand.declare(id, { conflict: false, statement: '' })).status).toBe(200);
    state = (await stand.request<ReviewView>('GET', `/api/committees/${id}/review`)).body;
    expect([state.stage, state.results]).toEqual(['qualification', []]);
    const standSheet = (stage: string, marks: object[]) =>
      stand.request('POST', `/api/committees/${id}/sheets`, { stage, marks });
    expect((await standSheet('qualification', passFail('licence', true))).status).toBe(200);
    expect(
      (
        await standSheet(
          'compliance',
          remaining.map((bidId) => ({ bidId, key: 'validity', pass: true, reason: '' })),
        )
      ).status,
    ).toBe(200);
    expect((await standSheet('detailed', scores(23, 8))).status).toBe(200);
    state = (await call<ReviewView>(main, tokens.supervisor, 'GET', `/api/committees/${id}/review`)).body;
    // The qualification closed again without the replaced member: four fails, none of them its.
    expect(state.results[0]!.rejected[0]!.reasons).toHaveLength(4);
    expect(state.stage).toBe('detailed');
    state = (await leaderClient.request<ReviewView>('GET', `/api/committees/${id}/review`)).body;
    expect(state.stage).toBe('detailed');
    expect(new Set(state.flags.map((f) => f.memberId))).toEqual(new Set([ids[3], ids[4]]));
    // Who sees what during the review: sheets, scores, reasons and flags reach no one outside the
    // committee and supervisors — every committee route, the tender's audit feed, the candidates.
    const secretsOfReview = ['组织设计深度不足', '工期安排偏紧', '服务承诺一般', '"score"', '"median"'];
    const outsiders = [
      tokens.host,
      tokens.tenderee,
      tokens.bidder,
      (await main.login('bidder2', 'bidder')).token,
      (await main.login('custodian1', 'custodian')).token,
      tokens.admin,
    ];
    const reviewPaths = main.app.routeList
      .filter(
        (r) =>
          r.method === 'GET' &&
          (r.url.startsWith('/api/committees') || r.url.startsWith('/api/tenders/:tenderId/')),
      )
      .map((r) =>
        r.url
          .replace(':committeeId', id)
          .replace(':tenderId', review.tenderId)
          .replace(/:(bidId|clarificationId|objectionId)/, '00000000-0000-4000-8000-000000000001')
          .replace(':index', '0'),
      );
    for (const token of outsiders)
      for (const url of reviewPaths) {
        const answer = await main.app.inject({
          method: 'GET',
          url,
          headers: { authorization: `Bearer ${token}` },
        });
        const leaked = secretsOfReview.filter((secret) => answer.body.includes(secret));
        expect(leaked, `${url} shows ${leaked.join(', ')}`).toEqual([]);
      }
    const bystander = (
      await members.get(others[0]!)!.request<ReviewView>('GET', `/api/committees/${id}/review`)
    ).body;
    expect(bystander.flags).toEqual([]);
    // Only the leader sends back; the flagged members revise (4) or confirm with a reason (3).
    const ret = (memberId: string, by = leaderClient) =>
      by.request('POST', `/api/committees/${id}/sheets/return`, { memberId, note: '请复核该项评分' });
    if (others[0] !== leader) expectRefused(await ret(ids[4]!, members.get(others[0]!)!), 'NOT_LEADER');
    expect((await ret(ids[4]!)).status).toBe(200);
    expect((await ret(ids[3]!)).status).toBe(200);
    expectRefused(
      await memberOf(0).request('POST', `/api/committees/${id}/sheets/confirm`, { reason: '坚持原评分' }),
      'SHEET_INVALID',
    );
    expect((await sheet(4, 'detailed', scores(24, 8))).status).toBe(200);
    expect((await statusBecomes(id, 'reviewing')).status).toBe('reviewing');
    expect(
      (
        await memberOf(3).request('POST', `/api/committees/${id}/sheets/confirm`, {
          reason: '售后方案缺少驻场服务，维持原评分',
        })
      ).status,
    ).toBe(200);
    await statusBecomes(id, 'reporting');
    await restartSecond();

    // The price score, recomputed here from the opening summary and the drawn coefficient.
    const [tenderRow] = await main.app.db
      .select({ draw: tenders.drawResult })
      .from(tenders)
      .where(eq(tenders.id, review.tenderId));
    const coefficient = Number(tenderRow!.draw!.value);
    const prices = remaining.map((bidId) => Number(bidRows.find((b) => b.id === bidId)!.summary!.price));
    const benchmark =
      Math.round((prices.reduce((a, b) => a + b, 0) / prices.length) * coefficient * 100) / 100;
    const expectedPrice = prices.map((p) => {
      const deviation = ((p - benchmark) / benchmark) * 100;
      return Math.round(Math.max(0, 40 - (deviation > 0 ? deviation : -deviation * 0.5)) * 100) / 100;
    });
    state = (await call<ReviewView>(main, tokens.supervisor, 'GET', `/api/committees/${id}/review`)).body;
    const detailed = state.results.find((r) => r.stage === 'detailed')!;
    expect(detailed.benchmark).toBe(benchmark);
    expect(remaining.map((bidId) => detailed.scores!.find((s) => s.bidId === bidId)!.price)).toEqual(
      expectedPrice,
    );
    // The replaced member's 24 is out; its replacement's 23 is in.
    const design = Math.round(((25 + 26 + 23 + 25 + 24 + 25 + 26) / 7) * 100) / 100;
    const service = Math.round(((8 + 8 + 8 + 2 + 8 + 8 + 8) / 7) * 100) / 100;
    for (const [i, bidId] of remaining.entries())
      expect(detailed.scores!.find((s) => s.bidId === bidId)!.total).toBe(
        Math.round((design + 18 + service + expectedPrice[i]!) * 100) / 100,
      );
    const byTotal = [...remaining].sort(
      (a, b) =>
        detailed.scores!.find((s) => s.bidId === b)!.total -
        detailed.scores!.find((s) => s.bidId === a)!.total,
    );
    expect(state.ranking).toEqual(byTotal);
    expect(state.candidates).toEqual(byTotal);
    // The host and the tenderee see no score before the report; bidders cannot ask at all.
    for (const token of [tokens.host, tokens.tenderee]) {
      const sealed = (await call<ReviewView>(main, token, 'GET', `/api/committees/${id}/review`)).body;
      expect([sealed.results, sealed.sheets, sealed.flags, sealed.ranking]).toEqual([[], [], [], null]);
    }
    expect((await call(main, tokens.bidder, 'GET', `/api/committees/${id}/review`)).status).toBe(403);
    // The audit names who submitted which stage, never the marks.
    for (const entry of await audited('committee.sheet'))
      expect(Object.keys(entry.detail).sort()).toEqual(['member', 'revision', 'stage']);
    review.members.delete(ids[2]!);
    review.members.set(review.reserve.id, review.reserve.client);
  }, 120_000);

  it('builds the report; members sign it or dissent with reasons, the silent are recorded as agreeing (Art 53)', async () => {
    const { id, members, leader } = review;
    const leaderClient = members.get(leader)!;
    const sitting = [...members.keys()];
    const notLeader = members.get(sitting.find((m) => m !== leader)!)!;
    expectRefused(await notLeader.request('POST', `/api/committees/${id}/report`), 'NOT_LEADER');
    const built = await leaderClient.request<{ sha256: string; signingEndsAt: string }>(
      'POST',
      `/api/committees/${id}/report`,
    );
    expect(built.status).toBe(200);
    await restartSecond();
    const report = (await leaderClient.request<ReportView>('GET', `/api/committees/${id}/report`)).body;
    expect(createHash('sha256').update(report.text).digest('hex')).toBe(built.body.sha256);
    const content = JSON.parse(report.text) as EvaluationReport;
    // The members who sit (the replaced one is not among them, its replacement is), the candidates ranked.
    expect(content.members.map((m) => m.memberId).sort()).toEqual([...sitting].sort());
    expect(new Set(content.sheets.map((x) => x.memberId))).toEqual(new Set(sitting));
    expect(content.candidates.map((c) => c.rank)).toEqual([1, 2, 3]);
    expect(content.clarifications.map((c) => c.status)).toEqual(['answered', 'expired']);
    expect((await call(main, tokens.host, 'GET', `/api/committees/${id}/report`)).status).toBe(403);

    // Five sign, the sixth dissents, the seventh stays silent.
    const [a, b, c, d, e, dissenter] = sitting.map((m) => members.get(m)!) as CommitteeMemberClient[];
    const signIt = (client: CommitteeMemberClient, signature = client.sign(report.text)) =>
      client.request('POST', `/api/committees/${id}/report/sign`, { signature });
    // A signature by someone else is refused; a signature over other bytes too.
    expectRefused(await signIt(a!, b!.sign(report.text)), 'RECORD_SIGNATURE_INVALID');
    expectRefused(await signIt(a!, a!.sign(`${report.text} `)), 'RECORD_SIGNATURE_INVALID');
    for (const client of [a, b, c, d, e]) expect((await signIt(client!)).status).toBe(200);
    expectRefused(await signIt(a!), 'REPORT_SIGNED');
    const statement = '本人认为第一名投标人的施工组织设计存在重大缺陷，不应推荐为第一中标候选人';
    const dissentMember = content.members.find((m) => members.get(m.memberId) === dissenter)!.memberId;
    const dissented = await dissenter!.request('POST', `/api/committees/${id}/report/dissent`, {
      statement,
      signature: dissenter!.sign(
        dissentText({ reportSha256: report.sha256, memberId: dissentMember, statement }),
      ),
    });
    expect(dissented.status).toBe(200);
    expectRefused(await signIt(dissenter!), 'REPORT_SIGNED');
    // The window ends: the silent member is recorded as agreeing, and the evaluation closes.
    main.clock.set(new Date(Date.parse(report.signingEndsAt) + 1000));
    await statusBecomes(id, 'closed');
    await restartSecond();
    const stances = (await call<ReportView>(main, tokens.supervisor, 'GET', `/api/committees/${id}/report`))
      .body.stances;
    expect(stances.map((s) => s.stance).sort()).toEqual([
      'deemed-agreed',
      'dissented',
      'signed',
      'signed',
      'signed',
      'signed',
      'signed',
    ]);
    expect(stances.find((s) => s.stance === 'dissented')!.statement).toBe(statement);
    expect(await audited('committee.end-signing')).toHaveLength(1);

    // The report bundle verifies offline, and fails, naming the file, when any byte changes.
    expect((await call(main, tokens.host, 'GET', `/api/committees/${id}/report-bundle`)).status).toBe(403);
    const exported = await main.app.inject({
      method: 'GET',
      url: `/api/committees/${id}/report-bundle`,
      headers: { authorization: `Bearer ${tokens.supervisor}` },
    });
    expect(exported.statusCode).toBe(200);
    const bundlePath = join(work, 'report.tar');
    writeFileSync(bundlePath, exported.rawPayload);
    const trust = [
      '--platform',
      platformPath('receipt.pem'),
      '--ca',
      caPath('ca-a'),
      caPath('ca-b'),
      '--crl',
      crlPath('ca-a'),
      crlPath('ca-b'),
    ];
    const verified = await promisify(execFile)(process.execPath, [
      'bin/bidhall.ts',
      'report',
      'verify',
      bundlePath,
      ...trust,
      '--json',
    ]);
    const result = JSON.parse(verified.stdout) as ReportBundleReport;
    expect(result).toMatchObject({ ok: true, problems: [] });
    expect([result.signed.length, result.dissented.length, result.deemedAgreed.length]).toEqual([5, 1, 1]);
    const files = await readTar(exported.rawPayload);
    const altered = Buffer.from(files.get('report.json')!);
    // One byte of the report, near its end, changed.
    altered.writeUInt8(altered.readUInt8(altered.length - 2) ^ 1, altered.length - 2);
    files.set('report.json', altered);
    const tampered = await writeTar(Object.fromEntries(files));
    const broken = await verifyReportBundle(tampered, main.app.trust, main.app.platformSigner.certificate);
    expect(broken.ok).toBe(false);
    expect(broken.problems).toContain('report.json was altered');
    writeFileSync(bundlePath, tampered);
    const refused = await promisify(execFile)(process.execPath, [
      'bin/bidhall.ts',
      'report',
      'verify',
      bundlePath,
      ...trust,
    ]).then(
      () => null,
      (error: { code: number; stdout: string }) => error,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stdout).toMatch(/PROBLEM: report\.json was altered/);
  }, 120_000);

  it('publishes the candidates for at least three days, takes objections, then names the committee (Art 54)', async () => {
    const { id, tenderId } = review;
    const publish = (days: number, token = tokens.host) =>
      call<{ publicityEndsAt: string }>(main, token, 'POST', `/api/committees/${id}/publish`, { days });
    expectRefused(await publish(2), 'VALIDATION_FAILED');
    expectRefused(await publish(3, tokens.supervisor), 'FORBIDDEN_ROLE');
    // Before publication there is nothing to read, which is no error: a tender page asks all along.
    const before = (path: string) =>
      main.app.inject({
        url: `/api/tenders/${tenderId}/${path}`,
        headers: { authorization: `Bearer ${tokens.host}` },
      });
    for (const path of ['candidates', 'rating-form']) {
      const answer = await before(path);
      expect([answer.statusCode, answer.body]).toEqual([200, 'null']);
    }
    const published = await publish(3);
    expect(published.status).toBe(200);
    await restartSecond();
    expectRefused(await publish(3), 'COMMITTEE_WRONG_STATE');
    const bidder1 = (await main.login('bidder1', 'bidder')).token;
    const bidder4 = await outsiderBidder();
    const candidates = (token: string) =>
      call<CandidatesView>(main, token, 'GET', `/api/tenders/${tenderId}/candidates`);
    const seen = (await candidates(bidder1)).body;
    expect(seen.candidates.map((c) => c.rank)).toEqual([1, 2, 3]);
    expect(seen.committee).toBeNull();
    const object = (token: string) =>
      call<{ objectionId: string }>(main, token, 'POST', `/api/tenders/${tenderId}/candidate-objections`, {
        text: '第一中标候选人的项目经理存在在建项目，请核查',
      });
    expectRefused(await object(bidder4), 'HALL_NO_BID');
    const objected = await object(bidder1);
    expect(objected.status).toBe(201);
    const answer = () =>
      call(
        main,
        tokens.host,
        'POST',
        `/api/committees/${id}/candidate-objections/${objected.body.objectionId}/answer`,
        {
          text: '经核查，该项目经理的在建项目已竣工验收',
        },
      );
    expect((await answer()).status).toBe(200);
    expectRefused(await answer(), 'COMMITTEE_WRONG_STATE');
    expect((await candidates(tokens.host)).body.objections.map((o) => o.answer)).toEqual([
      '经核查，该项目经理的在建项目已竣工验收',
    ]);
    // Publicity ends (the scheduler's step): objections close; the committee is named, with its seals' nonces.
    main.clock.set(new Date(Date.parse(published.body.publicityEndsAt) + 1000));
    await expect
      .poll(async () => {
        main.app.scheduler.poke();
        second.app.scheduler.poke();
        return (await candidates(bidder1)).body.ended;
      })
      .toBe(true);
    expectRefused(await object(bidder1), 'COMMITTEE_WRONG_STATE');
    const named = (await candidates(bidder4)).body.committee!;
    expect(named).toHaveLength(7);
    for (const member of named.filter((m) => m.code))
      expect(sha256(`${id}:${member.code}:${member.nonce}`)).toBe(member.commitment);
    expect(await audited('committee.end-publicity')).toHaveLength(1);
  }, 60_000);

  it('assesses each expert (一项目一考评); a supervisor’s 不称职 suspends the expert, whom the next draw excludes', async () => {
    const { id, members, reserve } = review;
    const supervised = (await call<CommitteeView>(main, tokens.supervisor, 'GET', `/api/committees/${id}`))
      .body;
    const experts = supervised.members.filter((m) => m.kind === 'expert' && m.state === 'declared');
    expect(experts.map((m) => m.id).sort()).toEqual([...members.keys()].sort());
    const target = experts.find((m) => m.id !== reserve.id)!;
    const assess = (token: string, verdict: string, observed: string[] = []) =>
      call<{ suspendedUntil: string | null }>(main, token, 'POST', `/api/committees/${id}/assessments`, {
        memberId: target.id,
        observed,
        verdict,
        note: '评审中多次接打私人电话，评分与其他成员差异大且拒不说明理由',
      });
    expectRefused(await assess(tokens.bidder, 'incompetent'), 'FORBIDDEN_ROLE');
    // The host's and the tenderee's verdicts are recorded; the supervisor's 不称职 suspends.
    expect((await assess(tokens.host, 'basically-competent', ['lateOrEarlyLeaving'])).body).toEqual({
      suspendedUntil: null,
    });
    expect((await assess(tokens.tenderee, 'incompetent', ['disciplineBreach'])).body).toEqual({
      suspendedUntil: null,
    });
    const suspended = await assess(tokens.supervisor, 'incompetent', ['disciplineBreach', 'scoringErrors']);
    expect(Date.parse(suspended.body.suspendedUntil!) - main.clock.now().getTime()).toBeGreaterThan(
      179 * 86_400_000,
    );
    expectRefused(await assess(tokens.supervisor, 'competent'), 'ASSESSMENT_REPEATED');
    // Each assessor reads back its own assessments only.
    const mine = (token: string) =>
      call<OwnAssessment[]>(main, token, 'GET', `/api/committees/${id}/assessments`);
    expect((await mine(tokens.host)).body.map((a) => [a.memberId, a.verdict, a.observed])).toEqual([
      [target.id, 'basically-competent', ['lateOrEarlyLeaving']],
    ]);
    expect((await mine(tokens.supervisor)).body.map((a) => a.verdict)).toEqual(['incompetent']);
    expect((await mine(tokens.bidder)).status).toBe(403);
    const reported = (
      await call<AssessmentView[]>(main, tokens.supervisor, 'GET', `/api/assessments?expert=${target.code}`)
    ).body;
    expect(reported.map((r) => [r.assessorRole, r.verdict])).toEqual([
      ['host', 'basically-competent'],
      ['tenderee', 'incompetent'],
      ['supervisor', 'incompetent'],
    ]);
    const csv = await main.app.inject({
      method: 'GET',
      url: '/api/assessments?format=csv',
      headers: { authorization: `Bearer ${tokens.supervisor}` },
    });
    expect(csv.body).toMatch(/^\uFEFF专家编号,专家姓名,项目编号,评价人,结论,评价事项,说明,时间\r\n/);
    expect(csv.body).toContain('不称职');
    expect((await call(main, tokens.host, 'GET', '/api/assessments')).status).toBe(403);

    // The next tender's draw excludes the suspended expert, for that reason.
    const opening = await decryptedOpening(main, work, ['bidder1', 'bidder2', 'bidder3']);
    clients.push(...opening.clients);
    await endWindow(main, opening.tender.id, opening.host);
    await opening.host.request('hall:announce', { tenderId: opening.tender.id });
    const now = main.clock.now().getTime();
    const next = await call<CommitteeView>(main, tokens.host, 'POST', '/api/committees', {
      ...committeeSpec,
      tenderId: opening.tender.id,
      representatives: 0,
      size: 5,
      quotas: [{ specialty: 'A080101', seats: 5 }],
      reserves: 0,
      maxServicesForTenderee: 10,
      signInOpensAt: new Date(now + 60_000).toISOString(),
      signInClosesAt: new Date(now + 30 * 60_000).toISOString(),
    });
    expect(next.status).toBe(201);
    const drawn = await call<CommitteeDrawView>(
      main,
      tokens.supervisor,
      'POST',
      `/api/committees/${next.body.id}/draw`,
      {
        seed: randomBytes(32).toString('hex'),
      },
    );
    expect(drawn.body.exclusions).toContainEqual({ code: target.code, reasons: ['suspended'] });
  }, 180_000);

  it('takes the five-party evaluation once publicity has ended, on each party’s form, and sums it up', async () => {
    const { id, tenderId } = review;
    const named = (
      await call<CandidatesView>(main, tokens.host, 'GET', `/api/tenders/${tenderId}/candidates`)
    ).body.committee!;
    const expert = named.find((m) => m.code)!;
    const bidder1 = (await main.login('bidder1', 'bidder')).token;
    const bidder4 = await outsiderBidder();
    const rate = (token: string, body: object) =>
      call(main, token, 'POST', `/api/committees/${id}/ratings`, body);
    const full = { conduct: 5, cooperation: 4, efficiency: 4 };
    const formOf = async (token: string) =>
      (await call<RatingFormView>(main, token, 'GET', `/api/tenders/${tenderId}/rating-form`)).body;
    const rated = (form: RatingFormView, target: string) =>
      form.targets.find((t) => t.target === target)!.subjects.map((x) => [x.name, x.rated]);
    // Each party's form: its targets, the experts by name and pool number, the suppliers by name.
    const bidderForm = await formOf(bidder1);
    expect([bidderForm.party, bidderForm.open, bidderForm.committeeId]).toEqual(['supplier', true, id]);
    expect(bidderForm.targets.map((t) => t.target)).toEqual(defaultRatingForms.supplier.targets);
    expect(rated(bidderForm, 'expert')).toContainEqual([`${expert.name}（${expert.code}）`, false]);
    const evaluated = (await call<ReviewView>(main, tokens.supervisor, 'GET', `/api/committees/${id}/review`))
      .body.bids;
    expect(rated(await formOf(tokens.supervisor), 'supplier').map(([name]) => name)).toEqual(
      expect.arrayContaining(evaluated.map((b) => b.bidder)),
    );
    expectRefused(await call(main, bidder4, 'GET', `/api/tenders/${tenderId}/rating-form`), 'HALL_NO_BID');
    expect(
      (await rate(tokens.host, { target: 'project', scores: full, comment: '项目组织有序' })).status,
    ).toBe(201);
    expectRefused(
      await rate(tokens.host, { target: 'project', scores: full, comment: '' }),
      'ASSESSMENT_REPEATED',
    );
    const missing = await rate(bidder1, {
      target: 'expert',
      subjectId: expert.memberId,
      scores: { conduct: 5 },
      comment: '',
    });
    expect([missing.body.code, missing.body.detail?.key]).toEqual(['RATING_INVALID', 'ratingMissing']);
    const offForm = await rate(bidder1, {
      target: 'supplier',
      subjectId: expert.memberId,
      scores: full,
      comment: '',
    });
    expect([offForm.body.code, offForm.body.detail?.key]).toEqual([
      'RATING_INVALID',
      'ratingTargetNotOnForm',
    ]);
    expectRefused(await rate(bidder4, { target: 'project', scores: full, comment: '' }), 'HALL_NO_BID');
    expect(
      (
        await rate(bidder1, {
          target: 'expert',
          subjectId: expert.memberId,
          scores: { conduct: 3, cooperation: 4, efficiency: 5 },
          comment: '',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await rate(tokens.supervisor, {
          target: 'expert',
          subjectId: expert.memberId,
          scores: { conduct: 5, cooperation: 4, efficiency: 4 },
          comment: '',
        })
      ).status,
    ).toBe(201);
    // The forms show what each rater has done.
    expect(rated(await formOf(tokens.host), 'project')).toEqual([[null, true]]);
    expect(rated(await formOf(bidder1), 'expert')).toContainEqual([`${expert.name}（${expert.code}）`, true]);
    // Once anyone has rated, the forms stay.
    const forms = await main.app.inject({
      method: 'PUT',
      url: `/api/committees/${id}/rating-forms`,
      headers: { authorization: `Bearer ${tokens.host}` },
      payload: defaultRatingForms,
    });
    expect(forms.json().code).toBe('COMMITTEE_WRONG_STATE');
    const summary = (await call<RatingSummary[]>(main, tokens.supervisor, 'GET', '/api/ratings')).body;
    expect(summary.find((s) => s.target === 'expert' && s.subject === expert.code)).toMatchObject({
      ratings: 2,
      means: { conduct: 4, cooperation: 4, efficiency: 4.5 },
    });
    expect(summary.find((s) => s.target === 'project')).toMatchObject({ ratings: 1, means: full });
    expect((await call(main, bidder1, 'GET', '/api/ratings')).status).toBe(403);
    const perExpert = (
      await call<RatingSummary[]>(main, tokens.supervisor, 'GET', `/api/ratings?expert=${expert.code}`)
    ).body;
    expect(perExpert.map((r) => [r.target, r.subject, r.ratings])).toEqual([['expert', expert.code, 2]]);
    const ratingsSheet = await main.app.inject({
      method: 'GET',
      url: `/api/ratings?format=csv&expert=${expert.code}`,
      headers: { authorization: `Bearer ${tokens.supervisor}` },
    });
    expect(ratingsSheet.body).toMatch(/^\uFEFF项目编号,评价对象,具体对象,评价项,平均分,评价人数\r\n/);
    expect(ratingsSheet.body).toContain(`评标专家,${expert.code},efficiency,4.5,2`);
  }, 60_000);
});
