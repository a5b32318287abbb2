/**
 * Uploads at the edges: the deadline instant is when the last byte arrived (not after the disk caught up),
 * a stalled upload is answered when it stalls, an upload still running at the deadline is answered at
 * the deadline, one bidder cannot hold many uploads open, and a full disk refuses with a clear reason.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TenderView } from '@bidhall/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opensslSealedBid } from '../support/bids.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { bufferPart, type StreamUploadResult, streamUpload } from '../support/stream-upload.ts';

const work = mkdtempSync(join(tmpdir(), 'bidhall-uploads-'));
let server: TestServer;
let hostToken: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer({
    listen: true,
    env: { UPLOAD_IDLE_TIMEOUT_SECONDS: '1', UPLOAD_CONCURRENCY_PER_BIDDER: '1' },
  });
  hostToken = (await server.login('host', 'host')).token;
  for (const bidder of ['bidder1', 'bidder2', 'bidder3'])
    tokens[bidder] = (await server.login(bidder, 'bidder')).token;
});
afterAll(async () => {
  server.clock.offsetMs = 0;
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** An openssl-sealed bid as upload parts. */
function parts(tender: TenderView, bidder: string) {
  const files = opensslSealedBid(work, tender, { bidder, documents: randomBytes(300_000) });
  return {
    manifest: Buffer.from(files.manifestText),
    signature: Buffer.from(files.manifestSignature, 'base64'),
    summary: bufferPart(readFileSync(files.summary)),
    documents: bufferPart(readFileSync(files.documents)),
  };
}

/** Moves the server's clock so that `tender`'s deadline is `ms` from now. */
function deadlineIn(tender: TenderView, ms: number): void {
  server.clock.set(new Date(new Date(tender.deadline).getTime() - ms));
}

describe('uploads', () => {
  it('seal-12: the receipt time is when the last byte arrived, before the part was written to disk', async () => {
    const tender = await server.createTender(hostToken);
    const upload = parts(tender, 'bidder1');
    // A slow disk: flushing each part takes longer than the time left before the deadline. The margin
    // (1.5 s for a small upload) holds on a loaded machine; 500 ms did not.
    const flushMs = 1_600;
    const sync = server.app.blobs.sync.bind(server.app.blobs);
    server.app.blobs.sync = async (path: string) => {
      await new Promise((r) => setTimeout(r, flushMs));
      return sync(path);
    };
    try {
      deadlineIn(tender, 1_500);
      const result = await streamUpload(server.url, tokens.bidder1!, tender.id, upload);
      expect(result.status, JSON.stringify(result.body)).toBe(201);
      const receivedAt = Date.parse(result.body.receipt!.receivedAt!);
      expect(receivedAt).toBeLessThan(Date.parse(tender.deadline));
      // The answer came after the slow flushes; the receipt time is from before them.
      expect(result.answeredAt - result.lastByteAt!).toBeGreaterThan(flushMs);
      expect(receivedAt - server.clock.offsetMs).toBeLessThan(
        performance.timeOrigin + result.lastByteAt! + flushMs,
      );
    } finally {
      server.app.blobs.sync = sync;
      server.clock.offsetMs = 0;
    }
  });

  it('seal-21: an upload that stalls is answered UPLOAD_STALLED when it stalls, not when the client gives up', async () => {
    const tender = await server.createTender(hostToken);
    const started = performance.now();
    const result = await streamUpload(server.url, tokens.bidder2!, tender.id, parts(tender, 'bidder2'), {
      stallAfterBytes: 60_000,
    });
    expect(result).toMatchObject({ status: 408, body: { code: 'UPLOAD_STALLED' } });
    expect(result.answeredAt - started).toBeLessThan(10_000);
    expect(await server.blobsTemp()).toEqual([]);
  });

  it('seal-21: an upload still running at the deadline is answered BID_LATE at the deadline', async () => {
    const tender = await server.createTender(hostToken);
    deadlineIn(tender, 300);
    try {
      const result = await streamUpload(server.url, tokens.bidder3!, tender.id, parts(tender, 'bidder3'), {
        stallAfterBytes: 60_000,
      });
      expect(result).toMatchObject({ status: 403, body: { code: 'BID_LATE' } });
    } finally {
      server.clock.offsetMs = 0;
    }
  });

  it('seal-21: one bidder cannot hold several uploads open at once', async () => {
    const tender = await server.createTender(hostToken);
    const first = parts(tender, 'bidder1');
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: Promise<StreamUploadResult> = streamUpload(server.url, tokens.bidder1!, tender.id, first, {
      beforeLastByte: () => held,
    });
    await new Promise((r) => setTimeout(r, 300));
    const second = await streamUpload(server.url, tokens.bidder1!, tender.id, parts(tender, 'bidder1'));
    expect(second).toMatchObject({ status: 429, body: { code: 'UPLOAD_TOO_MANY' } });
    release();
    expect((await slow).status).toBe(201);
  });
});

describe('a full disk', () => {
  it('seal-21: refuses an upload with STORAGE_FULL before taking it in', async () => {
    const full = await startTestServer({
      listen: true,
      env: { MIN_FREE_DISK_MB: String(1024 * 1024 * 1024) },
    });
    try {
      const tender = await full.createTender((await full.login('host', 'host')).token);
      const token = (await full.login('bidder1', 'bidder')).token;
      const result = await streamUpload(full.url, token, tender.id, parts(tender, 'bidder1'));
      expect(result).toMatchObject({ status: 507, body: { code: 'STORAGE_FULL' } });
      expect(await full.blobsTemp()).toEqual([]);
    } finally {
      await full.close();
    }
  });
});
