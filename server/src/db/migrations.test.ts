import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../tests/support/db.ts';
import { type DatabaseHandle, openDatabase } from './client.ts';

const expectedTables = [
  'actors',
  'audit_log',
  'bids',
  'candidate_objections',
  'check_ins',
  'clarification_files',
  'clarifications',
  'committee_events',
  'committee_members',
  'committees',
  'evaluation_experts',
  'evaluation_venues',
  'evaluations',
  'expert_assessments',
  'expert_services',
  'experts',
  'hall_events',
  'hall_proposals',
  'leader_votes',
  'login_challenges',
  'objections',
  'outages',
  'ratings',
  'record_signatures',
  'recording_segments',
  'remedy_sessions',
  'remedy_shares',
  'report_stances',
  'review_sheets',
  'seats',
  'self_test_challenges',
  'sheet_drafts',
  'tender_custodians',
  'tenders',
  'time_votes',
  'venue_recordings',
];

const committedMigrations = (
  JSON.parse(readFileSync(new URL('../../drizzle/meta/_journal.json', import.meta.url), 'utf8')) as {
    entries: unknown[];
  }
).entries;

async function tables(handle: DatabaseHandle): Promise<string[]> {
  const rows = await handle.queryText(
    `SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
  );
  return rows.map((row) => row[0]!);
}

describe('migrations', () => {
  it('PostgreSQL: two processes starting at once migrate once, without error', async () => {
    const database = await createPostgresDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'bidhall-migrate-'));
    try {
      const handles = await Promise.all([
        openDatabase({ url: database.url, dataDir }),
        openDatabase({ url: database.url, dataDir }),
      ]);
      expect(await tables(handles[0])).toEqual(expectedTables);
      const applied = await handles[1].queryText('SELECT count(*)::text FROM drizzle.__drizzle_migrations');
      // Each committed migration once, not twice.
      expect(applied[0]![0]).toBe(String(committedMigrations.length));
      await Promise.all(handles.map((h) => h.close()));
    } finally {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('PGlite: the same schema, and reopening an existing data folder keeps its data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bidhall-pglite-'));
    try {
      const first = await openDatabase({ dataDir });
      expect(await tables(first)).toEqual(expectedTables);
      await first.queryText(`INSERT INTO actors (identity, role, name) VALUES ('X-1', 'host', '持久化测试')`);
      await first.close();
      const second = await openDatabase({ dataDir });
      expect(await second.queryText(`SELECT name FROM actors WHERE identity = 'X-1'`)).toEqual([
        ['持久化测试'],
      ]);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
