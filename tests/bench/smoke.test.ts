/**
 * Every benchmark suite, run at a small size, must reach its table: `npm run bench` cannot break unnoticed.
 * The numbers themselves are not judged here (performance targets live in the benchmark's table).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const small = {
  BENCH_MB: '2',
  BENCH_BIG_MB: '5',
  BENCH_AUDIT: '20000',
  BENCH_DEADLINE_UPLOADS: '4',
  BENCH_PARTICIPANTS: '30',
  BENCH_BROADCASTS: '3',
  BENCH_BIDS: '8',
  BENCH_BID_MB: '1',
  BENCH_CONSUMERS: '10',
  BENCH_HALL_VIEWERS: '2',
  BENCH_REVIEW_BIDS: '6',
  BENCH_REVIEW_CRITERIA: '5',
  BENCH_REVIEW_ROUNDS: '1',
};

const rowsOf = (table: string) =>
  table
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
    .map((line) =>
      line
        .split('|')
        .map((cell) => cell.trim())
        .slice(1, -1),
    );

describe('the benchmarks', () => {
  it('run every suite to its table at a small size', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['tests/bench/run.ts'], {
      env: { ...process.env, ...small },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 280_000,
    });
    const rows = rowsOf(stdout);
    const names = rows.map((row) => row[0]!);
    for (const expected of [
      /^audit append/,
      /^audit verify/,
      /^seal 2 MB/,
      /^receive 2 MB/,
      /^… against hashing alone/,
      /^deadline: last byte → receivedAt/,
      /^bid seal CLI/,
      /^server peak RSS receiving/,
      /^hall broadcast, 30 participants/,
      /^server CPU per delivered message/,
      /^decrypt 8 × 1 MB/,
      /^SFU 10 consumers/,
      /^hall broadcast to 2 viewers/,
      /^evaluation room: 9 experts in 3 venues/,
      /^review: 9 members × 6 bids × 5 criteria at once/,
    ])
      expect(
        names.some((name) => expected.test(name)),
        `${expected} in\n${stdout}`,
      ).toBe(true);
    const delivered = rows.find((row) => row[0] === 'delivered');
    expect(delivered?.[1]).toBe('90 / 90');
    expect(rows.find((row) => /^decrypt 8/.test(row[0]!))?.[1]).toMatch(/8 ok/);
  }, 300_000);
});
