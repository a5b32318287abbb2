/** The supervisor's audit feed stays readable: a repeated step that changes nothing adds no entry. */
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog } from '../../server/src/db/schema/index.ts';
import { useServer } from '../support/fixture.ts';
import { joinHall, prepareOpening } from '../support/hall.ts';

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
});
