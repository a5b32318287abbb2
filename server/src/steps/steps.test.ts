/**
 * The step kernel on an aggregate of its own (not the opening's), against the real PostgreSQL: steps run
 * exactly once across two processes, a restart catches up on what fell due while nothing ran, and a
 * failing step leaves no event, no audit entry and no sequence number behind.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { bigint, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db.ts';
import { systemClock } from '../clock.ts';
import { type DatabaseHandle, openDatabase, rowsOf } from '../db/client.ts';
import { instant } from '../db/schema/columns.ts';
import { isAppError } from '../errors.ts';
import { Scheduler, timed } from './scheduler.ts';
import { type Aggregate, eventsAfter, runStep, type StepContext, systemActor } from './step.ts';

const items = pgTable('kernel_items', {
  id: uuid('id').primaryKey(),
  status: text('status').$type<'waiting' | 'done'>().notNull(),
  dueAt: instant('due_at').notNull(),
  nextCheckAt: instant('next_check_at'),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull().default(0),
});
const itemEvents = pgTable('kernel_item_events', {
  itemId: uuid('item_id').notNull(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  at: instant('at').notNull(),
  type: text('type').notNull(),
  data: jsonb('data').notNull(),
});
type Item = typeof items.$inferSelect;
interface ItemEvent {
  readonly itemId: string;
  readonly seq: number;
  readonly type: string;
  readonly data: unknown;
}
interface ItemEventData {
  readonly done: { readonly by: string };
  readonly noted: { readonly text: string };
}

const itemAggregate: Aggregate<Item, ItemEvent> = {
  name: 'item',
  table: items,
  id: items.id,
  nextCheckAt: items.nextCheckAt,
  lastSeq: items.lastSeq,
  events: {
    table: itemEvents,
    aggregateId: itemEvents.itemId,
    seq: itemEvents.seq,
    at: itemEvents.at,
    type: itemEvents.type,
    data: itemEvents.data,
  },
  notFound: 'TENDER_NOT_FOUND',
  nextCheck: (item) => (item.status === 'waiting' ? item.dueAt : null),
  auditScope: (item) => ({ tenderId: null, target: `item:${item.id}` }),
  toEvent: ({ aggregateId, seq, type, data }) => ({ itemId: aggregateId, seq, type, data }),
};

/** One "process": its own pool, its own published events, its own scheduler. */
function process(handle: DatabaseHandle, name: string) {
  const published: ItemEvent[] = [];
  const context: StepContext<ItemEvent> = {
    db: handle.db,
    clock: systemClock,
    publish: (events) => published.push(...events),
    poke: () => scheduler.poke(),
  };
  const finish = (id: string) =>
    runStep<Item, ItemEventData, ItemEvent, void>(
      itemAggregate,
      context,
      id,
      systemActor,
      'hall.timed-step',
      async (scope) => {
        if (scope.row.status !== 'waiting' || scope.row.dueAt > scope.now) {
          await scope.update({});
          scope.nothingDone = true;
          return;
        }
        await scope.update({ status: 'done' });
        await scope.emit('done', { by: name });
      },
      { skipIfLocked: true },
    );
  const scheduler = new Scheduler({
    db: handle.db,
    clock: systemClock,
    log: { error: (object, message) => console.error(message, object) },
    pollMs: 40,
  });
  scheduler.register(timed(itemAggregate, finish));
  return { context, published, scheduler };
}

let database: TestDatabase;
let second: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase();
  await database.handle.db.execute(sql`
    CREATE TABLE kernel_items (id uuid PRIMARY KEY, status text NOT NULL, due_at timestamptz NOT NULL,
      next_check_at timestamptz, last_seq bigint NOT NULL DEFAULT 0)`);
  await database.handle.db.execute(sql`
    CREATE TABLE kernel_item_events (item_id uuid NOT NULL REFERENCES kernel_items (id), seq bigint NOT NULL,
      at timestamptz NOT NULL, type text NOT NULL, data jsonb NOT NULL, PRIMARY KEY (item_id, seq))`);
  second = await openDatabase({ url: database.url, dataDir: database.dataDir });
});

afterAll(async () => {
  await second?.close();
  await database?.drop();
});

async function addItems(count: number, dueAt: Date): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  await database.handle.db
    .insert(items)
    .values(ids.map((id) => ({ id, status: 'waiting' as const, dueAt, nextCheckAt: dueAt })));
  return ids;
}

async function eventsPerItem(ids: readonly string[]): Promise<number[]> {
  return Promise.all(
    ids.map(async (id) => (await eventsAfter(database.handle.db, itemAggregate, id, 0)).length),
  );
}

async function auditCount(ids: readonly string[]): Promise<number> {
  const [row] = rowsOf<{ n: string }>(
    await database.handle.db.execute(sql`
      SELECT count(*) AS n FROM audit_log
      WHERE entry::jsonb ->> 'action' = 'hall.timed-step'
        AND entry::jsonb ->> 'target' IN (${sql.join(
          ids.map((id) => sql`${`item:${id}`}`),
          sql`, `,
        )})`),
  );
  return Number(row?.n);
}

async function allDone(ids: readonly string[]): Promise<boolean> {
  const rows = await database.handle.db.select({ id: items.id, status: items.status }).from(items);
  return ids.every((id) => rows.find((r) => r.id === id)?.status === 'done');
}

describe('the step kernel', () => {
  it('runs each due step exactly once with two processes scheduling the same aggregates', async () => {
    const ids = await addItems(30, new Date(Date.now() + 300));
    const a = process(database.handle, 'a');
    const b = process(second, 'b');
    a.scheduler.start();
    b.scheduler.start();
    try {
      await expect.poll(() => allDone(ids), { timeout: 15_000 }).toBe(true);
      // Both keep polling a while: nothing may run twice.
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await Promise.all([a.scheduler.stop(), b.scheduler.stop()]);
    }
    expect(await eventsPerItem(ids)).toEqual(ids.map(() => 1));
    expect(await auditCount(ids)).toBe(ids.length);
    const published = [...a.published, ...b.published].filter((e) => ids.includes(e.itemId));
    expect(published).toHaveLength(ids.length);
    expect(published.every((e) => e.seq === 1 && e.type === 'done')).toBe(true);
    const rows = await database.handle.db.select().from(items);
    for (const id of ids) {
      const row = rows.find((r) => r.id === id)!;
      expect(row.lastSeq).toBe(1);
      expect(row.nextCheckAt).toBeNull();
    }
  });

  it('catches up after a restart on every step that fell due while no scheduler ran', async () => {
    const first = process(database.handle, 'first');
    first.scheduler.start();
    await first.scheduler.stop();
    // Due while "down": some in the past already, some a moment after the stop.
    const past = await addItems(5, new Date(Date.now() - 60_000));
    const soon = await addItems(5, new Date(Date.now() + 200));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await allDone([...past, ...soon])).toBe(false);
    const restarted = process(second, 'restarted');
    restarted.scheduler.start();
    try {
      await expect.poll(() => allDone([...past, ...soon]), { timeout: 15_000 }).toBe(true);
    } finally {
      await restarted.scheduler.stop();
    }
    expect(await eventsPerItem([...past, ...soon])).toEqual([...past, ...soon].map(() => 1));
    expect(await auditCount([...past, ...soon])).toBe(10);
    expect(first.published).toHaveLength(0);
  });

  it('leaves no event, audit entry, sequence number or broadcast behind when a step fails', async () => {
    const [id] = await addItems(1, new Date(Date.now() + 3_600_000));
    const { context, published } = process(database.handle, 'failing');
    const attempt = runStep<Item, ItemEventData, ItemEvent, void>(
      itemAggregate,
      context,
      id!,
      systemActor,
      'hall.timed-step',
      async (scope) => {
        await scope.emit('noted', { text: 'half-way' });
        await scope.update({ status: 'done' });
        throw new Error('the step changed its mind');
      },
    );
    await expect(attempt).rejects.toThrow('the step changed its mind');
    expect(published).toHaveLength(0);
    expect(await eventsPerItem([id!])).toEqual([0]);
    expect(await auditCount([id!])).toBe(0);
    const [row] = await database.handle.db.select().from(items).where(sql`id = ${id}`);
    expect(row).toMatchObject({ status: 'waiting', lastSeq: 0 });

    const unknown = await runStep(itemAggregate, context, randomUUID(), systemActor, 'hall.timed-step', () =>
      Promise.resolve(),
    ).catch((error: unknown) => error);
    expect(isAppError(unknown) && unknown.code).toBe('TENDER_NOT_FOUND');
  });

  it('sequences events per aggregate and hands a reconnecting reader exactly what followed', async () => {
    const [one, two] = await addItems(2, new Date(Date.now() + 3_600_000));
    const { context, published } = process(database.handle, 'writer');
    const note = (id: string, text: string) =>
      runStep<Item, ItemEventData, ItemEvent, void>(
        itemAggregate,
        context,
        id,
        systemActor,
        'hall.answer',
        (s) => s.emit('noted', { text }),
      );
    await Promise.all([note(one!, 'a'), note(two!, 'x'), note(one!, 'b'), note(one!, 'c')]);
    expect(
      published
        .filter((e) => e.itemId === one)
        .map((e) => e.seq)
        .sort(),
    ).toEqual([1, 2, 3]);
    expect(published.filter((e) => e.itemId === two).map((e) => e.seq)).toEqual([1]);
    const after = await eventsAfter(database.handle.db, itemAggregate, one!, 1);
    expect(after.map((e) => e.seq)).toEqual([2, 3]);
    expect(after.map((e) => (e.data as { text: string }).text).sort()).toEqual(
      published
        .filter((e) => e.itemId === one && e.seq > 1)
        .map((e) => (e.data as { text: string }).text)
        .sort(),
    );
  });

  it('keeps one registration per aggregate, so no row is run by two handlers', () => {
    const { scheduler } = process(database.handle, 'registry');
    expect(() => scheduler.register(timed(itemAggregate, async () => undefined))).toThrow(
      'timed aggregate item is registered twice',
    );
  });
});
