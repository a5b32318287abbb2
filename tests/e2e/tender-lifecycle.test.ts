/**
 * A tender's life before its opening: the host may change its words and times (audited, announced in the
 * hall) or cancel it with a reason, and its bids stay sealed.
 */
import { detailText, type TenderView } from '@bidhall/shared';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bids } from '../../server/src/db/schema/index.ts';
import { useServer } from '../support/fixture.ts';
import {
  advanceTo,
  afterDeadline,
  joinHall,
  ofType,
  prepareOpening,
  sealAndUpload,
  statusOf,
} from '../support/hall.ts';

const { server, work, track } = useServer('lifecycle');

describe('cancelling a tender', () => {
  it('ends it before the deadline with a reason; no bid is ever opened and who bid stays sealed', async () => {
    const { tender, hostToken } = await prepareOpening(server, work, ['bidder1', 'bidder2', 'bidder3']);
    const host = await joinHall(server, 'host', 'host', tender.id);
    const bidder = await joinHall(server, 'bidder1', 'bidder', tender.id);
    track(host, bidder);
    const reason = '招标文件存在重大错误，依法终止招标';
    await expect(host.request('hall:cancel', { tenderId: tender.id, reason })).resolves.toEqual({
      status: 'cancelled',
    });
    const told = await bidder.waitFor(ofType('status'));
    expect(told.data).toMatchObject({ status: 'cancelled', reason });

    // The deadline passes: nothing opens.
    server.clock.set(afterDeadline(tender));
    server.app.scheduler.poke();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await statusOf(server, tender.id)).toBe('cancelled');
    await expect(host.request('hall:start-decryption', { tenderId: tender.id })).rejects.toMatchObject({
      code: 'HALL_WRONG_STATE',
    });

    // Who bid stays sealed: the bid list, the host's hall, the audit feed.
    const list = await server.app.inject({
      method: 'GET',
      url: `/api/tenders/${tender.id}/bids`,
      headers: { authorization: `Bearer ${hostToken}` },
    });
    expect(list.statusCode).toBe(403);
    expect(JSON.parse(list.body).code).toBe('BIDS_SEALED');
    const { snapshot } = await host.request('hall:join', { tenderId: tender.id });
    expect(snapshot.bids).toEqual([]);
    const feed = await server.app.inject({
      method: 'GET',
      url: `/api/tenders/${tender.id}/audit?after=0`,
      headers: { authorization: `Bearer ${(await server.login('supervisor', 'supervisor')).token}` },
    });
    const { entries, sealed } = JSON.parse(feed.body) as {
      entries: { entry: { role: string } }[];
      sealed: number;
    };
    expect(sealed).toBeGreaterThanOrEqual(3);
    expect(entries.map((e) => e.entry.role)).not.toContain('bidder');

    // The tender says why, to everyone who reads it.
    const view = await server.app.inject({
      method: 'GET',
      url: `/api/tenders/${tender.id}`,
      headers: { authorization: `Bearer ${hostToken}` },
    });
    expect(JSON.parse(view.body)).toMatchObject({ status: 'cancelled', cancelReason: reason });
  });

  it('is refused once the deadline has passed and the bids are opened', async () => {
    const { tender } = await prepareOpening(server, work, ['bidder1', 'bidder2', 'bidder3']);
    const host = await joinHall(server, 'host', 'host', tender.id);
    track(host);
    await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
    await expect(
      host.request('hall:cancel', { tenderId: tender.id, reason: '太晚了' }),
    ).rejects.toMatchObject({
      code: 'HALL_WRONG_STATE',
      detail: { key: 'notNow' },
    });
    expect(await statusOf(server, tender.id)).toBe('opened');
  });
});

describe('changing a tender before its deadline', () => {
  it('changes words and times, announces them in the hall, and opens at the new deadline', async () => {
    const { tender, hostToken } = await prepareOpening(server, work, ['bidder1', 'bidder2', 'bidder3']);
    const bidder = await joinHall(server, 'bidder1', 'bidder', tender.id);
    track(bidder);
    const patch = (body: unknown, token = hostToken) =>
      server.app.inject({
        method: 'PATCH',
        url: `/api/tenders/${tender.id}`,
        headers: { authorization: `Bearer ${token}` },
        payload: body as Record<string, unknown>,
      });
    const later = new Date(new Date(tender.deadline).getTime() + 3_600_000).toISOString();
    const changed = await patch({ title: '市政道路改造工程（第二次）', deadline: later, lot: '第三标段' });
    expect(changed.statusCode).toBe(200);
    expect(JSON.parse(changed.body)).toMatchObject({
      title: '市政道路改造工程（第二次）',
      deadline: later,
      lot: '第三标段',
    });
    const told = await bidder.waitFor(ofType('tender'));
    expect(told.data).toMatchObject({ changed: ['deadline', 'lot', 'title'], deadline: later });

    // The old deadline passes: still check-in; the new one opens the bids.
    server.clock.set(afterDeadline(tender));
    server.app.scheduler.poke();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await statusOf(server, tender.id)).toBe('check-in');
    await advanceTo(server, tender.id, afterDeadline({ deadline: later }), 'opened');
  });

  it('refuses a deadline too close, summary fields that do not stand, and any change after the deadline', async () => {
    const { tender, hostToken } = await prepareOpening(server, work, ['bidder1', 'bidder2', 'bidder3']);
    const patch = (body: Record<string, unknown>) =>
      server.app.inject({
        method: 'PATCH',
        url: `/api/tenders/${tender.id}`,
        headers: { authorization: `Bearer ${hostToken}` },
        payload: body,
      });
    const soon = await patch({ deadline: new Date(server.clock.now().getTime() + 60_000).toISOString() });
    expect(JSON.parse(soon.body)).toMatchObject({
      code: 'VALIDATION_FAILED',
      detail: { key: 'deadlineNotAhead' },
    });
    const noFields = await patch({ summaryFields: [] });
    expect(JSON.parse(noFields.body)).toMatchObject({
      code: 'VALIDATION_FAILED',
      detail: { key: 'fieldTooFew', params: { field: '/summaryFields' } },
    });
    const twice = await patch({ summaryFields: [...tender.summaryFields, tender.summaryFields[0]] });
    expect(JSON.parse(twice.body)).toMatchObject({
      code: 'TENDER_INVALID',
      detail: { key: 'summaryKeysUnique', params: { field: '/summaryFields' } },
    });
    // Refused changes change nothing: no bid is asked to be sealed again.
    const rows = await server.app.db.select().from(bids).where(eq(bids.tenderId, tender.id));
    expect(rows.map((r) => r.resealNeeded)).toEqual([false, false, false]);
    const bidder = await server.login('bidder1', 'bidder');
    const notHost = await server.app.inject({
      method: 'PATCH',
      url: `/api/tenders/${tender.id}`,
      headers: { authorization: `Bearer ${bidder.token}` },
      payload: { title: 'x' },
    });
    expect(JSON.parse(notHost.body).code).toBe('FORBIDDEN_ROLE');
    const host = await joinHall(server, 'host', 'host', tender.id);
    track(host);
    await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
    const late = await patch({ title: '开标后修改' });
    expect(JSON.parse(late.body)).toMatchObject({ code: 'HALL_WRONG_STATE', detail: { key: 'notNow' } });
    const view = await server.app.tenders.view(tender.id);
    expect(view.title).toBe(tender.title);
  });

  it('changes the summary fields: bids already in must be sealed again, and one that is not is invalid at the opening', async () => {
    const bidders = ['bidder1', 'bidder2', 'bidder3', 'bidder4'];
    const { tender, hostToken } = await prepareOpening(server, work, bidders);
    const watching = await joinHall(server, 'bidder1', 'bidder', tender.id);
    track(watching);
    const summaryFields = tender.summaryFields.map((f) =>
      f.key === 'price' ? { ...f, label: { zh: '投标总价', en: 'Total price' } } : f,
    );
    const changed = await server.app.inject({
      method: 'PATCH',
      url: `/api/tenders/${tender.id}`,
      headers: { authorization: `Bearer ${hostToken}` },
      payload: { summaryFields },
    });
    expect(changed.statusCode).toBe(200);
    const told = await watching.waitFor(ofType('tender'));
    expect(told.data).toMatchObject({ changed: ['summaryFields'], resealNeeded: true });
    // A bidder that is not in the hall learns it from its own bid.
    const mine = async (bidder: string) =>
      (
        await server.app.inject({
          method: 'GET',
          url: `/api/tenders/${tender.id}/bids/mine`,
          headers: { authorization: `Bearer ${(await server.login(bidder, 'bidder')).token}` },
        })
      ).json<{ status: string; resealNeeded: boolean }[]>();
    expect((await mine('bidder4')).map((b) => b.resealNeeded)).toEqual([true]);

    // Three bidders seal again for the new fields; the fourth does not.
    const current = await server.app.tenders.view(tender.id);
    for (const [n, bidder] of bidders.slice(0, 3).entries())
      await sealAndUpload(server, work, current, bidder, n, { replace: true });
    expect((await mine('bidder1')).find((b) => b.status === 'submitted')?.resealNeeded).toBe(false);

    const host = await joinHall(server, 'host', 'host', tender.id);
    track(host);
    await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
    const { snapshot } = await host.request('hall:join', { tenderId: tender.id });
    const stale = snapshot.bids.filter((b) => b.openingStatus === 'invalid');
    expect(stale).toHaveLength(1);
    expect(stale[0]).toMatchObject({ because: { key: 'sealedBeforeChange' }, resealNeeded: true });
    expect(detailText(stale[0]!.because!, 'zh')).toContain('未在截止前重新加密上传');
    // Three bids remain: the opening goes on (not a failed opening).
    await expect(host.request('hall:start-decryption', { tenderId: tender.id })).resolves.toMatchObject({
      windowEndsAt: expect.any(String),
    });
  });

  it('changes the custodians: a new opening key and certificate, and the bids already in must be sealed to it', async () => {
    const { tender, hostToken } = await prepareOpening(server, work, ['bidder1', 'bidder2', 'bidder3']);
    const patch = (payload: Record<string, unknown>) =>
      server.app.inject({
        method: 'PATCH',
        url: `/api/tenders/${tender.id}`,
        headers: { authorization: `Bearer ${hostToken}` },
        payload,
      });
    // A quorum above the custodians named is refused and changes nothing.
    const two = ['custodian1', 'custodian2'].map((n) => server.actors.get(n)!);
    const tooMany = await patch({ custodianIds: two, quorum: 3 });
    expect(tooMany.json()).toMatchObject({
      code: 'TENDER_INVALID',
      detail: { key: 'quorumAboveCustodians', params: { field: '/quorum' } },
    });
    expect((await server.app.tenders.view(tender.id)).openingCertificate).toBe(tender.openingCertificate);

    const changed = await patch({ custodianIds: two, quorum: 2 });
    expect(changed.statusCode).toBe(200);
    const after = changed.json<TenderView>();
    expect(after.openingCertificate).not.toBe(tender.openingCertificate);
    expect(after.custodians.map((c) => c.id).sort()).toEqual([...two].sort());
    expect(after.quorum).toBe(2);
    const rows = await server.app.db.select().from(bids).where(eq(bids.tenderId, tender.id));
    expect(rows.filter((r) => r.status === 'submitted').map((r) => r.resealNeeded)).toEqual([
      true,
      true,
      true,
    ]);
    // Sealed again to the new certificate, a bid is in order.
    await sealAndUpload(server, work, after, 'bidder1', 0, { replace: true });
    const bidder1 = (await server.login('bidder1', 'bidder')).actor.id;
    const [again] = await server.app.db
      .select()
      .from(bids)
      .where(and(eq(bids.tenderId, tender.id), eq(bids.status, 'submitted'), eq(bids.bidderId, bidder1)));
    expect(again?.resealNeeded).toBe(false);
  });
});
