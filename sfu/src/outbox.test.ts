/**
 * The segment outbox keeps every finished recording until the server has it: a failed delivery is kept
 * and retried, and what a stopped SFU left is delivered by the next one; a segment an SFU was still
 * recording when it died is completed from its journal.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SegmentOutbox } from './outbox.ts';
import { type RecordedSegment, recoverInterrupted } from './recorder.ts';

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

describe('recordings an SFU did not finish', () => {
  it('are completed from their journal and partial file, and handed over on the next start', async () => {
    const id = '33333333-3333-4333-8333-333333333333';
    const part = join(dir, `${id}.webm.part`);
    // Four seconds of WebM, cut short as a killed ffmpeg leaves it (no cues, no duration).
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15'],
      ...['-t', '4', '-c:v', 'libvpx', '-deadline', 'realtime', '-f', 'webm', part],
    ]);
    const whole = readFileSync(part);
    writeFileSync(part, whole.subarray(0, Math.floor(whole.length * 0.7)));
    writeFileSync(
      join(dir, `${id}.recording.json`),
      JSON.stringify({
        id,
        venue: `hall:${'1'.repeat(8)}-1111-4111-8111-${'1'.repeat(12)}`,
        peerId: 'h',
        peerName: '主持人',
        kinds: ['video'],
        startedAt: '2026-11-22T10:00:00.000Z',
        part,
      }),
    );
    const sent: RecordedSegment[] = [];
    const recovered = await recoverInterrupted(dir, 'ffmpeg', async (segment) => void sent.push(segment));
    expect(recovered).toBe(1);
    expect(sent.map((s) => [s.id, s.peerName, s.kinds])).toEqual([[id, '主持人', ['video']]]);
    const file = sent[0]!.file;
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(sent[0]!.sha256);
    const duration = Number(
      execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], {
        encoding: 'utf8',
      }),
    );
    expect(duration).toBeGreaterThan(1);
    expect(duration).toBeLessThan(4);
    expect(readdirSync(dir)).toEqual([`${id}.webm`]);
  });
});
