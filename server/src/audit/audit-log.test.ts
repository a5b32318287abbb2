import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db.ts';
import { openDatabase } from '../db/client.ts';
import { AuditLog, appendInTx } from './audit-log.ts';
import { verifyAuditChain } from './verify.ts';

const entry = (i: number) => ({
  actorId: `actor-${i % 7}`,
  role: 'bidder',
  ip: '127.0.0.1',
  action: 'hall.timed-step' as const,
  // Tabs, newlines and backslashes exercise COPY's text escaping on the way back.
  target: `t-${i}\t\\x\n`,
  outcome: i % 5 === 0 ? 'BID_LATE' : 'ok',
  detail: { i, note: `第${i}步 "quoted" <b>` },
});

for (const kind of ['postgres', 'pglite'] as const) {
  describe(`audit log on ${kind}`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase(kind);
    });
    afterAll(() => database.drop());

    it('chains concurrent batched appends without gaps and verifies', async () => {
      const log = new AuditLog(database.handle.db, { batchSize: 50 });
      const positions = await Promise.all(Array.from({ length: 500 }, (_, i) => log.append(entry(i))));
      await log.close();
      const seqs = positions.map((p) => p.seq).sort((a, b) => a - b);
      expect(seqs[0]).toBe(1);
      expect(seqs.at(-1)).toBe(500);
      expect(new Set(seqs).size).toBe(500);
      const report = await verifyAuditChain(database.handle);
      expect(report).toMatchObject({
        ok: true,
        entries: 500,
        head: { seq: 500, hash: positions.find((p) => p.seq === 500)!.hash },
      });
    });

    it('rolls the entry back with the transaction that made it', async () => {
      await expect(
        database.handle.db.transaction(async (tx) => {
          await appendInTx(tx, [entry(9999)]);
          throw new Error('business step failed');
        }),
      ).rejects.toThrow('business step failed');
      const report = await verifyAuditChain(database.handle);
      expect(report).toMatchObject({ ok: true, entries: 500 });
    });

    it('is append-only: the database refuses UPDATE, DELETE and TRUNCATE', async () => {
      const db = database.handle.db;
      const refusal = (statement: Promise<unknown>) =>
        statement.then(
          () => 'accepted',
          (error: Error) => String((error.cause as Error | undefined)?.message ?? error.message),
        );
      expect(await refusal(db.execute(sql`UPDATE audit_log SET tender_id = NULL WHERE seq = 5`))).toMatch(
        /append-only: UPDATE/,
      );
      expect(await refusal(db.execute(sql`DELETE FROM audit_log WHERE seq = 5`))).toMatch(
        /append-only: DELETE/,
      );
      expect(await refusal(db.execute(sql`TRUNCATE audit_log`))).toMatch(/append-only: TRUNCATE/);
      expect(await verifyAuditChain(database.handle)).toMatchObject({ ok: true, entries: 500 });
    });
  });
}

describe('tamper detection (an attacker with superuser rights bypasses the triggers)', () => {
  let database: TestDatabase;
  let attacker: pg.Client;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const log = new AuditLog(database.handle.db);
    for (let i = 1; i <= 30; i++) await log.append(entry(i));
    await log.close();
    attacker = new pg.Client({ connectionString: database.url });
    await attacker.connect();
    await attacker.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
  });
  afterAll(async () => {
    await attacker.end();
    await database.drop();
  });

  // Each case changes a copy of the table, verifies, then restores it.
  async function tampered(change: string) {
    await attacker.query('CREATE TEMP TABLE IF NOT EXISTS pristine AS SELECT * FROM audit_log');
    await attacker.query(change);
    const report = await verifyAuditChain(database.handle);
    await attacker.query('DELETE FROM audit_log; INSERT INTO audit_log SELECT * FROM pristine');
    return report;
  }

  it('finds an altered entry', async () => {
    expect(
      await tampered(`UPDATE audit_log SET entry = replace(entry, 'quoted', 'QUOTED') WHERE seq = 17`),
    ).toMatchObject({
      ok: false,
      seq: 17,
      problem: 'altered',
      entries: 16,
    });
  });

  it('finds a column changed without its entry text (what queries and screens show)', async () => {
    expect(await tampered(`UPDATE audit_log SET tender_id = gen_random_uuid() WHERE seq = 11`)).toMatchObject(
      {
        ok: false,
        seq: 11,
        problem: 'altered',
      },
    );
  });

  it('finds an entry rewritten with its hash recomputed', async () => {
    const rewrite = `UPDATE audit_log SET entry = replace(entry, 'BID_LATE', 'ok'),
      hash = sha256(convert_to(encode(prev_hash, 'hex') || replace(entry, 'BID_LATE', 'ok'), 'UTF8')) WHERE seq = 10`;
    expect(await tampered(rewrite)).toMatchObject({ ok: false, seq: 10, problem: 'altered', entries: 9 });
  });

  it('finds a removed entry', async () => {
    expect(await tampered('DELETE FROM audit_log WHERE seq = 12')).toMatchObject({
      ok: false,
      seq: 12,
      problem: 'removed',
    });
  });

  it('finds a removed and renumbered entry', async () => {
    expect(
      await tampered(
        'DELETE FROM audit_log WHERE seq = 12; UPDATE audit_log SET seq = seq - 1 WHERE seq > 12',
      ),
    ).toMatchObject({ ok: false, seq: 12, problem: 'removed' });
  });

  it('finds reordered entries', async () => {
    expect(
      await tampered(
        'UPDATE audit_log SET seq = -1 WHERE seq = 20; UPDATE audit_log SET seq = 20 WHERE seq = 21; UPDATE audit_log SET seq = 21 WHERE seq = -1',
      ),
    ).toMatchObject({ ok: false, seq: 20, problem: 'reordered' });
  });

  it('finds a cut tail with an anchor from a receipt', async () => {
    const intact = await verifyAuditChain(database.handle);
    if (!intact.ok || !intact.head) throw new Error('expected an intact chain');
    const anchors = [intact.head];
    await attacker.query('CREATE TEMP TABLE IF NOT EXISTS pristine AS SELECT * FROM audit_log');
    await attacker.query('DELETE FROM audit_log WHERE seq > 25');
    const report = await verifyAuditChain(database.handle, { anchors });
    await attacker.query('DELETE FROM audit_log; INSERT INTO audit_log SELECT * FROM pristine');
    expect(report).toMatchObject({ ok: false, seq: 30, problem: 'removed' });
    expect(await verifyAuditChain(database.handle, { anchors })).toMatchObject({ ok: true });
  });
});

describe('two server processes sharing one chain', () => {
  it('interleaves their batches into one gapless chain', async () => {
    const database = await createTestDatabase('postgres');
    const other = await openDatabase({ url: database.url, dataDir: database.dataDir });
    try {
      const a = new AuditLog(database.handle.db, { batchSize: 20 });
      const b = new AuditLog(other.db, { batchSize: 20 });
      await Promise.all(Array.from({ length: 400 }, (_, i) => (i % 2 ? a : b).append(entry(i))));
      await Promise.all([a.close(), b.close()]);
      expect(await verifyAuditChain(database.handle)).toMatchObject({ ok: true, entries: 400 });
    } finally {
      await other.close();
      await database.drop();
    }
  });
});
