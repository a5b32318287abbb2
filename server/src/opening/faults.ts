/**
 * Faults the platform meets while opening a bid — a stored part it cannot read, a disk error, a stale
 * CRL — are recorded at once (an outage of source `system` naming the bid), announced to the hall, and
 * audited. They count at the end of the window like a confirmed outage: a bid the platform failed to open
 * is never the bidder's fault (电子招标投标办法 Art 31). A fault that repeats is recorded once per ten
 * minutes, so retries do not flood the hall.
 */
import { biddersSealed } from '@bidhall/shared';
import { and, eq, gt, sql } from 'drizzle-orm';
import { outages } from '../db/schema/index.ts';
import { type HallContext, hallAction, systemActor } from './hall-action.ts';

const repeatWindowMs = 10 * 60_000;

export async function recordPlatformFault(
  context: HallContext,
  tenderId: string,
  bidId: string,
  message: string,
): Promise<void> {
  await hallAction(context, tenderId, systemActor, 'hall.platform-fault', async (scope) => {
    const { tx, now } = scope;
    const [recent] = await tx
      .select({ id: outages.id })
      .from(outages)
      .where(
        and(
          eq(outages.tenderId, tenderId),
          eq(outages.source, 'system'),
          eq(outages.reason, message),
          gt(outages.recordedAt, new Date(now.getTime() - repeatWindowMs)),
          sql`${outages.bidIds} @> ${JSON.stringify([bidId])}::jsonb`,
        ),
      )
      .limit(1);
    if (recent) {
      scope.nothingDone = true;
      return;
    }
    await tx.insert(outages).values({
      tenderId,
      from: now,
      to: now,
      reason: message,
      source: 'system',
      bidIds: [bidId],
      recordedBy: null,
      recordedAt: now,
    });
    Object.assign(scope.detail, { bidId, message: message.slice(0, 300) });
    // Before the bids are opened a fault names a bid nobody else may know of: it is kept, not announced.
    if (!biddersSealed(scope.tender.status))
      await scope.emit('fault', { bidId, message, at: now.toISOString() });
  });
}
