/**
 * The bidder's command line against a real server: download the tender, seal a folder, upload, get a
 * receipt openssl verifies, verify the audit chain with the receipt as anchor, withdraw.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expertCsvColumns } from '@bidhall/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmsDecrypt, cmsVerify } from '../support/openssl.ts';
import { caPath, certPath, keyPath, platformPath } from '../support/pki.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'bidhall-cli-'));
let server: TestServer;
let tenderId: string;

async function bidhall(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/bidhall.ts', ...args], {
      env: {
        ...process.env,
        DATABASE_URL: server.database.url,
        DATA_DIR: server.config.dataDir,
        LOG_LEVEL: 'silent',
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const bidder = ['--cert', certPath('bidder2', 'sign'), '--key', keyPath('bidder2', 'sign')];

beforeAll(async () => {
  server = await startTestServer({ listen: true });
  tenderId = (await server.createTender((await server.login('host', 'host')).token)).id;
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

describe('bidhall command line', () => {
  it('takes a bid from a folder to a verified receipt and an anchored audit chain', async () => {
    const tenderFile = join(work, 'tender.json');
    expect(
      (await bidhall('tender', 'get', tenderId, '--server', server.url, ...bidder, '--out', tenderFile)).code,
    ).toBe(0);
    const documents = join(work, 'documents');
    mkdirSync(join(documents, '商务标'), { recursive: true });
    const technical = randomBytes(2 * 1024 * 1024);
    writeFileSync(join(documents, '技术标.pdf'), technical);
    writeFileSync(join(documents, '商务标', '报价单.txt'), '总价 8,765,432.10 元');
    writeFileSync(join(work, 'summary.json'), JSON.stringify({ price: '8765432.10', duration: 270 }));
    const sealedDir = join(work, 'sealed');
    const seal = await bidhall(
      'bid',
      'seal',
      '--tender',
      tenderFile,
      '--summary',
      join(work, 'summary.json'),
      '--documents',
      documents,
      '--sign-cert',
      certPath('bidder2', 'sign'),
      '--sign-key',
      keyPath('bidder2', 'sign'),
      '--enc-cert',
      certPath('bidder2', 'enc'),
      '--out',
      sealedDir,
      '--opening-ca',
      platformPath('opening-ca.pem'),
    );
    expect(seal.code, seal.stderr).toBe(0);

    // What the bidder sealed opens with the bidder's own key, with openssl alone, back to the same files.
    const signed = join(work, 'documents.signed');
    writeFileSync(signed, cmsDecrypt(join(sealedDir, 'documents.p7m'), 'bidder2'));
    const tar = cmsVerify(signed, 'ca-a');
    mkdirSync(join(work, 'extracted'));
    writeFileSync(join(work, 'documents.tar'), tar);
    await run('tar', ['-xf', join(work, 'documents.tar'), '-C', join(work, 'extracted')]);
    expect(readFileSync(join(work, 'extracted', '技术标.pdf')).equals(technical)).toBe(true);

    const submit = await bidhall(
      'bid',
      'submit',
      '--server',
      server.url,
      '--tender-id',
      tenderId,
      '--dir',
      sealedDir,
      ...bidder,
    );
    expect(submit.code, submit.stderr).toBe(0);
    const receipt = JSON.parse(cmsVerify(join(sealedDir, 'receipt.p7s'), 'ca-a').toString());
    expect(receipt).toMatchObject({ kind: 'submission', tenderId, bidder: { name: '北方路桥集团有限公司' } });

    const again = await bidhall(
      'bid',
      'submit',
      '--server',
      server.url,
      '--tender-id',
      tenderId,
      '--dir',
      sealedDir,
      ...bidder,
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('BID_DUPLICATE');

    await server.app.audit.flush();
    const verify = await bidhall(
      'audit',
      'verify',
      '--anchor',
      `${receipt.audit.seq}:${receipt.audit.hash}`,
      '--json',
    );
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
    const wrongAnchor = await bidhall(
      'audit',
      'verify',
      '--anchor',
      `${receipt.audit.seq}:${'0'.repeat(64)}`,
    );
    expect(wrongAnchor.code).toBe(1);
    expect(wrongAnchor.stdout).toContain('BROKEN');

    const withdraw = await bidhall(
      'bid',
      'withdraw',
      '--server',
      server.url,
      '--tender-id',
      tenderId,
      ...bidder,
      '--receipt',
      join(work, 'withdrawal.p7s'),
    );
    expect(withdraw.code, withdraw.stderr).toBe(0);
    expect(JSON.parse(cmsVerify(join(work, 'withdrawal.p7s'), 'ca-a').toString())).toMatchObject({
      kind: 'withdrawal',
      bidId: receipt.bidId,
    });
  });

  it('refuses to seal a summary that does not fit the tender, or to an opening certificate from another CA', async () => {
    const tenderFile = join(work, 'tender.json');
    writeFileSync(join(work, 'bad-summary.json'), JSON.stringify({ price: 12.5, colour: 'blue' }));
    const common = [
      '--documents',
      join(work, 'documents'),
      '--sign-cert',
      certPath('bidder2', 'sign'),
      '--sign-key',
      keyPath('bidder2', 'sign'),
      '--enc-cert',
      certPath('bidder2', 'enc'),
    ];
    const bad = await bidhall(
      'bid',
      'seal',
      '--tender',
      tenderFile,
      '--summary',
      join(work, 'bad-summary.json'),
      ...common,
      '--out',
      join(work, 'bad'),
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /VALIDATION_FAILED.*colour: not a field.*price: expected a decimal string.*duration.*required/,
    );
    const foreign = await bidhall(
      'bid',
      'seal',
      '--tender',
      tenderFile,
      '--summary',
      join(work, 'summary.json'),
      ...common,
      '--out',
      join(work, 'foreign'),
      '--opening-ca',
      caPath('ca-b'),
    );
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain('not issued by the opening CA');
  });

  it('imports experts and adds seats for the administrator, refusing a bad file whole', async () => {
    const header = expertCsvColumns.join(',');
    const file = join(work, 'experts.csv');
    writeFileSync(
      file,
      `${header}\nC0001,李专家,110105198001011234,A080101,北京市,第一设计院,91110000000000001X,,active,\n`,
    );
    const imported = await bidhall('experts', 'import', file);
    expect([imported.code, imported.stdout.trim()]).toEqual([0, `imported ${file}: 1 added, 0 updated`]);
    writeFileSync(
      file,
      `${header}\nC0002,王专家,110105198001015678,A080101,北京市,第一设计院,bad,,active,\n`,
    );
    const refused = await bidhall('experts', 'import', file);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'EXPERTS_INVALID: line 2: employerCreditCode is not in the expected format',
    );
    expect((await server.app.pool.list()).map((e) => e.code)).toEqual(['C0001']);
    const seat = [
      'seats',
      'add',
      '--centre',
      '上海市公共资源交易中心',
      '--city',
      'shanghai',
      '--room',
      '评标室1',
    ];
    const added = await bidhall(...seat, '--seat', '01', '--network', '10.30.1.0/24');
    expect([added.code, added.stdout]).toEqual([
      0,
      expect.stringContaining('registered seat 上海市公共资源交易中心 评标室1 01'),
    ]);
    const again = await bidhall(...seat, '--seat', '01', '--network', '10.30.1.0/24');
    expect(again.stderr).toContain('SEAT_EXISTS');
  });

  it('explains a bad configuration and exits without starting', async () => {
    const { stderr } = await run(process.execPath, ['bin/bidhall.ts', 'audit', 'verify'], {
      env: { ...process.env, PORT: 'x', DATABASE_URL: 'nope' },
    }).catch((error: { stderr: string }) => error);
    expect(stderr).toMatch(/Invalid configuration:\n {2}- PORT: .*\n {2}- DATABASE_URL:/);
  });
});
