/**
 * Content-addressed storage of sealed bid parts: `<root>/sha256/ab/cd/<hash>`. An upload is written to
 * `<root>/tmp/` (fsynced) and renamed into place only after it has been verified, so a crash or a
 * rejected upload never leaves a half-written file under a hash name. Several server processes may
 * share the root (a shared volume); renames are atomic on one filesystem.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface TempFile {
  readonly path: string;
  readonly stream: WriteStream;
}

export class BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  async init(): Promise<void> {
    await mkdir(join(this.root, 'tmp'), { recursive: true });
    await mkdir(join(this.root, 'sha256'), { recursive: true });
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new RangeError('not a SHA-256 hex digest');
    return join(this.root, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /** A fresh path in the temp folder (for a writer that creates the file itself, e.g. a worker). */
  newTempPath(): string {
    return join(this.root, 'tmp', `${randomUUID()}.part`);
  }

  /** A temp path with a fixed name, for a job that may be resumed by another process. */
  tempPathFor(name: string): string {
    if (!/^[A-Za-z0-9-]+$/.test(name)) throw new RangeError('temp names are letters, digits and dashes');
    return join(this.root, 'tmp', `${name}.part`);
  }

  createTemp(): TempFile {
    const path = this.newTempPath();
    // A large buffer lets the disk write while the next chunk is parsed (the default 16 KiB serialises them).
    return { path, stream: createWriteStream(path, { flags: 'wx', highWaterMark: 4 * 1024 * 1024 }) };
  }

  /** Flushes a finished temp file to disk. */
  async sync(path: string): Promise<void> {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /**
   * Moves a verified temp file to its content address. Returns false when that content was already
   * stored (the temp file is then removed): identical bytes, identical name.
   */
  async commit(tempPath: string, sha256: string): Promise<boolean> {
    const target = this.pathOf(sha256);
    await mkdir(join(target, '..'), { recursive: true });
    if (await exists(target)) {
      await unlink(tempPath);
      return false;
    }
    await rename(tempPath, target);
    return true;
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  async discard(tempPath: string): Promise<void> {
    await rm(tempPath, { force: true });
  }

  /** Removes temp files left by a crash (older than `olderThanMs`). */
  async sweepTemp(olderThanMs: number): Promise<number> {
    const dir = join(this.root, 'tmp');
    let removed = 0;
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => null);
      if (info && Date.now() - info.mtimeMs > olderThanMs) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }

  /**
   * Removes stored blobs that no row refers to and that are older than `olderThanMs`: left when a process
   * died between moving an upload into place and committing its row. The age guard leaves alone what
   * another process is committing right now.
   */
  async sweepOrphans(
    isReferenced: (sha256: string) => Promise<boolean>,
    olderThanMs: number,
  ): Promise<number> {
    let removed = 0;
    const root = join(this.root, 'sha256');
    for (const name of await readdir(root, { recursive: true })) {
      const sha256 = String(name).split('/').at(-1)!;
      if (!/^[0-9a-f]{64}$/.test(sha256)) continue;
      const path = this.pathOf(sha256);
      const info = await stat(path).catch(() => null);
      if (!info || Date.now() - info.mtimeMs < olderThanMs || (await isReferenced(sha256))) continue;
      await rm(path, { force: true });
      removed++;
    }
    return removed;
  }

  /** Names of temp files present (for tests and diagnostics). */
  async tempFiles(): Promise<string[]> {
    return readdir(join(this.root, 'tmp'));
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
