import { once } from 'node:events';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store.ts';

const root = mkdtempSync(join(tmpdir(), 'bidhall-blobs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const hour = 60 * 60 * 1000;
const age = (path: string, ms: number) =>
  utimesSync(path, new Date(Date.now() - ms), new Date(Date.now() - ms));

describe('blob store', () => {
  it('moves a verified upload under its hash, deduplicates, and sweeps what a crash left behind', async () => {
    const store = new BlobStore(root);
    await store.init();
    const sha = (c: string) => c.repeat(64);
    const temp = store.createTemp();
    temp.stream.end('sealed bytes');
    await once(temp.stream, 'close');
    expect(await store.commit(temp.path, sha('a'))).toBe(true);
    const again = store.createTemp();
    again.stream.end('sealed bytes');
    await once(again.stream, 'close');
    expect(await store.commit(again.path, sha('a'))).toBe(false);
    expect(await store.tempFiles()).toEqual([]);

    // A crash between rename and commit leaves an unreferenced blob; a crash mid-upload, a temp file.
    const orphan = store.pathOf(sha('b'));
    await import('node:fs/promises').then((fs) => fs.mkdir(join(orphan, '..'), { recursive: true }));
    writeFileSync(orphan, 'orphan');
    const fresh = store.pathOf(sha('c'));
    await import('node:fs/promises').then((fs) => fs.mkdir(join(fresh, '..'), { recursive: true }));
    writeFileSync(fresh, 'being committed by another process');
    age(orphan, 2 * hour);
    age(store.pathOf(sha('a')), 2 * hour);
    const leftover = store.createTemp();
    leftover.stream.end('half');
    await once(leftover.stream, 'close');
    age(leftover.path, 25 * hour);

    const referenced = new Set([sha('a')]);
    expect(await store.sweepOrphans(async (s) => referenced.has(s), hour)).toBe(1);
    expect(await store.sweepTemp(24 * hour)).toBe(1);
    const { existsSync } = await import('node:fs');
    expect([existsSync(store.pathOf(sha('a'))), existsSync(orphan), existsSync(fresh)]).toEqual([
      true,
      false,
      true,
    ]);
    expect(() => store.pathOf('../../etc/passwd')).toThrow(RangeError);
  });
});
