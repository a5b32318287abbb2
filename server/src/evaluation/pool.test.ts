/**
 * The expert pool and the seat catalogue through HTTP on the real database: an administrator imports 40
 * experts from CSV and updates them by importing again; a file with one bad line is refused whole, naming
 * the line and the field in both languages, and writes nothing; seats are added once each.
 */
import {
  detailText,
  type ExpertEntry,
  type PoolExpert,
  type SeatView,
  type WireError,
} from '@bidhall/shared';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../tests/support/server.ts';
import { actors, experts } from '../db/schema/index.ts';

let server: TestServer;
let admin: string;
let supervisor: string;

/** A valid unified social credit code of the right shape for organisation `n`. */
const creditCode = (n: number) => `91110000${String(n).padStart(9, '0')}X`;

const header =
  'code,name,identity,specialties,region,employerName,employerCreditCode,relations,status,suspendedUntil';
function poolCsv(count: number, change: (line: string[], i: number) => string[] = (line) => line): string {
  const lines = Array.from({ length: count }, (_, i) =>
    change(
      [
        `E${String(i + 1).padStart(4, '0')}`,
        `专家${i + 1}`,
        `11010519800101${String(1000 + i)}`,
        i % 2 ? 'A080101;A080102' : 'A080101',
        i < 20 ? '北京市' : '上海市',
        `第${i % 7}设计院`,
        creditCode(i % 7),
        i === 3 ? creditCode(100) : '',
        'active',
        '',
      ],
      i,
    ).join(','),
  );
  return [header, ...lines].join('\n');
}

const post = (url: string, token: string, payload: string | object, type = 'text/csv') =>
  server.app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

beforeAll(async () => {
  server = await startTestServer();
  admin = (await server.login('admin', 'admin')).token;
  supervisor = (await server.login('supervisor', 'supervisor')).token;
});
afterAll(() => server.close());

describe('the expert pool', () => {
  it('imports experts from CSV, and a second import updates them by their pool number', async () => {
    const first = await post('/api/experts/import', admin, poolCsv(40));
    expect([first.statusCode, first.json()]).toEqual([201, { added: 40, updated: 0 }]);
    const again = await post(
      '/api/experts/import',
      admin,
      poolCsv(41, (line, i) => (i === 5 ? [...line.slice(0, 8), 'suspended', '2027-06-30'] : line)),
    );
    expect(again.json()).toEqual({ added: 1, updated: 40 });
    const pool = (
      await server.app.inject({
        method: 'GET',
        url: '/api/experts',
        headers: { authorization: `Bearer ${supervisor}` },
      })
    ).json<ExpertEntry[]>();
    expect(pool).toHaveLength(41);
    expect(pool[5]).toMatchObject({ code: 'E0006', status: 'suspended', suspendedUntil: '2027-06-30' });
    expect(pool[3]?.relations).toEqual([creditCode(100)]);
    expect(pool[1]?.specialties).toEqual(['A080101', 'A080102']);
  });

  it('refuses a file with one bad line whole, naming the line and the field, and writes nothing', async () => {
    const before = (await server.app.db.select().from(experts)).length;
    const bad = await post(
      '/api/experts/import',
      admin,
      poolCsv(45, (line, i) =>
        i === 42 ? [...line.slice(0, 6), 'not-a-credit-code', ...line.slice(7)] : line,
      ),
    );
    const error = bad.json<WireError>();
    expect([bad.statusCode, error.code]).toEqual([422, 'EXPERTS_INVALID']);
    expect(detailText(error.detail!, 'zh')).toBe('第 44 行：“employerCreditCode”格式不正确');
    expect(detailText(error.detail!, 'en')).toBe('line 44: employerCreditCode is not in the expected format');
    expect((await server.app.db.select().from(experts)).length).toBe(before);

    const twice = await post(
      '/api/experts/import',
      admin,
      poolCsv(3, (line, i) => (i === 2 ? [line[0]!.replace('3', '1'), ...line.slice(1)] : line)),
    );
    expect(detailText(twice.json<WireError>().detail!, 'zh')).toBe(
      '第 4 行：与第 2 行的专家编号或证件号重复',
    );
    const wrongHeader = await post('/api/experts/import', admin, 'name,code\nA,B');
    expect(detailText(wrongHeader.json<WireError>().detail!, 'en')).toMatch(
      /^line 1: the first line must name the columns/,
    );
    const unreadable = await post('/api/experts/import', admin, `${header}\n"E1,unclosed`);
    expect(unreadable.json<WireError>().code).toBe('EXPERTS_INVALID');
    // Another pool number with an ID number already in the pool.
    const taken = await post(
      '/api/experts/import',
      admin,
      poolCsv(1, (line) => ['E9999', ...line.slice(1)]),
    );
    expect(detailText(taken.json<WireError>().detail!, 'zh')).toBe(
      '第 2 行：该证件号已属于专家库中编号为 E0001 的专家',
    );
    expect((await server.app.db.select().from(experts)).length).toBe(before);
  });

  it('shows which entries have an expert account, bound by the certificate’s ID number', async () => {
    const [expert1] = await server.app.db
      .select({ identity: actors.identity })
      .from(actors)
      .where(eq(actors.id, server.actors.get('expert1')!));
    const bound = await post(
      '/api/experts/import',
      admin,
      poolCsv(1, (line) => ['E8001', line[1]!, expert1!.identity, ...line.slice(3)]),
    );
    expect(bound.statusCode).toBe(201);
    const pool = (
      await server.app.inject({
        method: 'GET',
        url: '/api/experts',
        headers: { authorization: `Bearer ${admin}` },
      })
    ).json<PoolExpert[]>();
    expect(pool.filter((e) => e.account).map((e) => e.code)).toEqual(['E8001']);
  });

  it('is the administrator’s to change and the supervisors’ to read; nobody else sees the names', async () => {
    for (const [actor, role] of [
      ['host', 'host'],
      ['bidder1', 'bidder'],
      ['expert1', 'expert'],
      ['tenderee', 'tenderee'],
    ] as const) {
      const token = (await server.login(actor, role)).token;
      const read = await server.app.inject({
        method: 'GET',
        url: '/api/experts',
        headers: { authorization: `Bearer ${token}` },
      });
      expect([read.statusCode, read.json().code], role).toEqual([403, 'FORBIDDEN_ROLE']);
    }
    const bySupervisor = await post('/api/experts/import', supervisor, poolCsv(1));
    expect(bySupervisor.json().code).toBe('FORBIDDEN_ROLE');
  });
});

describe('the seat catalogue', () => {
  it('adds each seat once, with the network it joins from', async () => {
    const seat = {
      centre: '北京市公共资源交易中心',
      city: 'beijing',
      room: '评标室3',
      seat: 'A01',
      cidr: '10.20.3.0/24',
    };
    const added = await post('/api/seats', admin, seat, 'application/json');
    expect(added.statusCode).toBe(201);
    expect(added.json<SeatView>()).toMatchObject(seat);
    const twice = await post('/api/seats', admin, seat, 'application/json');
    expect([twice.statusCode, twice.json().code]).toEqual([409, 'SEAT_EXISTS']);
    expect(detailText(twice.json<WireError>().detail!, 'zh')).toBe(
      '北京市公共资源交易中心 评标室3 的 A01 号席位已登记',
    );
    const badNetwork = await post(
      '/api/seats',
      admin,
      { ...seat, seat: 'A02', cidr: '10.20.3.0/99' },
      'application/json',
    );
    expect(badNetwork.json()).toMatchObject({ code: 'VALIDATION_FAILED', detail: { key: 'notANetwork' } });
    const list = (
      await server.app.inject({
        method: 'GET',
        url: '/api/seats',
        headers: { authorization: `Bearer ${supervisor}` },
      })
    ).json<SeatView[]>();
    expect(list.map((s) => s.seat)).toEqual(['A01']);
  });
});
