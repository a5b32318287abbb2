/**
 * Real databases for tests: a fresh database on the PostgreSQL server at 127.0.0.1 per test file (or an
 * embedded PGlite in a temporary folder), dropped afterwards. Never a mock.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type DatabaseHandle, openDatabase } from '../../server/src/db/client.ts';

export const adminUrl = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** Connection URL (PostgreSQL) or undefined (PGlite). */
  readonly url: string | undefined;
  readonly dataDir: string;
  readonly handle: DatabaseHandle;
  drop(): Promise<void>;
}

export async function createPostgresDatabase(
  serverUrl: string = adminUrl,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bidhall_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function createTestDatabase(
  kind: 'postgres' | 'pglite' = 'postgres',
  /** Another PostgreSQL server than the machine's (a cluster the test started itself). */
  serverUrl?: string,
): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bidhall-data-'));
  const server = kind === 'postgres' ? await createPostgresDatabase(serverUrl) : null;
  const handle = await openDatabase({ url: server?.url, dataDir });
  return {
    url: server?.url,
    dataDir,
    handle,
    async drop() {
      await handle.close();
      await server?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
