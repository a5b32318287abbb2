/**
 * Documents decryption benchmark: `BENCH_BIDS` bids (default 1,000) of `BENCH_BID_MB` MB (default 10),
 * sealed to four bidders (RSA and EC recipients). The clock starts when the last content key arrives
 * (all keys set at once) and stops when every documents part is decrypted, its signature verified and
 * its plaintext stored — in a separate server process, whose peak memory is reported. Reference: `openssl
 * cms -decrypt` on the same files, one after the other (it decrypts only; bidhall also verifies).
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { buildApp } from '../../server/src/app.ts';
import { EnvelopeReader } from '../../server/src/cms/enveloped.ts';
import { recipientMatches, unwrapContentKey } from '../../server/src/cms/recipients.ts';
import { loadConfig } from '../../server/src/config.ts';
import { seedDevActors } from '../../server/src/dev/seed.ts';
import { parseCertificate } from '../../server/src/pki/certificate.ts';
import { createPostgresDatabase } from '../support/db.ts';
import { certPath, keyPath, loadCert, loadKey, pkiDir } from '../support/pki.ts';
import type { Row } from './hall-broadcast.ts';
import { sealToFile } from './seal.ts';

const bidderNames = ['bidder1', 'bidder2', 'bidder3', 'bidder4'];

export async function benchDecryption(rows: Row[], work: string): Promise<void> {
  const count = Number(process.env.BENCH_BIDS ?? 1000);
  const megabytes = Number(process.env.BENCH_BID_MB ?? 10);
  const database = await createPostgresDatabase();
  const dataDir = join(work, 'decryption-data');
  mkdirSync(dataDir, { recursive: true });
  try {
    // Set-up: tenders (four bids each, one per bidder), sealed documents in the blob store, bid rows.
    const config = loadConfig({ DATABASE_URL: database.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const app = await buildApp({ config });
    await app.ready();
    await app.scheduler.stop();
    const actors = await seedDevActors(app.db, app.trust, pkiDir, new Date());
    const host = actors.get('host')!;
    const template = await app.tenders.create(
      {
        code: 'BENCH-TEMPLATE',
        title: 'decryption benchmark',
        deadline: new Date(Date.now() + 3_600_000).toISOString(),
        decryptionWindowMinutes: 30,
        summaryFields: [{ key: 'price', label: { zh: '报价', en: 'Price' }, type: 'money', required: true }],
        minBidders: 3,
        custodianIds: ['custodian1', 'custodian2'].map((n) => actors.get(n)!.id),
        quorum: 2,
        remedyPolicy: 'none',
        openingKeyAlgorithm: 'rsa-2048',
        checkInMinutes: 30,
      },
      { actorId: host.id, role: 'host', ip: null },
    );
    await app.close();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const bidderIds = new Map<string, string>();
    for (const name of bidderNames) {
      const identity = loadCert(name, 'sign').identity!;
      const { rows: inserted } = await client.query(
        `INSERT INTO actors (identity, role, name) VALUES ($1, 'bidder', $2)
         ON CONFLICT (identity, role) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
        [identity, name],
      );
      bidderIds.set(name, (inserted[0] as { id: string }).id);
    }
    const files: string[] = [];
    const keys: { bidId: string; key: string }[] = [];
    const openingCertificate = parseCertificate(template.openingCertificate);
    const sealedDir = join(work, 'sealed-bids');
    mkdirSync(sealedDir, { recursive: true });
    for (let i = 0; i < count; i++) {
      const name = bidderNames[i % 4]!;
      let tenderId = template.id;
      if (i % 4 === 0 && i > 0) {
        const { rows: cloned } = await client.query(
          `INSERT INTO tenders SELECT (jsonb_populate_record(t, jsonb_build_object('id', gen_random_uuid(), 'code', $2::text))).* FROM tenders t WHERE id = $1 RETURNING id`,
          [template.id, `BENCH-${i}`],
        );
        tenderId = (cloned[0] as { id: string }).id;
      } else if (i > 0) {
        tenderId = (await client.query(`SELECT tender_id FROM bids ORDER BY received_at DESC LIMIT 1`))
          .rows[0].tender_id;
      }
      const sealedPath = join(sealedDir, `${i}.p7m`);
      const signer = { certificate: loadCert(name, 'sign'), privateKey: loadKey(name, 'sign') };
      async function* plaintext() {
        for (let m = 0; m < megabytes; m++) yield randomBytes(1024 * 1024);
      }
      const { sha256, size } = await sealToFile(plaintext(), sealedPath, signer, [
        loadCert(name, 'enc'),
        openingCertificate,
      ]);
      const blob = join(dataDir, 'blobs', 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
      mkdirSync(join(blob, '..'), { recursive: true });
      await (await import('node:fs/promises')).copyFile(sealedPath, blob);
      const envelope = await EnvelopeReader.open(
        (await import('node:fs')).readFileSync(sealedPath).subarray(0, 4096),
      );
      const recipient = envelope.header.recipients.find((r) => recipientMatches(r, loadCert(name, 'enc')))!;
      const key = unwrapContentKey(recipient, loadKey(name, 'enc'));
      const { rows: bid } = await client.query(
        `INSERT INTO bids (tender_id, bidder_id, summary_sha256, summary_size, documents_sha256, documents_size, manifest,
           manifest_signature, encryption_certificate, received_at, receipt)
         VALUES ($1, $2, $3, 1, $3, $4, '\\x00', '\\x00', $5, now(), '\\x00') RETURNING id`,
        [tenderId, bidderIds.get(name), sha256, size, loadCert(name, 'enc').pem],
      );
      keys.push({ bidId: (bid[0] as { id: string }).id, key: key.toString('base64') });
      files.push(sealedPath);
    }
    await client.end();
    const keysFile = join(work, 'content-keys.json');
    writeFileSync(keysFile, JSON.stringify(keys));

    // bidhall: a separate process, timed from the moment all keys are set.
    const child = spawn(
      process.execPath,
      [
        ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : []),
        join(import.meta.dirname, 'decryption-run.ts'),
        keysFile,
      ],
      {
        env: { ...process.env, DATABASE_URL: database.url, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    await once(child, 'exit');
    const ours = JSON.parse(output.trim().split('\n').at(-1)!) as {
      seconds: number;
      maxRssMb: number;
      decrypted: number;
    };

    // openssl cms -decrypt, one file after another.
    const started = performance.now();
    for (const [i, file] of files.entries()) {
      const name = bidderNames[i % 4]!;
      await promisify(execFile)('openssl', [
        'cms',
        '-decrypt',
        '-binary',
        '-inform',
        'DER',
        '-in',
        file,
        '-recip',
        certPath(name, 'enc'),
        '-inkey',
        keyPath(name, 'enc'),
        '-out',
        '/dev/null',
      ]);
    }
    const theirs = (performance.now() - started) / 1000;
    rows.push({
      name: `decrypt ${count} × ${megabytes} MB documents (after last key)`,
      bidhall: `${ours.seconds.toFixed(1)} s, ${ours.decrypted} ok`,
      reference: `${theirs.toFixed(1)} s openssl cms -decrypt`,
      ratio: (ours.seconds / theirs).toFixed(2),
      target: '≤ 0.75',
    });
    rows.push({
      name: '  peak RSS of the decrypting server',
      bidhall: `${ours.maxRssMb.toFixed(0)} MB`,
      reference: `${count * megabytes} MB of documents`,
      ratio: '',
      target: 'bounded',
    });
  } finally {
    await database.drop();
  }
}
