/**
 * Two SFU processes standing for two cities: the main venue on the Beijing SFU (in this process), a sub
 * venue on the Shanghai SFU (a separate `sfu/src/main.ts` process), linked by SRTP PipeTransports. Experts on each side receive each other's
 * audio and video (decoded), a supervisor on the home SFU receives both, and a late joiner in Shanghai
 * gets what was already published in Beijing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaSecret, SimulatedParticipant, ticketFor } from '../../tests/support/media.ts';
import { type Sfu, startSfu } from './service.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const evaluation = randomUUID();
const main = `eval:${evaluation}:main`;
const sub = `eval:${evaluation}:sub:shanghai`;
let beijing: Sfu;
let shanghai: { url: string; process: ChildProcess };
const participants: SimulatedParticipant[] = [];

const start = (name: string) =>
  startSfu({
    name,
    host: '127.0.0.1',
    port: 0,
    ticketSecret: mediaSecret,
    workers: 1,
    listenIp: '127.0.0.1',
    log: quiet,
  });

async function join(
  sfu: { url: string },
  role: 'expert' | 'supervisor',
  venue: string,
  name: string,
  homeSfu?: string,
) {
  const ticket = ticketFor(role, venue, { name, ...(homeSfu ? { homeSfu } : {}) });
  const participant = new SimulatedParticipant(sfu.url, ticket, venue);
  participants.push(participant);
  return participant.start();
}

const flowing = (got: { video: number; audio: number }[]) => got.every((g) => g.video > 10 && g.audio > 10);

/** The Shanghai SFU as its own process, as it would run in that city. */
async function startProcess(name: string): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, ['sfu/src/main.ts'], {
    env: {
      ...process.env,
      SFU_NAME: name,
      SFU_PORT: '0',
      SFU_WORKERS: '1',
      MEDIA_TICKET_SECRET: mediaSecret,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { url: (JSON.parse(line) as { listening: string }).listening, process: child };
}

beforeAll(async () => {
  [beijing, shanghai] = await Promise.all([start('beijing'), startProcess('shanghai')]);
});

afterAll(async () => {
  for (const participant of participants) participant.close();
  shanghai?.process.kill('SIGTERM');
  await beijing?.close();
});

describe('a sub venue in another city', () => {
  it('reaches the main venue through its own SFU, both ways', async () => {
    const inBeijing = await join(beijing, 'expert', main, '北京专家');
    const inShanghai = await join(shanghai, 'expert', sub, '上海专家', beijing.url);
    const supervisor = await join(beijing, 'supervisor', main, '监督');
    await inBeijing.publishCameraAndMicrophone();
    await inShanghai.publishCameraAndMicrophone();
    await expect
      .poll(() => [inBeijing.receivedFrom('上海专家'), inShanghai.receivedFrom('北京专家')], {
        timeout: 20_000,
      })
      .toSatisfy(flowing);
    await expect
      .poll(() => [supervisor.receivedFrom('北京专家'), supervisor.receivedFrom('上海专家')], {
        timeout: 20_000,
      })
      .toSatisfy(flowing);
    // The Shanghai expert is not a participant of the Beijing SFU: its media came over the link.
    expect(beijing.rooms.get(`eval:${evaluation}`)?.peers).toBe(2);
  });

  it('gives a late joiner in the sub venue what the main venue already publishes', async () => {
    const late = await join(shanghai, 'expert', sub, '上海专家二', beijing.url);
    await expect
      .poll(() => [late.receivedFrom('北京专家'), late.receivedFrom('上海专家')], { timeout: 20_000 })
      .toSatisfy(flowing);
  });
});
