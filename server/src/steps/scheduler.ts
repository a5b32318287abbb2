/**
 * The one scheduler (chronograph) of a process, over every timed aggregate registered with it: it wakes
 * when the earliest `nextCheckAt` of any of them is due (or every `pollMs`, to see steps other processes
 * scheduled), runs each due row's handler (which locks the row through runStep, skipping it if another
 * process holds it, and re-checks that the step is still due), and gives background work sources (the
 * documents decryption jobs) their turn. Nothing is kept in timers alone: a restart loses nothing, and
 * two processes never run the same step twice.
 */
import { asc, gt, lte, min } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/client.ts';
import type { Aggregate } from './step.ts';

/** An aggregate with time-driven steps, and what runs when one of its rows is due. */
export interface TimedAggregate {
  readonly name: string;
  /** Ids of rows whose next check is due at `now`, earliest first. */
  due(db: Database, now: Date, limit: number): Promise<string[]>;
  /** The earliest next check after `now`, or null when none is scheduled. */
  nextAfter(db: Database, now: Date): Promise<Date | null>;
  /** Runs the due step of one row; a no-op when another process got there first. */
  run(id: string): Promise<void>;
}

/** Registers an aggregate's rows with the scheduler: `run` is called for each row that is due. */
export function timed<Row extends { readonly nextCheckAt: Date | null }, Event>(
  aggregate: Aggregate<Row, Event>,
  run: (id: string) => Promise<void>,
): TimedAggregate {
  return {
    name: aggregate.name,
    async due(db, now, limit) {
      const rows = (await db
        .select({ id: aggregate.id })
        .from(aggregate.table)
        .where(lte(aggregate.nextCheckAt, now))
        .orderBy(asc(aggregate.nextCheckAt))
        .limit(limit)) as { id: string }[];
      return rows.map((r) => r.id);
    },
    async nextAfter(db, now) {
      const [next] = (await db
        .select({ at: min(aggregate.nextCheckAt) })
        .from(aggregate.table)
        .where(gt(aggregate.nextCheckAt, now))) as { at: Date | string | null }[];
      return next?.at ? new Date(next.at) : null;
    },
    run,
  };
}

/** Background work the scheduler gives a turn every round (and at once when poked with `jobs`). */
export interface WorkSource {
  readonly name: string;
  tick(): Promise<void>;
}

export interface SchedulerDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly log: { error(object: object, message: string): void };
  readonly pollMs: number;
  /** Rows run per aggregate per round (a row still due is found again next round). */
  readonly batch?: number;
}

export class Scheduler {
  readonly #deps: SchedulerDeps;
  readonly #timed: TimedAggregate[] = [];
  readonly #work: WorkSource[] = [];
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = true;

  constructor(deps: SchedulerDeps) {
    this.#deps = deps;
  }

  /** Adds a module's timed aggregate (each module registers its own when it is set up). */
  register(aggregate: TimedAggregate): void {
    if (this.#timed.some((known) => known.name === aggregate.name))
      throw new Error(`timed aggregate ${aggregate.name} is registered twice`);
    this.#timed.push(aggregate);
  }

  /** Adds a background work source, given a turn every round. */
  addWork(source: WorkSource): void {
    this.#work.push(source);
  }

  start(): void {
    this.#stopped = false;
    this.poke();
  }

  /** Runs a round soon: something may have become due, or new work may be waiting. */
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
      this.#running = this.#round().finally(() => {
        this.#running = null;
      });
    }, delayMs);
  }

  async #round(): Promise<void> {
    const { db, clock, log, pollMs, batch = 50 } = this.#deps;
    const timed = this.#timed;
    const work = this.#work;
    let delay = pollMs;
    try {
      const now = clock.now();
      for (const aggregate of timed) {
        const due = await aggregate.due(db, now, batch);
        for (const id of due) {
          await aggregate
            .run(id)
            .catch((error: unknown) =>
              log.error({ err: error, aggregate: aggregate.name, id }, 'timed step failed'),
            );
        }
      }
      for (const source of work) {
        await source
          .tick()
          .catch((error: unknown) => log.error({ err: error, work: source.name }, 'background work failed'));
      }
      for (const aggregate of timed) {
        const next = await aggregate.nextAfter(db, now);
        if (next) delay = Math.max(0, Math.min(delay, next.getTime() - clock.now().getTime()));
      }
    } catch (error) {
      log.error({ err: error }, 'scheduler round failed');
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
