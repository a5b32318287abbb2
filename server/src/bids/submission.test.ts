import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TenderView } from '@bidhall/shared';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opensslSealedBid, type SealedFiles, uploadBid } from '../../../tests/support/bids.ts';
import { advanceTo, afterDeadline } from '../../../tests/support/hall.ts';
import { cmsVerify, openssl } from '../../../tests/support/openssl.ts';
import { certPath, loadCert, loadKey, loadOpeningCa } from '../../../tests/support/pki.ts';
import { startTestServer, type TestServer } from '../../../tests/support/server.ts';
import { rowsOf } from '../db/client.ts';
import { parseCertificate } from '../pki/certificate.ts';
import { sealBid } from '../sealing/seal-bid.ts';

const work = mkdtempSync(join(tmpdir(), 'bidhall-submit-'));
let server: TestServer;
let tender: TenderView;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer({
    listen: true,
    env: { MAX_SUMMARY_BYTES: String(64 * 1024), UPLOAD_IDLE_TIMEOUT_SECONDS: '1' },
  });
  for (const bidder of ['bidder1', 'bidder2', 'bidder3', 'bidder4'])
    tokens[bidder] = (await server.login(bidder, 'bidder')).token;
  tokens.host = (await server.login('host', 'host')).token;
  tender = await server.createTender(tokens.host);
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

async function bidRows(tenderId: string) {
  return rowsOf<{ status: string; bidder: string }>(
    await server.app.db.execute(
      sql`SELECT b.status, a.name AS bidder FROM bids b JOIN actors a ON a.id = b.bidder_id WHERE b.tender_id = ${tenderId}`,
    ),
  );
}

async function lastAudit() {
  await server.app.audit.flush();
  const [row] = rowsOf<{ action: string; outcome: string; actor_id: string | null; ip: string | null }>(
    await server.app.db.execute(
      sql`SELECT entry::jsonb ->> 'action' AS action, entry::jsonb ->> 'outcome' AS outcome, entry::jsonb ->> 'actorId' AS actor_id, entry::jsonb ->> 'ip' AS ip FROM audit_log ORDER BY seq DESC LIMIT 1`,
    ),
  );
  return row!;
}

function storedBlobs(): string[] {
  const root = join(server.config.dataDir, 'blobs', 'sha256');
  return readdirSync(root, { recursive: true })
    .map(String)
    .filter((p) => /[0-9a-f]{64}$/.test(p));
}

describe('accepted submissions', () => {
  it('accepts an openssl-sealed bid (GCM, RSA), stores it content-addressed and returns a receipt openssl verifies', async () => {
    const files = opensslSealedBid(work, tender, { bidder: 'bidder1' });
    const result = await uploadBid(server.url, tokens.bidder1!, tender.id, files);
    expect(result.status, JSON.stringify(result.body)).toBe(201);
    const receiptPath = join(files.dir, 'receipt.p7s');
    writeFileSync(receiptPath, Buffer.from(result.body.signedReceipt!, 'base64'));
    const content = JSON.parse(cmsVerify(receiptPath, 'ca-a').toString());
    const summarySha = createHash('sha256').update(readFileSync(files.summary)).digest('hex');
    expect(content).toMatchObject({
      format: 'bidhall-receipt/1',
      kind: 'submission',
      tenderId: tender.id,
      bidder: { identity: '91310000MA1FL0001X', name: '华东建设工程有限公司' },
      parts: { summary: { sha256: summarySha } },
    });
    expect(storedBlobs()).toEqual(expect.arrayContaining([expect.stringContaining(summarySha)]));
    // The receipt anchors the audit chain: its entry is the submission.
    const [entry] = rowsOf<{ action: string; hash: string }>(
      await server.app.db.execute(
        sql`SELECT entry::jsonb ->> 'action' AS action, encode(hash, 'hex') AS hash FROM audit_log WHERE seq = ${content.audit.seq}`,
      ),
    );
    expect(entry).toEqual({ action: 'bid.submit', hash: content.audit.hash });
  });

  it('accepts BER (-stream), CBC, RSA-OAEP and an EC (ECDH) bidder from the other CA', async () => {
    const files = opensslSealedBid(work, tender, {
      bidder: 'bidder3',
      stream: true,
      cipher: 'aes-256-cbc',
      oaep: true,
    });
    const result = await uploadBid(server.url, tokens.bidder3!, tender.id, files);
    expect(result.status, JSON.stringify(result.body)).toBe(201);
  });

  it('accepts what `bidhall bid seal` makes (the streaming sealer)', async () => {
    const documentsDir = join(work, 'docs-bidder4');
    rmSync(documentsDir, { recursive: true, force: true });
    for (const [name, size] of [
      ['技术标.pdf', 300_000],
      ['商务标/报价单.xlsx', 20_000],
    ] as const) {
      const path = join(documentsDir, name);
      await import('node:fs/promises').then((fs) => fs.mkdir(join(path, '..'), { recursive: true }));
      writeFileSync(path, randomBytes(size));
    }
    const sealed = await sealBid({
      tender,
      openingCertificate: parseCertificate(tender.openingCertificate),
      openingCa: loadOpeningCa(),
      summary: { price: '9876543.21', duration: 300 },
      documentsDir,
      signer: { certificate: loadCert('bidder4', 'sign'), privateKey: loadKey('bidder4', 'sign') },
      encryptionCertificate: loadCert('bidder4', 'enc'),
      outDir: join(work, 'sealed-bidder4'),
    });
    const result = await uploadBid(server.url, tokens.bidder4!, tender.id, {
      manifestText: readFileSync(sealed.files.manifest, 'utf8'),
      manifestSignature: readFileSync(sealed.files.manifestSignature).toString('base64'),
      summary: sealed.files.summary,
      documents: sealed.files.documents,
    });
    expect(result.status, JSON.stringify(result.body)).toBe(201);
  });

  it('refuses an identical re-upload, asks before replacing, replaces, and withdraws with receipts', async () => {
    const files = opensslSealedBid(work, tender, { bidder: 'bidder2' });
    expect((await uploadBid(server.url, tokens.bidder2!, tender.id, files)).status).toBe(201);
    const duplicate = await uploadBid(server.url, tokens.bidder2!, tender.id, files, { replace: true });
    expect(duplicate).toMatchObject({ status: 409, body: { code: 'BID_DUPLICATE' } });
    const second = opensslSealedBid(work, tender, {
      bidder: 'bidder2',
      fields: { price: '11000000.00', duration: 300 },
    });
    expect(await uploadBid(server.url, tokens.bidder2!, tender.id, second)).toMatchObject({
      status: 409,
      body: { code: 'BID_EXISTS' },
    });
    const replaced = await uploadBid(server.url, tokens.bidder2!, tender.id, second, { replace: true });
    expect(replaced).toMatchObject({ status: 201, body: { receipt: { kind: 'replacement' } } });
    expect(
      (await bidRows(tender.id))
        .filter((r) => r.bidder === '北方路桥集团有限公司')
        .map((r) => r.status)
        .sort(),
    ).toEqual(['replaced', 'submitted']);
    const withdraw = await server.app.inject({
      method: 'DELETE',
      url: `/api/tenders/${tender.id}/bids/mine`,
      headers: { authorization: `Bearer ${tokens.bidder2}` },
    });
    expect(withdraw.statusCode).toBe(200);
    expect(withdraw.json()).toMatchObject({ receipt: { kind: 'withdrawal', bidId: replaced.body.bidId } });
    const again = await server.app.inject({
      method: 'DELETE',
      url: `/api/tenders/${tender.id}/bids/mine`,
      headers: { authorization: `Bearer ${tokens.bidder2}` },
    });
    expect(again.json()).toMatchObject({ code: 'BID_NOT_FOUND' });
  });
});

describe('bad input: specific code, nothing stored, audited', () => {
  let baseline: { rows: number; blobs: number };
  beforeAll(async () => {
    baseline = { rows: (await bidRows(tender.id)).length, blobs: storedBlobs().length };
  });

  async function expectRefused(
    result: Promise<{ status: number; body: { code?: string } }>,
    code: string,
    status?: number,
  ) {
    const { status: got, body } = await result;
    expect(body.code, JSON.stringify(body)).toBe(code);
    if (status) expect(got).toBe(status);
    expect((await bidRows(tender.id)).length).toBe(baseline.rows);
    expect(storedBlobs().length).toBe(baseline.blobs);
    expect(await server.blobsTemp()).toEqual([]);
    expect(await lastAudit()).toMatchObject({ action: 'bid.submit', outcome: code });
  }

  const withParts = (files: SealedFiles, change: { summary?: Buffer; documents?: Buffer }): SealedFiles => {
    const manifest = JSON.parse(files.manifestText);
    const out = { ...files };
    for (const part of ['summary', 'documents'] as const) {
      const bytes = change[part];
      if (!bytes) continue;
      const path = `${files[part]}.changed`;
      writeFileSync(path, bytes);
      out[part] = path;
      manifest.parts[part] = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
    }
    const manifestPath = join(files.dir, 'manifest-changed.json');
    out.manifestText = JSON.stringify(manifest);
    writeFileSync(manifestPath, out.manifestText);
    out.manifestSignature = openssl(
      'cms',
      '-sign',
      '-binary',
      '-in',
      manifestPath,
      '-signer',
      certPath('bidder1', 'sign'),
      '-inkey',
      certPath('bidder1', 'sign').replace('sign.pem', 'sign.key.pem'),
      '-outform',
      'DER',
    ).toString('base64');
    return out;
  };

  let good: SealedFiles;
  beforeAll(() => {
    good = opensslSealedBid(work, tender, { bidder: 'bidder1', documents: randomBytes(200_000) });
  });
  const upload = (files: SealedFiles, token = tokens.bidder1!, options = {}) =>
    uploadBid(server.url, token, tender.id, files, options);

  it('malformed CMS', () =>
    expectRefused(upload(withParts(good, { summary: randomBytes(5000) })), 'CMS_MALFORMED', 422));

  it('truncated CMS', () =>
    expectRefused(
      upload(withParts(good, { documents: readFileSync(good.documents).subarray(0, 150_000) })),
      'CMS_TRUNCATED',
      422,
    ));

  it('oversized part', () =>
    expectRefused(
      upload(
        opensslSealedBid(work, tender, {
          bidder: 'bidder1',
          fields: { price: '1.00', duration: 1, note: 'x'.repeat(80_000) },
        }),
      ),
      'BID_TOO_LARGE',
      413,
    ));

  it('a part that does not match the manifest', async () => {
    const other = opensslSealedBid(work, tender, { bidder: 'bidder1' });
    await expectRefused(upload({ ...good, documents: other.documents }), 'BID_PART_MISMATCH', 422);
  });

  it('a missing part', () =>
    expectRefused(upload(good, tokens.bidder1, { omit: 'documents' }), 'BID_PART_MISSING', 422));

  it('missing recipient: not encrypted to the tender', () =>
    expectRefused(
      upload(opensslSealedBid(work, tender, { bidder: 'bidder1', recipients: [certPath('bidder1', 'enc')] })),
      'BID_RECIPIENT_MISSING',
    ));

  it('foreign recipient: also encrypted to another bidder', () => {
    const opening = join(work, 'opening-foreign.pem');
    writeFileSync(opening, tender.openingCertificate);
    return expectRefused(
      upload(
        opensslSealedBid(work, tender, {
          bidder: 'bidder1',
          recipients: [certPath('bidder1', 'enc'), opening, certPath('bidder2', 'enc')],
        }),
      ),
      'BID_RECIPIENT_FOREIGN',
    );
  });

  it('a wrong signer (manifest signed by another bidder)', () =>
    expectRefused(
      upload(opensslSealedBid(work, tender, { bidder: 'bidder1', manifestSigner: 'bidder2' })),
      'BID_SIGNER_MISMATCH',
      403,
    ));

  it('a revoked, an expired and an untrusted signing certificate', async () => {
    for (const [signer, code] of [
      ['bidder-revoked', 'CERT_REVOKED'],
      ['bidder-expired', 'CERT_EXPIRED'],
      ['bidder-untrusted', 'CERT_UNTRUSTED'],
    ]) {
      await expectRefused(
        upload(opensslSealedBid(work, tender, { bidder: 'bidder1', manifestSigner: signer! })),
        code!,
      );
    }
  });

  it('an altered manifest (signature no longer matches)', () => {
    const altered = {
      ...good,
      manifestText: good.manifestText.replace(
        /"drawCommitment": "(.)/,
        (_, c: string) => `"drawCommitment": "${c === 'a' ? 'b' : 'a'}`,
      ),
    };
    return expectRefused(upload(altered), 'BID_SIGNATURE_INVALID', 422);
  });

  it('a manifest sealed for another tender', () =>
    expectRefused(
      upload(
        opensslSealedBid(work, tender, {
          bidder: 'bidder1',
          editManifest: (m) => {
            m.tenderId = '00000000-0000-4000-8000-000000000000';
          },
        }),
      ),
      'BID_TENDER_MISMATCH',
    ));

  it('a manifest that is not JSON, with markup', () =>
    expectRefused(
      upload({ ...good, manifestText: '<script>alert(1)</script>' }),
      'BID_MANIFEST_INVALID',
      422,
    ));

  it('an unknown tender', async () => {
    const result = await uploadBid(server.url, tokens.bidder1!, '00000000-0000-4000-8000-000000000000', good);
    expect(result).toMatchObject({ status: 404, body: { code: 'TENDER_NOT_FOUND' } });
  });

  it('a wrong role, and no login at all', async () => {
    expect(await uploadBid(server.url, tokens.host!, tender.id, good)).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN_ROLE' },
    });
    expect(await uploadBid(server.url, 'not-a-token', tender.id, good)).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED' },
    });
    expect(await lastAudit()).toMatchObject({
      action: 'bid.submit',
      outcome: 'UNAUTHENTICATED',
      ip: '127.0.0.1',
    });
  });

  it('an upload that stalls', async () => {
    const { status, body } = await rawUpload(good, { stallAfterBytes: 50_000, stallMs: 1500 });
    expect(status).toBe(408);
    expect(JSON.parse(body)).toMatchObject({ code: 'UPLOAD_STALLED' });
    expect(await server.blobsTemp()).toEqual([]);
  });

  it('an upload the client aborts', async () => {
    await rawUpload(good, { abortAfterBytes: 60_000 }).catch(() => undefined);
    await expect.poll(async () => (await lastAudit()).outcome, { timeout: 5000 }).toBe('UPLOAD_ABORTED');
    expect(await server.blobsTemp()).toEqual([]);
    expect((await bidRows(tender.id)).length).toBe(baseline.rows);
  });
});

describe('the deadline', () => {
  it('keeps the bidder list sealed from the host until the deadline', async () => {
    const response = await server.app.inject({
      method: 'GET',
      url: `/api/tenders/${tender.id}/bids`,
      headers: { authorization: `Bearer ${tokens.host}` },
    });
    expect(response.json()).toMatchObject({ code: 'BIDS_SEALED' });
    await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
    const after = await server.app.inject({
      method: 'GET',
      url: `/api/tenders/${tender.id}/bids`,
      headers: { authorization: `Bearer ${tokens.host}` },
    });
    server.clock.offsetMs = 0;
    expect(after.statusCode).toBe(200);
    expect(after.json()).toHaveLength(3);
  });
  it('refuses an upload completing 1 ms after the deadline, and one that runs past it', async () => {
    const late = await server.createTender(tokens.host!);
    const files = opensslSealedBid(work, late, { bidder: 'bidder1', documents: randomBytes(100_000) });
    const deadline = new Date(late.deadline).getTime();
    server.clock.set(new Date(deadline + 1));
    const afterDeadline = await uploadBid(server.url, tokens.bidder1!, late.id, files);
    expect(afterDeadline).toMatchObject({ status: 403, body: { code: 'BID_LATE' } });
    // Starts 300 ms before the deadline, sends its last bytes after it.
    server.clock.set(new Date(deadline - 300));
    const { status, body } = await rawUpload(files, {
      tenderId: late.id,
      stallAfterBytes: 50_000,
      stallMs: 600,
    });
    expect(status).toBe(403);
    expect(JSON.parse(body)).toMatchObject({ code: 'BID_LATE' });
    server.clock.set(new Date(deadline - 10_000));
    expect((await uploadBid(server.url, tokens.bidder1!, late.id, files)).status).toBe(201);
    server.clock.offsetMs = 0;
  });
});

/** A multipart upload over a raw socket, so a test can stall or abort it mid-body. */
function rawUpload(
  files: SealedFiles,
  options: { tenderId?: string; stallAfterBytes?: number; stallMs?: number; abortAfterBytes?: number },
): Promise<{ status: number; body: string }> {
  const boundary = `----bidhall${randomBytes(8).toString('hex')}`;
  const file = (name: string, data: Buffer) =>
    Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.p7m"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      data,
      Buffer.from('\r\n'),
    ]);
  const body = Buffer.concat([
    file('manifest', Buffer.from(files.manifestText)),
    file('manifestSignature', Buffer.from(files.manifestSignature, 'base64')),
    file('summary', readFileSync(files.summary)),
    file('documents', readFileSync(files.documents)),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  const url = new URL(`${server.url}/api/tenders/${options.tenderId ?? tender.id}/bids`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens.bidder1}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': body.length,
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    const cut = options.abortAfterBytes ?? options.stallAfterBytes ?? body.length;
    req.write(body.subarray(0, cut));
    if (options.abortAfterBytes) {
      setTimeout(() => req.destroy(), 100);
      return;
    }
    setTimeout(() => req.end(body.subarray(cut)), options.stallMs ?? 0);
  });
}
