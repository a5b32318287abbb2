/**
 * The frame most end-to-end test files share: a real server for the file (started before its tests,
 * closed after), a scratch folder, and the hall clients the tests open, all closed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '@bidhall/shared';
import type { HallClient } from '@bidhall/shared/hall-client';
import { afterAll, beforeAll } from 'vitest';
import { joinHall } from './hall.ts';
import { startTestServer, type TestServer } from './server.ts';

export interface ServerFixture {
  /** The file's server (usable once its beforeAll has run). */
  readonly server: TestServer;
  readonly work: string;
  /** Logs `actor` in, joins the tender's hall; the client is closed after the file's tests. */
  enter(actor: string, role: Role, tenderId: string): Promise<HallClient>;
  /** Closes these clients after the file's tests. */
  track(...clients: HallClient[]): void;
}

export function useServer(
  name: string,
  options: Parameters<typeof startTestServer>[0] = { listen: true },
): ServerFixture {
  const work = mkdtempSync(join(tmpdir(), `bidhall-${name}-`));
  const clients: HallClient[] = [];
  let server: TestServer | null = null;
  beforeAll(async () => {
    server = await startTestServer(options);
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });
  // The server exists only once beforeAll has run; tests destructure the fixture at load time.
  const current = (): TestServer => {
    if (!server) throw new Error('the server starts in beforeAll');
    return server;
  };
  const proxy = new Proxy({} as TestServer, { get: (_, key) => Reflect.get(current(), key) });
  return {
    server: proxy,
    work,
    async enter(actor, role, tenderId) {
      const client = await joinHall(current(), actor, role, tenderId);
      clients.push(client);
      return client;
    },
    track(...more) {
      clients.push(...more);
    },
  };
}
