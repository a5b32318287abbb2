/**
 * The mediasoup workers of one SFU process: one per core, handed out round-robin. A worker that dies is
 * replaced at once, and listeners are told which worker died so that the rooms it carried can be rebuilt.
 */
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';

export interface WorkerPoolOptions {
  readonly size: number;
  readonly rtcMinPort?: number;
  readonly rtcMaxPort?: number;
  readonly log: { warn(object: object, message: string): void; error(object: object, message: string): void };
}

export interface WorkerPoolEvents {
  /** A worker died (it has already been replaced); rooms on it must rebuild. */
  died: [worker: types.Worker];
}

export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly #options: WorkerPoolOptions;
  readonly #workers: types.Worker[] = [];
  #next = 0;
  #closed = false;

  private constructor(options: WorkerPoolOptions) {
    super();
    this.#options = options;
  }

  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    for (let i = 0; i < options.size; i++) pool.#workers.push(await pool.#spawn(i));
    return pool;
  }

  async #spawn(index: number): Promise<types.Worker> {
    const worker = await mediasoup.createWorker({
      logLevel: 'warn',
      ...(this.#options.rtcMinPort ? { rtcMinPort: this.#options.rtcMinPort } : {}),
      ...(this.#options.rtcMaxPort ? { rtcMaxPort: this.#options.rtcMaxPort } : {}),
    });
    worker.on('died', (error) => {
      if (this.#closed) return;
      this.#options.log.error({ err: error, pid: worker.pid }, 'mediasoup worker died; replacing it');
      void this.#spawn(index).then(
        (replacement) => {
          if (this.#closed) return replacement.close();
          this.#workers[index] = replacement;
          this.emit('died', worker);
        },
        (spawnError: unknown) =>
          this.#options.log.error({ err: spawnError }, 'could not replace a mediasoup worker'),
      );
    });
    return worker;
  }

  /** The next live worker, round-robin. */
  next(): types.Worker {
    for (let tries = 0; tries < this.#workers.length; tries++) {
      const worker = this.#workers[this.#next++ % this.#workers.length]!;
      if (!worker.closed) return worker;
    }
    throw new Error('no live mediasoup worker');
  }

  get workers(): readonly types.Worker[] {
    return this.#workers;
  }

  close(): void {
    this.#closed = true;
    for (const worker of this.#workers) worker.close();
  }
}
