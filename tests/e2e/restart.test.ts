/**
 * The server killed with SIGKILL in the middle of decrypting documents, and started again: the session
 * resumes (clients reconnect and catch up), the interrupted job is taken over when its lease expires,
 * nothing decrypted is lost, no half-written file stays behind, and the audit chain verifies.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HallClient } from '@bidhall/shared/hall-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceTo, afterDeadline, joinHall, prepareOpening } from '../support/hall.ts';
import {
  documentsPending,
  expectNothingHalfWrittenAndAuditVerifies,
  expectWholeSequences,
  freePort,
  startServerProcess,
  submitKeysUntilDecrypting,
} from '../support/processes.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const work = mkdtempSync(join(tmpdir(), 'bidhall-restart-'));
let setup: TestServer;
const children: ChildProcess[] = [];
const clients: HallClient[] = [];

beforeAll(async () => {
  setup = await startTestServer({ listen: true });
});
afterAll(async () => {
  for (const client of clients) client.close();
  for (const child of children) child.kill('SIGKILL');
  await setup.close();
  rmSync(work, { recursive: true, force: true });
});

const startProcess = (port: number) => startServerProcess(setup, port, { children });

describe('SIGKILL during decryption', () => {
  it('resumes after a restart: nothing decrypted is lost, every client catches up, the audit chain verifies', async () => {
    const bidders = ['bidder1', 'bidder2', 'bidder3'];
    const { tender } = await prepareOpening(setup, work, bidders, {}, 80 * 1024 * 1024);
    await advanceTo(setup, tender.id, afterDeadline(tender), 'opened');
    const host = await joinHall(setup, 'host', 'host', tender.id);
    clients.push(host);
    await host.request('hall:start-decryption', { tenderId: tender.id });
    // From here on, separate server processes do the work.
    await setup.app.scheduler.stop();

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await startProcess(port);
    const watcher = new HallClient({ url, token: (await setup.login('supervisor', 'supervisor')).token });
    clients.push(watcher);
    await watcher.connect();
    await watcher.join(tender.id);
    const bidderClients = new Map<string, HallClient>();
    for (const name of bidders) {
      const client = new HallClient({ url, token: (await setup.login(name, 'bidder')).token });
      clients.push(client);
      await client.connect();
      await client.join(tender.id);
      bidderClients.set(name, client);
    }
    await submitKeysUntilDecrypting(watcher, bidderClients, tender.id);
    children[0]!.kill('SIGKILL');
    await once(children[0]!, 'exit');

    // The kill really interrupted decryption: documents are still to be opened.
    expect(await documentsPending(setup, tender.id)).toBeGreaterThan(0);
    const summaries = await setup.database.handle.queryText(
      `SELECT count(*)::text FROM bids WHERE tender_id = '${tender.id}' AND summary_fields IS NOT NULL`,
    );
    expect(summaries[0]![0]).toBe('3');

    await startProcess(port);
    await watcher.waitFor(
      () =>
        new Set(
          watcher.events
            .filter((e) => e.type === 'bid' && e.data.openingStatus === 'decrypted')
            .map((e) => e.seq),
        ).size >= 3,
      90_000,
    );
    const decrypted = await setup.database.handle.queryText(
      `SELECT count(*)::text FROM bids WHERE tender_id = '${tender.id}' AND opening_status = 'decrypted'`,
    );
    expect(decrypted[0]![0]).toBe('3');

    // Every client saw every event, in order, without gaps, across the restart.
    await expectWholeSequences(watcher, [...bidderClients.values()]);
    await expectNothingHalfWrittenAndAuditVerifies(setup);
  });
});
