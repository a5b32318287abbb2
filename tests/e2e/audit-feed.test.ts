/** The supervisor's audit feed stays readable: a repeated step that changes nothing adds no entry. */
import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog } from '../../server/src/db/schema/index.ts';
import { useServer } from '../support/fixture.ts';
import { advanceTo, afterDeadline, joinHall, prepareOpening } from '../support/hall.ts';

const { server, work, track } = useServer('audit-feed');

describe('the audit feed', () => {
  it('records a bidder checking in once, however often its page or client checks in again', async () => {
    const { tender } = await prepareOpening(server, work, ['bidder1', 'bidder2', 'bidder3']);
    const bidder = await joinHall(server, 'bidder1', 'bidder', tender.id);
    track(bidder);
    const acks: string[] = [];
    for (let i = 0; i < 6; i++) {
      acks.push((await bidder.request('hall:check-in', { tenderId: tender.id })).checkedInAt);
      server.clock.set(new Date(server.clock.now().getTime() + 1000));
    }
    expect(new Set(acks).size).toBe(1);
    const entries = await server.app.db
      .select({ seq: auditLog.seq })
      .from(auditLog)
      .where(
        and(eq(auditLog.tenderId, tender.id), sql`${auditLog.entry}::jsonb ->> 'action' = 'hall.check-in'`),
      );
    expect(entries).toHaveLength(1);
  });

  it('exports the trail as a spreadsheet in words and as JSON whose hashes re-check, sealed before the opening', async () => {
    const { tender } = await prepareOpening(server, work, ['bidder1', 'bidder2', 'bidder3']);
    const bidder = await joinHall(server, 'bidder1', 'bidder', tender.id);
    track(bidder);
    await bidder.request('hall:check-in', { tenderId: tender.id });
    const token = (await server.login('supervisor', 'supervisor')).token;
    const exported = (format: 'csv' | 'json') =>
      server.app.inject({
        method: 'GET',
        url: `/api/tenders/${tender.id}/audit/export?format=${format}`,
        headers: { authorization: `Bearer ${token}` },
      });
    const bidderName = (await server.login('bidder1', 'bidder')).actor.name;
    const hostName = (await server.login('host', 'host')).actor.name;

    const before = await exported('csv');
    expect(before.statusCode).toBe(200);
    expect(before.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(before.body.startsWith('\uFEFF序号,时间,操作人,角色,操作,结果')).toBe(true);
    expect(before.body).toContain(`${hostName},主持人,创建招标项目,成功`);
    // Before the bids are opened nothing about a bidder leaves in an export either.
    expect(before.body).not.toContain(bidderName);
    expect(before.body).not.toContain('签到');

    const host = await joinHall(server, 'host', 'host', tender.id);
    track(host);
    await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
    const after = await exported('csv');
    expect(after.body).toContain(`${bidderName},投标人,签到,成功`);
    expect(after.body).toContain(',系统,系统,系统按时执行,成功');

    const json = await exported('json');
    expect(json.statusCode).toBe(200);
    const { entries } = JSON.parse(json.body) as {
      entries: { text: string; prevHash: string; hash: string; actorName: string | null }[];
    };
    // Everything the spreadsheet held, and the spreadsheet's own export since.
    expect(entries.length).toBe(after.body.trim().split('\r\n').length - 1 + 1);
    expect(JSON.parse(entries.at(-1)!.text).action).toBe('audit.export');
    for (const e of entries)
      expect(
        createHash('sha256')
          .update(e.prevHash + e.text)
          .digest('hex'),
      ).toBe(e.hash);
    expect(entries.map((e) => e.actorName)).toContain(bidderName);

    const refused = await server.app.inject({
      method: 'GET',
      url: `/api/tenders/${tender.id}/audit/export?format=xlsx`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refused.statusCode).toBe(422);
    expect(JSON.parse(refused.body).code).toBe('VALIDATION_FAILED');
  });
});
