/**
 * The segment outbox keeps every finished recording until the server has it: a failed delivery is kept
 * and retried, and what a stopped SFU left is delivered by the next one.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SegmentOutbox } from './outbox.ts';
import type { RecordedSegment } from './recorder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bidhall-outbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = { warn: () => undefined };

function finishedSegment(id: string): RecordedSegment {
  const file = join(dir, `${id}.webm`);
  writeFileSync(file, `webm bytes of ${id}`);
  return {
    id,
    venue: `eval:${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}:main`,
    peerId: 'p',
    peerName: '张专家',
    kinds: ['audio', 'video'],
    startedAt: new Date('2026-11-22T10:00:00Z'),
    endedAt: new Date('2026-11-22T10:05:00Z'),
    bytes: 20,
    sha256: 'a'.repeat(64),
    file,
  };
}

describe('segment outbox', () => {
  it('keeps a segment the server refused, retries it, and removes it once delivered', async () => {
    const delivered: RecordedSegment[] = [];
    let serverUp = false;
    const outbox = new SegmentOutbox({
      dir,
      log: quiet,
      deliver: async (segment) => {
        if (!serverUp) throw new Error('server down');
        delivered.push(segment);
      },
    });
    expect(await outbox.send(finishedSegment('11111111-1111-4111-8111-111111111111'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual([
      '11111111-1111-4111-8111-111111111111.segment.json',
      '11111111-1111-4111-8111-111111111111.webm',
    ]);
    serverUp = true;
    await outbox.flush();
    expect(delivered.map((s) => [s.peerName, s.startedAt.toISOString(), s.kinds])).toEqual([
      ['张专家', '2026-11-22T10:00:00.000Z', ['audio', 'video']],
    ]);
    expect(readdirSync(dir)).toEqual([]);
    await outbox.close();
  });

  it('delivers what a stopped SFU left behind when the next one starts', async () => {
    const first = new SegmentOutbox({ dir, log: quiet, deliver: () => Promise.reject(new Error('down')) });
    await first.send(finishedSegment('22222222-2222-4222-8222-222222222222'));
    await first.close();
    const delivered: string[] = [];
    const next = new SegmentOutbox({
      dir,
      log: quiet,
      deliver: async (segment) => void delivered.push(segment.id),
    });
    next.start();
    await expect.poll(() => delivered).toEqual(['22222222-2222-4222-8222-222222222222']);
    await expect.poll(() => readdirSync(dir)).toEqual([]);
    await next.close();
  });
});
