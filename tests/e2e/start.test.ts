/**
 * The README's start command on embedded defaults: no DATABASE_URL (PGlite), the dev PKI, a demo tender
 * open for bids, and a clean shutdown on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { sign } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvaluationView, MediaTicketResponse, PlaybackView } from '@bidhall/shared';
import { MediaClient } from '@bidhall/shared/media-client';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedParticipant } from '../support/media.ts';
import { certPath, keyPath } from '../support/pki.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'bidhall-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm start on embedded defaults', () => {
  it('serves a demo tender a bidder can log in to and see, then shuts down cleanly', async () => {
    const port = 3400 + Math.floor(Math.random() * 500);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['bin/bidhall.ts', 'start'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // What the server printed (warnings and errors at this log level), shown if it fails.
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const url = `http://127.0.0.1:${port}`;
    try {
      let healthy = false;
      for (let i = 0; i < 150 && !healthy; i++) {
        healthy = await fetch(`${url}/api/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (!healthy) await new Promise((r) => setTimeout(r, 200));
      }
      expect(healthy).toBe(true);
      const logIn = async (actor: string, role: string) => {
        const challenge = (await (await fetch(`${url}/api/auth/challenge`, { method: 'POST' })).json()) as {
          nonce: string;
          challenge: string;
        };
        return (await (
          await fetch(`${url}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              nonce: challenge.nonce,
              role,
              certificateChain: readFileSync(certPath(actor, 'sign'), 'utf8'),
              signature: sign(
                'sha256',
                Buffer.from(challenge.challenge),
                readFileSync(keyPath(actor, 'sign')),
              ).toString('base64'),
            }),
          })
        ).json()) as { token: string };
      };
      const login = await logIn('bidder4', 'bidder');
      const tenders = (await (
        await fetch(`${url}/api/tenders`, { headers: { authorization: `Bearer ${login.token}` } })
      ).json()) as {
        id: string;
        code: string;
        deadline: string;
      }[];
      const demo = tenders.find((t) => t.code.startsWith('DEMO-') && Date.parse(t.deadline) > Date.now());
      expect(demo).toBeDefined();
      // The demo's sealed bids go in right after start-up, bidder4's among them.
      await expect
        .poll(
          async () =>
            (
              (await (
                await fetch(`${url}/api/tenders/${demo!.id}/bids/mine`, {
                  headers: { authorization: `Bearer ${login.token}` },
                })
              ).json()) as { status: string }[]
            ).filter((b) => b.status === 'submitted').length,
          { timeout: 30_000 },
        )
        .toBe(1);
      // The SFU runs in the server process, on its port under /sfu: a bidder watches the hall there.
      // (A bidder's hall ticket needs the hall live: check-in opens with the scheduler's first round.)
      const requestTicket = async () =>
        (await (
          await fetch(`${url}/api/media/tickets`, {
            method: 'POST',
            headers: { authorization: `Bearer ${login.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ venue: `hall:${demo!.id}` }),
          })
        ).json()) as MediaTicketResponse;
      await expect.poll(async () => JSON.stringify(await requestTicket())).toContain('"url":"/sfu"');
      const ticket = await requestTicket();
      const viewer = new MediaClient({
        url: new URL(ticket.url, url).href,
        ticket: ticket.ticket,
        venue: ticket.venue,
        handlerName: 'Chrome111',
      });
      await viewer.connect();
      await viewer.join();
      expect(viewer.permissions).toEqual({ publish: false, consume: true, hidden: false });
      viewer.close();

      // The demo evaluation: an expert in the Beijing venue publishes for a few seconds; the in-process SFU
      // records it into the server's store, where the supervisor finds it intact.
      const expert = await logIn('expert1', 'expert');
      const get = async <T>(path: string, token: string) =>
        (await (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
      const [evaluation] = await get<EvaluationView[]>('/api/evaluations', expert.token);
      const seat = evaluation!.venues.find((v) => v.experts.length && v.main)!;
      const expertTicket = (await (
        await fetch(`${url}/api/media/tickets`, {
          method: 'POST',
          headers: { authorization: `Bearer ${expert.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ venue: seat.venue }),
        })
      ).json()) as MediaTicketResponse;
      const publisher = new SimulatedParticipant(
        new URL(expertTicket.url, url).href,
        expertTicket.ticket,
        seat.venue,
      );
      await publisher.start();
      await publisher.publishCameraAndMicrophone();
      // Long enough for the segment to begin: the recorder waits (up to 3 s) for a simulcast camera's top
      // layer before ffmpeg starts, and ffmpeg takes seconds more on a loaded machine.
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      publisher.close();
      const supervisor = await logIn('supervisor', 'supervisor');
      await expect
        .poll(
          async () =>
            (
              await get<PlaybackView>(`/api/recordings?room=eval:${evaluation!.id}`, supervisor.token)
            ).segments.map((s) => [s.kinds.length, s.integrity]),
          { timeout: 20_000 },
        )
        .toEqual([[2, 'intact']]);
      // The browser client is served at the root, and page addresses fall back to it.
      const page = await fetch(`${url}/`);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('<div id="root">');
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'close');
    expect(code, output).toBe(0);
  });
});
