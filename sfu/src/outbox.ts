/**
 * Finished recording segments waiting for the main server. Each one is a WebM and, beside it, a small
 * JSON description written (atomically) before the first delivery attempt; both are removed only once
 * the server has the segment. A delivery that fails is tried again every `retryMs`, and whatever a
 * stopped or crashed SFU left behind is delivered when it starts again: a recording is never lost to a
 * server that was down or a process that died.
 */
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordedSegment } from './recorder.ts';

interface StoredDescription extends Omit<RecordedSegment, 'startedAt' | 'endedAt' | 'file'> {
  readonly startedAt: string;
  readonly endedAt: string;
  readonly file: string;
}

export class SegmentOutbox {
  readonly #dir: string;
  readonly #deliver: (segment: RecordedSegment) => Promise<void>;
  readonly #log: { warn(object: object, message: string): void };
  readonly #retryMs: number;
  readonly #inFlight = new Map<string, Promise<boolean>>();
  #timer: NodeJS.Timeout | null = null;

  constructor(options: {
    dir: string;
    deliver: (segment: RecordedSegment) => Promise<void>;
    log: { warn(object: object, message: string): void };
    retryMs?: number;
  }) {
    this.#dir = options.dir;
    this.#deliver = options.deliver;
    this.#log = options.log;
    this.#retryMs = options.retryMs ?? 60_000;
  }

  /** Delivers what an earlier run left, and keeps retrying what fails. */
  start(): void {
    void this.flush();
    this.#timer = setInterval(() => void this.flush(), this.#retryMs);
    this.#timer.unref();
  }

  /** Records the segment's description beside its file, then tries to deliver it. */
  async send(segment: RecordedSegment): Promise<boolean> {
    const description: StoredDescription = {
      ...segment,
      startedAt: segment.startedAt.toISOString(),
      endedAt: segment.endedAt.toISOString(),
      file: segment.file,
    };
    const path = this.#descriptionPath(segment.id);
    await writeFile(`${path}.part`, JSON.stringify(description));
    await rename(`${path}.part`, path);
    return this.#attempt(segment);
  }

  #descriptionPath(id: string): string {
    return join(this.#dir, `${id}.segment.json`);
  }

  #attempt(segment: RecordedSegment): Promise<boolean> {
    const running = this.#inFlight.get(segment.id);
    if (running) return running;
    const attempt = this.#deliver(segment)
      .then(async () => {
        await rm(segment.file, { force: true });
        await rm(this.#descriptionPath(segment.id), { force: true });
        return true;
      })
      .catch((error: unknown) => {
        this.#log.warn(
          { err: error, segment: segment.id },
          'a recording segment could not be handed to the server yet; it is kept and retried',
        );
        return false;
      })
      .finally(() => this.#inFlight.delete(segment.id));
    this.#inFlight.set(segment.id, attempt);
    return attempt;
  }

  /** Segments waiting now (their descriptions on disk). */
  async pending(): Promise<RecordedSegment[]> {
    const names = await readdir(this.#dir).catch(() => [] as string[]);
    const found: RecordedSegment[] = [];
    for (const name of names.filter((n) => n.endsWith('.segment.json'))) {
      const stored = JSON.parse(await readFile(join(this.#dir, name), 'utf8')) as StoredDescription;
      if (!(await stat(stored.file).catch(() => null))) continue;
      found.push({ ...stored, startedAt: new Date(stored.startedAt), endedAt: new Date(stored.endedAt) });
    }
    return found;
  }

  /** Tries every waiting segment once more. */
  async flush(): Promise<void> {
    for (const segment of await this.pending()) await this.#attempt(segment);
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await Promise.all(this.#inFlight.values());
  }
}
