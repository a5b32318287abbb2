/**
 * The bid documents as the committee reads them: each decrypted bid's documents are the tar package the
 * bidder sealed (docs/bid-format.md), kept in the blob store under its plaintext hash. The package is
 * listed file by file and one file is streamed at a time, never unpacked to disk nor held in memory
 * whole (a package may be gigabytes of drawings). Who may read, and the audit of every opening, are the
 * route's (plugins/app/evaluation.ts) and the committee's (committee-service.ts).
 */
import { createReadStream } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import type { CommitteeBidDocuments } from '@bidhall/shared';
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import tar from 'tar-stream';
import type { Executor } from '../db/client.ts';
import { actors, bids } from '../db/schema/index.ts';
import type { BlobStore } from '../storage/blob-store.ts';

interface PackageFile {
  readonly index: number;
  readonly path: string;
  readonly bytes: number;
}

/** Walks the package's entries; `onFile` gets each regular file and says whether to stop there. */
function walk(
  path: string,
  onFile: (file: PackageFile, stream: Readable) => Promise<'next' | 'stop'>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const source = createReadStream(path);
    const extract = tar.extract();
    let index = 0;
    let stopped = false;
    const finish = (error?: unknown) => {
      if (stopped) return;
      stopped = true;
      source.destroy();
      extract.destroy();
      if (error) reject(error);
      else resolve();
    };
    extract.on('entry', (header, stream, next) => {
      if (header.type !== 'file') {
        stream.resume();
        stream.on('end', next);
        return;
      }
      const file = { index: index++, path: header.name, bytes: header.size ?? 0 };
      // The entry is a Readable; the typings name it otherwise.
      onFile(file, stream as unknown as Readable).then(
        (what) => (what === 'stop' ? finish() : next()),
        (error: unknown) => finish(error),
      );
    });
    extract.on('finish', () => finish());
    extract.on('error', (error) => finish(error));
    source.on('error', (error) => finish(error));
    source.pipe(extract);
  });
}

/** The files of one package, in order. */
export async function packageFiles(path: string): Promise<PackageFile[]> {
  const files: PackageFile[] = [];
  await walk(path, async (file, stream) => {
    files.push(file);
    stream.resume();
    await new Promise((done) => stream.on('end', done));
    return 'next';
  });
  return files;
}

/**
 * File `wanted` of a package, as a stream that ends with the file (null when the package has none with
 * that index). The package is read only up to the end of that file.
 */
export function packageFile(
  path: string,
  wanted: number,
): Promise<{ readonly file: PackageFile; readonly stream: Readable } | null> {
  return new Promise((resolve, reject) => {
    let found = false;
    walk(path, async (file, stream) => {
      if (file.index !== wanted) {
        stream.resume();
        await new Promise((done) => stream.on('end', done));
        return 'next';
      }
      found = true;
      const out = new PassThrough();
      resolve({ file, stream: out });
      await new Promise<void>((done, fail) => {
        stream.on('error', fail);
        out.on('close', () => done());
        stream.pipe(out);
        stream.on('end', () => done());
      });
      return 'stop';
    }).then(() => {
      if (!found) resolve(null);
    }, reject);
  });
}

/** The decrypted bids of a tender, each with its package's plaintext path and bidder. */
export async function decryptedPackages(
  db: Executor,
  blobs: BlobStore,
  tenderId: string,
): Promise<{ bidId: string; bidder: string; path: string }[]> {
  const rows = await db
    .select({ id: bids.id, bidder: actors.name, sha256: bids.documentsPlainSha256 })
    .from(bids)
    .innerJoin(actors, eq(actors.id, bids.bidderId))
    .where(
      and(
        eq(bids.tenderId, tenderId),
        eq(bids.status, 'submitted'),
        eq(bids.openingStatus, 'decrypted'),
        isNotNull(bids.documentsPlainSha256),
      ),
    )
    .orderBy(asc(actors.name));
  return rows.map((r) => ({ bidId: r.id, bidder: r.bidder, path: blobs.pathOf(r.sha256!) }));
}

/** Every decrypted bid's files, for the committee's list. */
export async function committeeDocuments(
  db: Executor,
  blobs: BlobStore,
  tenderId: string,
): Promise<CommitteeBidDocuments[]> {
  const packages = await decryptedPackages(db, blobs, tenderId);
  return Promise.all(
    packages.map(async (p) => ({ bidId: p.bidId, bidder: p.bidder, files: await packageFiles(p.path) })),
  );
}
