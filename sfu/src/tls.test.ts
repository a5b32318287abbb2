/**
 * SFUs facing a network speak TLS: a sub venue's SFU (its own process) links to the main venue's over
 * HTTPS/WSS, trusting the CA given to it, and participants reach both over WSS. Plain HTTP is refused
 * for anything but this machine.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaSecret, SimulatedParticipant, ticketFor } from '../../tests/support/media.ts';
import { caPath, platformPath } from '../../tests/support/pki.ts';
import { type Sfu, startSfu } from './service.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const evaluation = randomUUID();
const main = `eval:${evaluation}:main`;
const sub = `eval:${evaluation}:sub:shanghai`;
let beijing: Sfu;
let shanghai: { url: string; process: ChildProcess };
const participants: SimulatedParticipant[] = [];
const defaultCas = getCACertificates('default');

async function startProcess(env: Record<string, string>): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, ['sfu/src/main.ts'], {
    env: { ...process.env, SFU_PORT: '0', SFU_WORKERS: '1', MEDIA_TICKET_SECRET: mediaSecret, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { url: (JSON.parse(line) as { listening: string }).listening, process: child };
}

beforeAll(async () => {
  // This process's participants trust the dev CA that issued the SFUs' TLS certificate.
  setDefaultCACertificates([...defaultCas, readFileSync(caPath('ca-a'), 'utf8')]);
  const tls = { cert: readFileSync(platformPath('tls.pem')), key: readFileSync(platformPath('tls.key.pem')) };
  beijing = await startSfu({
    name: 'beijing',
    host: 'localhost',
    port: 0,
    tls,
    ticketSecret: mediaSecret,
    workers: 1,
    listenIp: '127.0.0.1',
    log: quiet,
  });
  shanghai = await startProcess({
    SFU_NAME: 'shanghai',
    SFU_HOST: 'localhost',
    TLS_CERT_FILE: platformPath('tls.pem'),
    TLS_KEY_FILE: platformPath('tls.key.pem'),
    TLS_CA_FILES: caPath('ca-a'),
  });
});

afterAll(async () => {
  for (const participant of participants) participant.close();
  shanghai?.process.kill('SIGTERM');
  await beijing?.close();
  setDefaultCACertificates(defaultCas);
});

async function join(url: string, venue: string, name: string, homeSfu?: string) {
  const ticket = ticketFor('expert', venue, { name, ...(homeSfu ? { homeSfu } : {}) });
  const participant = new SimulatedParticipant(url, ticket, venue);
  participants.push(participant);
  return participant.start();
}

describe('SFUs over TLS', () => {
  it('seal-20: a sub venue links to the main venue over HTTPS, and experts in both cities see each other', async () => {
    expect(beijing.url).toMatch(/^https:\/\/localhost:\d+$/);
    expect(shanghai.url).toMatch(/^https:\/\//);
    const inBeijing = await join(beijing.url, main, '北京专家');
    const inShanghai = await join(shanghai.url, sub, '上海专家', beijing.url);
    await inBeijing.publishCameraAndMicrophone();
    await inShanghai.publishCameraAndMicrophone();
    await expect
      .poll(() => [inBeijing.receivedFrom('上海专家'), inShanghai.receivedFrom('北京专家')], {
        timeout: 20_000,
      })
      .toSatisfy((got: { video: number; audio: number }[]) => got.every((g) => g.video > 10 && g.audio > 10));
  });

  it('seal-20: an SFU refuses plain HTTP beyond this machine, for itself and for the server it records to', () => {
    const refused = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['sfu/src/main.ts'], {
        env: { ...process.env, SFU_PORT: '0', SFU_WORKERS: '1', MEDIA_TICKET_SECRET: mediaSecret, ...env },
        encoding: 'utf8',
        timeout: 20_000,
      });
    const exposed = refused({ SFU_HOST: '0.0.0.0' });
    expect(exposed.status).toBe(2);
    expect(exposed.stderr).toMatch(/HTTPS/);
    const upload = refused({ BIDHALL_URL: 'http://10.1.2.3:3000' });
    expect(upload.status).toBe(2);
    expect(upload.stderr).toMatch(/BIDHALL_URL/);
  });
});
