/**
 * The one scheduler (chronograph): wakes when the earliest `nextCheckAt` of any tender is due (or every
 * `pollMs`, to see steps other processes scheduled), runs each due step through OpeningService (which
 * locks the tender row, skipping it if another process holds it, and re-checks that the step is still
 * due), and starts waiting documents decryptions. Nothing is kept in timers alone: a restart loses
 * nothing, and two processes never run the same step twice.
 */
import { asc, gt, lte, min } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/client.ts';
import { tenders } from '../db/schema/index.ts';
import type { DocumentJobs } from './decryption.ts';
import type { OpeningService } from './opening-service.ts';

export interface SchedulerDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly opening: OpeningService;
  readonly jobs: DocumentJobs;
  readonly log: { error(object: object, message: string): void };
  readonly pollMs: number;
}

export class Scheduler {
  readonly #deps: SchedulerDeps;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = true;

  constructor(deps: SchedulerDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#stopped = false;
    this.poke();
  }

  /** Runs a tick soon: something may have become due, or a new job may be waiting. */
  poke(_reason: 'timing' | 'jobs' = 'timing'): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#schedule(0);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#running = this.#tick().finally(() => {
        this.#running = null;
      });
    }, delayMs);
  }

  async #tick(): Promise<void> {
    const { db, clock, opening, jobs, log, pollMs } = this.#deps;
    let delay = pollMs;
    try {
      const now = clock.now();
      const due = await db
        .select({ id: tenders.id })
        .from(tenders)
        .where(lte(tenders.nextCheckAt, now))
        .orderBy(asc(tenders.nextCheckAt))
        .limit(50);
      for (const { id } of due) {
        await opening
          .runDueStep(id)
          .catch((error: unknown) => log.error({ err: error, tenderId: id }, 'timed step failed'));
      }
      await jobs
        .tick()
        .catch((error: unknown) => log.error({ err: error }, 'starting decryption jobs failed'));
      const [next] = await db
        .select({ at: min(tenders.nextCheckAt) })
        .from(tenders)
        .where(gt(tenders.nextCheckAt, now));
      if (next?.at)
        delay = Math.max(0, Math.min(pollMs, new Date(next.at).getTime() - clock.now().getTime()));
    } catch (error) {
      log.error({ err: error }, 'scheduler tick failed');
    }
    if (this.#again) {
      this.#again = false;
      delay = 0;
    }
    this.#schedule(delay);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
