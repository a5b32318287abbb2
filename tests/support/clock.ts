import type { Clock } from '../../server/src/clock.ts';

/** Real time shifted by an offset the test controls (the server's clock in tests). */
export class TestClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  /** Makes now() return `date` at this instant (time keeps running). */
  set(date: Date): void {
    this.offsetMs = date.getTime() - Date.now();
  }
}
