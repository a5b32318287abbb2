/**
 * `npm run bench`: bidhall against references measured in the same run, printed as a table.
 *
 *  - sealing a 100 MB package: bidhall's streaming sealer vs `openssl cms -sign | openssl cms -encrypt`
 *  - receiving it: a real server process (PostgreSQL) taking the multipart upload, parsing, hashing and
 *    storing it, vs `openssl cms -cmsout` reading the same file and `openssl dgst -sha256`
 *  - peak RSS of the server while receiving a 500 MB upload, above its idle RSS (target < 100 MB)
 *  - audit appends per second with the chain computed (target ≥ 20,000/s) vs plain batched INSERTs
 *  - audit verification speed (target ≥ 200,000 entries/s) vs fetching the same rows without hashing
 *
 * BENCH_MB (default 100) and BENCH_BIG_MB (default 500) scale the files; BENCH_AUDIT (default 200000)
 * the audit entries. Needs PostgreSQL on 127.0.0.1 (TEST_PG_ADMIN_URL) and the openssl binary.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { bidFormat, type TenderView } from '@bidhall/shared';
import { sql } from 'drizzle-orm';
import { devPkiIsCurrent, generateDevPki } from '../../certs/generate.ts';
import { AuditLog } from '../../server/src/audit/audit-log.ts';
import { verifyAuditChain } from '../../server/src/audit/verify.ts';
import { signSmall } from '../../server/src/cms/signed-data.ts';
import { openDatabase } from '../../server/src/db/client.ts';
import { parseCertificate } from '../../server/src/pki/certificate.ts';
import { createPostgresDatabase } from '../support/db.ts';
import { certPath, keyPath, loadCert, loadKey } from '../support/pki.ts';
import { benchDecryption } from './decryption.ts';
import { benchBroadcast } from './hall-broadcast.ts';
import { benchMedia } from './media.ts';
import { benchReview } from './review.ts';
import { sealToFile } from './seal.ts';

const mb = Number(process.env.BENCH_MB ?? 100);
const bigMb = Number(process.env.BENCH_BIG_MB ?? 500);
const auditCount = Number(process.env.BENCH_AUDIT ?? 200_000);
const deadlineUploads = Number(process.env.BENCH_DEADLINE_UPLOADS ?? 20);
const work = mkdtempSync(join(tmpdir(), 'bidhall-bench-'));
const rows: { name: string; bidhall: string; reference: string; ratio: string; target: string }[] = [];

function time<T>(fn: () => T): { result: T; seconds: number } {
  const started = performance.now();
  const result = fn();
  return { result, seconds: (performance.now() - started) / 1000 };
}
async function timeAsync<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await fn();
  return { result, seconds: (performance.now() - started) / 1000 };
}
/** The middle of three measurements. */
const median = (values: number[]) => [...values].sort((a, b) => a - b)[1]!;
const s = (seconds: number) => `${seconds.toFixed(2)} s`;
const openssl = (...args: string[]) =>
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 30 });

async function makeFile(path: string, megabytes: number): Promise<void> {
  const chunk = randomBytes(1024 * 1024);
  async function* data() {
    for (let i = 0; i < megabytes; i++) yield chunk;
  }
  await pipeline(data, createWriteStream(path));
}

function sealFile(input: string, output: string, opening: string): Promise<{ sha256: string; size: number }> {
  const signer = { certificate: loadCert('bidder1', 'sign'), privateKey: loadKey('bidder1', 'sign') };
  return sealToFile(createReadStream(input, { highWaterMark: 1024 * 1024 }), output, signer, [
    loadCert('bidder1', 'enc'),
    parseCertificate(opening),
  ]);
}

/** Starts `bidhall start` as a separate process (so its memory can be measured) on a fresh database. */
async function startServer(
  databaseUrl: string,
  dataDir: string,
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const port = 3900 + Math.floor(Math.random() * 90);
  const child = spawn(process.execPath, ['bin/bidhall.ts', 'start'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      // The demo tender would hold bidder1's bid already (BID_EXISTS) and add uploads of its own.
      DEMO: 'false',
      MAX_DOCUMENTS_BYTES: String(4 * 1024 ** 3),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(`${url}/api/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Runs a command and samples its resident memory every 20 ms; resolves with the peak (VmHWM). */
function peakRss(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    let peak = 0;
    const sample = setInterval(() => {
      try {
        peak = Math.max(peak, memoryOf(child.pid!).peak);
      } catch {
        // the process has just exited
      }
    }, 20);
    child.on('exit', (code) => {
      clearInterval(sample);
      if (code === 0) resolve(peak);
      else reject(new Error(`${args.join(' ')} exited with ${code}`));
    });
  });
}

function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

async function login(url: string, actor = 'bidder1', role = 'bidder'): Promise<string> {
  const challenge = (await (await fetch(`${url}/api/auth/challenge`, { method: 'POST' })).json()) as {
    nonce: string;
    challenge: string;
  };
  const signature = sign(
    'sha256',
    Buffer.from(challenge.challenge),
    createPrivateKey(readFileSync(keyPath(actor, 'sign'))),
  );
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      nonce: challenge.nonce,
      role,
      certificateChain: readFileSync(certPath(actor, 'sign'), 'utf8'),
      signature: signature.toString('base64'),
    }),
  });
  return ((await response.json()) as { token: string }).token;
}

/** A tender of the benchmark's own, created by the host through the API (the server runs no demo). */
async function createBenchTender(url: string, minutesToDeadline = 60): Promise<TenderView> {
  const token = await login(url, 'host', 'host');
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const custodians = (await (await fetch(`${url}/api/actors?role=custodian`, { headers })).json()) as {
    id: string;
  }[];
  const response = await fetch(`${url}/api/tenders`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      code: `BENCH-${randomBytes(4).toString('hex')}`,
      title: 'benchmark',
      deadline: new Date(Date.now() + minutesToDeadline * 60_000).toISOString(),
      summaryFields: [
        { key: 'price', label: { zh: '报价', en: 'Price' }, type: 'money', required: true },
        { key: 'duration', label: { zh: '工期', en: 'Duration' }, type: 'days', required: true },
      ],
      custodianIds: custodians.slice(0, 2).map((c) => c.id),
      quorum: 2,
    }),
  });
  if (response.status !== 201)
    throw new Error(`creating the benchmark tender failed: ${await response.text()}`);
  return (await response.json()) as TenderView;
}

interface PreparedUpload {
  readonly tenderId: string;
  readonly manifest: Buffer;
  readonly signature: Buffer;
  readonly summary: string;
  readonly documents: string;
}

/** Manifest and signature for two sealed files: the bidder's work, done before the upload is timed. */
async function prepareUpload(
  tender: TenderView,
  documents: string,
  summary: string,
): Promise<PreparedUpload> {
  const digest = async (path: string) => {
    const hash = createHash('sha256');
    await pipeline(createReadStream(path), hash);
    return { sha256: hash.digest('hex'), size: statSync(path).size };
  };
  const manifest = Buffer.from(
    JSON.stringify({
      format: bidFormat,
      tenderId: tender.id,
      parts: { summary: await digest(summary), documents: await digest(documents) },
      encryptionCertificate: readFileSync(certPath('bidder1', 'enc'), 'utf8'),
      sealedAt: new Date().toISOString(),
    }),
  );
  const signer = { certificate: loadCert('bidder1', 'sign'), privateKey: loadKey('bidder1', 'sign') };
  return {
    tenderId: tender.id,
    manifest,
    signature: signSmall(manifest, signer, { detached: true }),
    summary,
    documents,
  };
}

/**
 * Streams the multipart body straight from disk over a plain HTTP request, as a browser does in native
 * code, so that the measurement is the server's receiving and not a JavaScript client's encoding.
 */
interface Sent {
  /** Wall-clock milliseconds: when the last byte left for the server, and when the answer came. */
  readonly lastByteAt: number;
  readonly answeredAt: number;
  readonly receivedAt: number;
}

function send(url: string, token: string, upload: PreparedUpload, replace: boolean): Promise<Sent> {
  const boundary = `----bidhall-bench-${randomBytes(8).toString('hex')}`;
  const head = (name: string) =>
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
  const parts: [string, Buffer | string][] = [
    ['manifest', upload.manifest],
    ['manifestSignature', upload.signature],
    ['summary', upload.summary],
    ['documents', upload.documents],
  ];
  const tail = Buffer.from(`--${boundary}--\r\n`);
  const length =
    parts.reduce(
      (sum, [name, body]) =>
        sum + head(name).length + (typeof body === 'string' ? statSync(body).size : body.length) + 2,
      0,
    ) + tail.length;
  async function* body() {
    for (const [name, part] of parts) {
      yield head(name);
      if (typeof part === 'string') yield* createReadStream(part, { highWaterMark: 1024 * 1024 });
      else yield part;
      yield Buffer.from('\r\n');
    }
    yield tail;
  }
  return new Promise((resolve, reject) => {
    let lastByteAt = 0;
    const request = httpRequest(
      `${url}/api/tenders/${upload.tenderId}/bids${replace ? '?replace=true' : ''}`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': length,
        },
      },
    );
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () =>
        response.statusCode === 201
          ? resolve({
              lastByteAt,
              answeredAt: Date.now(),
              receivedAt: Date.parse(
                (JSON.parse(text) as { receipt: { receivedAt: string } }).receipt.receivedAt,
              ),
            })
          : reject(new Error(`upload failed: ${response.statusCode} ${text}`)),
      );
    });
    // 'finish': the whole body has been handed to the operating system.
    request.on('finish', () => {
      lastByteAt = Date.now();
    });
    request.on('error', reject);
    pipeline(body, request).catch(reject);
  });
}

async function benchSealAndReceive(): Promise<void> {
  const plain = join(work, 'package.bin');
  await makeFile(plain, mb);
  const database = await createPostgresDatabase();
  const dataDir = join(work, 'data');
  const server = await startServer(database.url, dataDir);
  try {
    const token = await login(server.url);
    const tender = await createBenchTender(server.url);
    const openingPath = join(work, 'opening.pem');
    await import('node:fs/promises').then((fs) => fs.writeFile(openingPath, tender.openingCertificate));

    // Median of three runs each (the first warms caches and the JIT).
    const sealRuns: number[] = [];
    const opensslRuns: number[] = [];
    for (let run = 0; run < 3; run++) {
      rmSync(join(work, 'documents.p7m'), { force: true });
      sealRuns.push(
        (await timeAsync(() => sealFile(plain, join(work, 'documents.p7m'), tender.openingCertificate)))
          .seconds,
      );
      opensslRuns.push(
        time(() => {
          openssl(
            'cms',
            '-sign',
            '-binary',
            '-nodetach',
            '-stream',
            '-in',
            plain,
            '-signer',
            certPath('bidder1', 'sign'),
            '-inkey',
            keyPath('bidder1', 'sign'),
            '-outform',
            'DER',
            '-out',
            join(work, 'openssl.signed'),
          );
          openssl(
            'cms',
            '-encrypt',
            '-binary',
            '-aes-256-gcm',
            '-stream',
            '-in',
            join(work, 'openssl.signed'),
            '-inform',
            'DER',
            '-outform',
            'DER',
            '-out',
            join(work, 'openssl.p7m'),
            '-recip',
            certPath('bidder1', 'enc'),
            '-recip',
            openingPath,
          );
        }).seconds,
      );
    }
    const ours = { seconds: median(sealRuns) };
    const theirs = { seconds: median(opensslRuns) };
    rows.push({
      name: `seal ${mb} MB (sign + encrypt, GCM)`,
      bidhall: s(ours.seconds),
      reference: `${s(theirs.seconds)} openssl cms`,
      ratio: (ours.seconds / theirs.seconds).toFixed(2),
      target: '≤ 1',
    });

    const summaryPath = join(work, 'summary.p7m');
    const smallPlain = join(work, 'summary.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(smallPlain, '{"price":"1.00"}'));
    await sealFile(smallPlain, summaryPath, tender.openingCertificate);
    const prepared = await prepareUpload(tender, join(work, 'documents.p7m'), summaryPath);
    const received = await timeAsync(() => send(server.url, token, prepared, false));
    const parse = time(() =>
      openssl('cms', '-cmsout', '-noout', '-inform', 'DER', '-in', join(work, 'documents.p7m')),
    );
    const digest = time(() => openssl('dgst', '-sha256', join(work, 'documents.p7m')));
    rows.push({
      name: `receive ${mb} MB (upload, parse, hash, store)`,
      bidhall: s(received.seconds),
      reference: `${s(parse.seconds)} openssl cms -cmsout`,
      ratio: (received.seconds / parse.seconds).toFixed(2),
      target: 'report',
    });
    rows.push({
      name: `  … against hashing alone`,
      bidhall: s(received.seconds),
      reference: `${s(digest.seconds)} openssl dgst`,
      ratio: (received.seconds / digest.seconds).toFixed(2),
      target: 'report',
    });

    // The deadline instant: how long after a request's last byte the server's receipt time lies, over
    // uploads alternating two bids (replace=true), against when the answer came (after flush and checks).
    const alternate: PreparedUpload[] = [];
    for (const name of ['deadline-a', 'deadline-b']) {
      await makeFile(join(work, `${name}.bin`), Math.max(1, Math.round(mb / 10)));
      await sealFile(join(work, `${name}.bin`), join(work, `${name}.p7m`), tender.openingCertificate);
      alternate.push(await prepareUpload(tender, join(work, `${name}.p7m`), summaryPath));
    }
    const lags: number[] = [];
    const answers: number[] = [];
    for (let i = 0; i < deadlineUploads; i++) {
      const sent = await send(server.url, token, alternate[i % 2]!, true);
      lags.push(sent.receivedAt - sent.lastByteAt);
      answers.push(sent.answeredAt - sent.lastByteAt);
    }
    const p = (values: number[], q: number) =>
      [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!;
    rows.push({
      name: `deadline: last byte → receivedAt (${deadlineUploads} uploads)`,
      bidhall: `p50 ${p(lags, 0.5)} ms, max ${Math.max(...lags)} ms`,
      reference: `answer p50 ${p(answers, 0.5)} ms after last byte`,
      ratio: (p(lags, 0.5) / Math.max(1, p(answers, 0.5))).toFixed(2),
      target: 'lag ≈ 0',
    });

    rmSync(plain);
    // The bidder's tool on a big package: `bidhall bid seal` as its own process, its peak RSS sampled,
    // against the same on a package five times smaller: bounded memory means the same peak.
    const folder = join(work, 'big-folder');
    await import('node:fs/promises').then((fs) => fs.mkdir(folder));
    await makeFile(join(folder, 'documents.bin'), bigMb);
    const tenderFile = join(work, 'tender.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(tenderFile, JSON.stringify(tender)));
    const summaryFile = join(work, 'summary-values.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(summaryFile, '{"price":"1.00","duration":1}'));
    const sealCommand = (documents: string, out: string) => [
      'bin/bidhall.ts',
      'bid',
      'seal',
      '--tender',
      tenderFile,
      '--summary',
      summaryFile,
      '--documents',
      documents,
      '--sign-cert',
      certPath('bidder1', 'sign'),
      '--sign-key',
      keyPath('bidder1', 'sign'),
      '--enc-cert',
      certPath('bidder1', 'enc'),
      '--out',
      out,
    ];
    const smallFolder = join(work, 'small-folder');
    await import('node:fs/promises').then((fs) => fs.mkdir(smallFolder));
    const smallMb = Math.max(1, Math.round(bigMb / 5));
    await makeFile(join(smallFolder, 'documents.bin'), smallMb);
    const small = await peakRss(process.execPath, sealCommand(smallFolder, join(work, 'small-sealed')));
    const cli = await timeAsync(() =>
      peakRss(process.execPath, sealCommand(folder, join(work, 'big-sealed'))),
    );
    const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
    rows.push({
      name: `bid seal CLI ${bigMb} MB folder: peak RSS`,
      bidhall: `${megabytes(cli.result)} (${s(cli.seconds)})`,
      reference: `${megabytes(small)} sealing ${smallMb} MB`,
      ratio: (cli.result / small).toFixed(2),
      target: 'flat (≈ 1)',
    });
    await import('node:fs/promises').then((fs) =>
      fs.rename(join(work, 'big-sealed', 'documents.p7m'), join(work, 'big.p7m')),
    );
    rmSync(folder, { recursive: true });
    const idle = memoryOf(server.pid);
    const big = await prepareUpload(tender, join(work, 'big.p7m'), summaryPath);
    await send(server.url, token, big, true);
    const after = memoryOf(server.pid);
    const aboveIdle = (after.peak - idle.rss) / 1024 / 1024;
    rows.push({
      name: `server peak RSS receiving ${bigMb} MB`,
      bidhall: `${aboveIdle.toFixed(0)} MB above idle`,
      reference: `idle ${(idle.rss / 1024 / 1024).toFixed(0)} MB`,
      ratio: '',
      target: '< 100 MB',
    });
  } finally {
    await server.stop();
    await database.drop();
  }
}

async function benchAudit(): Promise<void> {
  const database = await createPostgresDatabase();
  const handle = await openDatabase({ url: database.url, dataDir: work });
  try {
    const entry = (i: number) => ({
      actorId: 'bench',
      role: 'bidder',
      ip: '127.0.0.1',
      action: 'hall.timed-step' as const,
      target: `t-${i}`,
      outcome: 'ok',
      detail: { i },
    });
    const log = new AuditLog(handle.db, { batchSize: 1000 });
    const appends = await timeAsync(async () => {
      // Producers enqueue in waves, as request handlers would.
      for (let wave = 0; wave < auditCount / 10_000; wave++) {
        await Promise.all(Array.from({ length: 10_000 }, (_, i) => log.append(entry(wave * 10_000 + i))));
      }
      await log.close();
    });
    await handle.db.execute(sql`CREATE TABLE plain_log (LIKE audit_log)`);
    const plain = await timeAsync(async () => {
      for (let offset = 0; offset < auditCount; offset += 1000) {
        const batch = Array.from({ length: 1000 }, (_, i) => {
          return {
            seq: offset + i + 1,
            entry: JSON.stringify(entry(offset + i)),
            prevHash: '00',
            hash: '00',
          };
        });
        await handle.db.execute(sql`
          INSERT INTO plain_log (seq, entry, prev_hash, hash)
          SELECT r.seq, r.entry, decode(r."prevHash", 'hex'), decode(r.hash, 'hex')
          FROM jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) AS r(seq bigint, entry text, "prevHash" text, hash text)`);
      }
    });
    const rate = (seconds: number) => `${Math.round(auditCount / seconds).toLocaleString('en')}/s`;
    rows.push({
      name: `audit append ${auditCount.toLocaleString('en')} (chained, batched)`,
      bidhall: rate(appends.seconds),
      reference: `${rate(plain.seconds)} plain INSERT`,
      ratio: (plain.seconds / appends.seconds).toFixed(2),
      target: '≥ 20,000/s',
    });

    // A settled table (no checkpoint in flight), and the median of three runs, for both sides.
    await handle.db.execute(sql`CHECKPOINT`);
    const verifyRuns: number[] = [];
    const readRuns: number[] = [];
    for (let run = 0; run < 3; run++) {
      const verify = await timeAsync(() => verifyAuditChain(handle));
      if (!verify.result.ok || verify.result.entries !== auditCount) {
        throw new Error(`verification failed: ${JSON.stringify(verify.result)}`);
      }
      verifyRuns.push(verify.seconds);
      // The same rows, streamed the same way, with no checks: what reading alone costs.
      const read = await timeAsync(async () => {
        for await (const _ of handle.copyOut!(
          `SELECT seq, entry, encode(prev_hash, 'hex'), encode(hash, 'hex'), tender_id FROM audit_log ORDER BY seq`,
        ));
      });
      readRuns.push(read.seconds);
    }
    const verify = { seconds: median(verifyRuns) };
    const fetchOnly = { seconds: median(readRuns) };
    rows.push({
      name: `audit verify ${auditCount.toLocaleString('en')}`,
      bidhall: rate(verify.seconds),
      reference: `${rate(fetchOnly.seconds)} read only (COPY)`,
      ratio: (verify.seconds / fetchOnly.seconds).toFixed(2),
      target: '≥ 200,000/s',
    });
  } finally {
    await handle.close();
    await database.drop();
  }
}

/** Which suites to run: `npm run bench -- foundation hall decryption review media` (default: all). */
const suites = new Set(
  process.argv.slice(2).length
    ? process.argv.slice(2)
    : ['foundation', 'hall', 'decryption', 'review', 'media'],
);
const participants = (process.env.BENCH_PARTICIPANTS ?? '1000,5000').split(',').map(Number);
const broadcasts = Number(process.env.BENCH_BROADCASTS ?? 10);

async function benchHall(): Promise<void> {
  const database = await createPostgresDatabase();
  try {
    await benchBroadcast(rows, database.url, join(work, 'hall-data'), participants, broadcasts);
  } finally {
    await database.drop();
  }
}

if (!devPkiIsCurrent()) generateDevPki();
try {
  if (suites.has('foundation')) {
    // The audit benchmark first, in a fresh process: what it measures is JavaScript per entry.
    await benchAudit();
    await benchSealAndReceive();
  }
  if (suites.has('hall')) await benchHall();
  if (suites.has('decryption')) await benchDecryption(rows, work);
  if (suites.has('review')) await benchReview(rows);
  if (suites.has('media')) await benchMedia(rows);
} finally {
  rmSync(work, { recursive: true, force: true });
}
const widths = { name: 52, bidhall: 36, reference: 32, ratio: 7, target: 14 };
const line = (r: Record<keyof typeof widths, string>) =>
  `| ${(Object.keys(widths) as (keyof typeof widths)[]).map((k) => r[k].padEnd(widths[k])).join(' | ')} |`;
console.log(
  `\nbidhall benchmarks (${new Date().toISOString()}, node ${process.version}, ${await readFile('/proc/cpuinfo', 'utf8').then((t) => (t.match(/^processor/gm) ?? []).length)} cores)\n`,
);
console.log(
  line({
    name: 'benchmark',
    bidhall: 'bidhall',
    reference: 'reference (same run)',
    ratio: 'ratio',
    target: 'target',
  }),
);
console.log(
  line({
    name: '-'.repeat(widths.name),
    bidhall: '-'.repeat(widths.bidhall),
    reference: '-'.repeat(widths.reference),
    ratio: '-'.repeat(widths.ratio),
    target: '-'.repeat(widths.target),
  }),
);
for (const row of rows) console.log(line(row));
// libwebrtc (the media suite's simulated participants) may crash at a natural exit: leave directly.
process.exit(0);
