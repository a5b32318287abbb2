/**
 * A bidder taking part from the command line (`bidhall hall join`), and the record bundle checked offline
 * with `bidhall record verify` and with openssl alone.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { HallClient } from '@bidhall/shared/hall-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptOwnBid, signRecord } from '../../server/src/hall-client/bidder-actions.ts';
import { advanceTo, afterDeadline, joinHall, keysOf, prepareOpening, signerOf } from '../support/hall.ts';
import { cmsVerify } from '../support/openssl.ts';
import { caPath, certPath, crlPath, keyPath, platformPath } from '../support/pki.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'bidhall-hall-cli-'));
let server: TestServer;
const clients: HallClient[] = [];

beforeAll(async () => {
  server = await startTestServer({ listen: true });
});
afterAll(async () => {
  for (const client of clients) client.close();
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

describe('bidhall hall join and the record bundle', () => {
  it('a command-line bidder goes through the opening; the bundle verifies offline and detects tampering', async () => {
    const { tender, drawSeeds } = await prepareOpening(server, work, ['bidder1', 'bidder2', 'bidder3'], {
      draw: { label: { zh: 'K值', en: 'K value' }, options: ['1', '2', '3'] },
    });
    const seedFile = join(work, 'seed.txt');
    writeFileSync(seedFile, drawSeeds.get('bidder2')!);
    const cli = spawn(
      process.execPath,
      [
        'bin/bidhall.ts',
        'hall',
        'join',
        '--server',
        server.url,
        '--tender-id',
        tender.id,
        '--cert',
        certPath('bidder2', 'sign'),
        '--key',
        keyPath('bidder2', 'sign'),
        '--enc-cert',
        certPath('bidder2', 'enc'),
        '--enc-key',
        keyPath('bidder2', 'enc'),
        '--self-test',
        '--draw-seed',
        seedFile,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    cli.stdout.on('data', (chunk) => {
      output += chunk;
    });
    cli.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number>((resolve) => cli.on('exit', (code) => resolve(code ?? -1)));

    const host = await joinHall(server, 'host', 'host', tender.id);
    const bidder1 = await joinHall(server, 'bidder1', 'bidder', tender.id);
    const bidder3 = await joinHall(server, 'bidder3', 'bidder', tender.id);
    clients.push(host, bidder1, bidder3);
    await expect.poll(() => output, { timeout: 20_000 }).toContain('self-test passed');

    await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
    await host.request('hall:start-decryption', { tenderId: tender.id });
    await decryptOwnBid(bidder1, tender.id, keysOf('bidder1'));
    await decryptOwnBid(bidder3, tender.id, keysOf('bidder3'));
    await host.waitFor(
      () => host.events.filter((e) => e.type === 'bid' && e.data.openingStatus === 'decrypted').length === 3,
      60_000,
    );
    // Every seed revealed: the reading need not wait for the end of the window.
    for (const [name, client] of [
      ['bidder1', bidder1],
      ['bidder3', bidder3],
    ] as const)
      await client.request('hall:reveal-seed', { tenderId: tender.id, seed: drawSeeds.get(name)! });
    await host.request('hall:announce', { tenderId: tender.id });
    const draw = await host.waitFor((e) => e.type === 'draw');
    expect(
      draw.type === 'draw' && draw.data.seeds.find((s) => s.bidderName === '北方路桥集团有限公司')?.seed,
    ).toBe(drawSeeds.get('bidder2'));
    await host.request('hall:open-record', { tenderId: tender.id });
    await bidder1.waitFor((e) => e.type === 'record');
    await bidder3.waitFor((e) => e.type === 'record');
    await signRecord(bidder1, tender.id, signerOf('bidder1'));
    await signRecord(bidder3, tender.id, signerOf('bidder3'));
    await host.waitFor(() => host.events.filter((e) => e.type === 'signature').length === 3, 20_000);
    await host.request('hall:close', { tenderId: tender.id });
    expect(await exited, output).toBe(0);
    expect(output).toContain('opening ended: closed');
    expect(output).toContain('record signed');

    // The bundle, as the host downloads it.
    const response = await fetch(`${server.url}/api/tenders/${tender.id}/record-bundle`, {
      headers: { authorization: `Bearer ${(await server.login('host', 'host')).token}` },
    });
    expect(response.status).toBe(200);
    const bundlePath = join(work, 'bundle.tar');
    writeFileSync(bundlePath, Buffer.from(await response.arrayBuffer()));
    const trust = [
      '--platform',
      platformPath('receipt.pem'),
      '--ca',
      caPath('ca-a'),
      caPath('ca-b'),
      '--crl',
      crlPath('ca-a'),
      crlPath('ca-b'),
    ];
    const verified = await run(process.execPath, [
      'bin/bidhall.ts',
      'record',
      'verify',
      bundlePath,
      ...trust,
      '--json',
    ]);
    const report = JSON.parse(verified.stdout);
    expect(report).toMatchObject({ ok: true, objections: 0, unsigned: [] });
    expect(report.signed).toHaveLength(3);

    // openssl alone checks each signature against record.json.
    const extracted = join(work, 'extracted');
    mkdirSync(extracted);
    await run('tar', ['-xf', bundlePath, '-C', extracted]);
    const manifest = JSON.parse(readFileSync(join(extracted, 'manifest.json'), 'utf8'));
    for (const signature of manifest.signatures as { file: string }[]) {
      const ca = signature.file.includes('91510000') || signature.file.includes('91440000') ? 'ca-b' : 'ca-a';
      cmsVerify(
        join(extracted, signature.file),
        ca,
        '-content',
        join(extracted, 'record.json'),
        '-out',
        '/dev/null',
      );
    }

    // One changed character in the record: the bundle no longer verifies.
    const record = readFileSync(join(extracted, 'record.json'), 'utf8');
    writeFileSync(join(extracted, 'record.json'), record.replace('"decrypted"', '"revoked"'));
    const tampered = join(work, 'tampered.tar');
    await run('tar', ['-cf', tampered, '-C', extracted, '.']);
    const failed = await run(process.execPath, [
      'bin/bidhall.ts',
      'record',
      'verify',
      tampered,
      ...trust,
    ]).catch((error: { code: number; stdout: string }) => error);
    expect(failed).toMatchObject({ code: 1, stdout: expect.stringContaining('record.json was altered') });
  });
});
