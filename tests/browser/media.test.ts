/**
 * The browser's video module with Chromium's fake camera: an expert in the Beijing main venue and one in
 * the Shanghai sub venue, each on their own city's SFU, see each other and hear each other's mute state;
 * the supervisor's wall shows both without being seen; after they leave, the supervisor plays the
 * recordings back, each shown as intact against the audit log.
 */

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RecordedSegment, type Sfu, segmentUploader, startSfu } from '@bidhall/sfu';
import type { EvaluationView, PlaybackView } from '@bidhall/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, logIn, openPage, p12Path, type RolePage, screenshot } from '../support/browser.ts';
import { recordingHasFrames, recordingsInProgress } from '../support/media.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const secret = 'browser-media-test-secret-of-32-characters';
const quiet = { info: () => undefined, warn: () => undefined, error: console.error };
let server: TestServer;
let browser: Browser;
const sfus: Sfu[] = [];
let evaluation: EvaluationView;
/** Beijing's segments before its microphone was muted: the camera-alone one comes after. */
const beforeMute: string[] = [];
let deliver: ((segment: RecordedSegment) => Promise<void>) | null = null;

const recordingsDir = (city: string) =>
  `${process.env.TMPDIR ?? '/tmp'}/bidhall-browser-media-${city}-${process.pid}`;

/** The recording files `city`'s SFU is writing now (each segment has a file of its own). */
const recordingParts = (city: string) => recordingsInProgress(recordingsDir(city));

/** Whether `city`'s SFU is writing a segment with frames in it, other than those in `besides`. */
const recordingWithData = (city: string, besides: readonly string[] = []) =>
  recordingHasFrames(recordingsDir(city), besides);

async function citySfu(city: string): Promise<Sfu> {
  const sfu = await startSfu({
    name: city,
    host: '127.0.0.1',
    port: 0,
    ticketSecret: secret,
    workers: 1,
    listenIp: '127.0.0.1',
    recording: {
      dir: recordingsDir(city),
      segmentSeconds: 300,
      // The server's address is known only once it listens, after the SFUs (it needs their URLs).
      deliver: (segment) => (deliver ? deliver(segment) : Promise.reject(new Error('no server yet'))),
    },
    log: quiet,
  });
  sfus.push(sfu);
  return sfu;
}

beforeAll(async () => {
  const beijing = await citySfu('beijing');
  const shanghai = await citySfu('shanghai');
  server = await startTestServer({
    listen: true,
    env: { SFU_URLS: `beijing=${beijing.url},shanghai=${shanghai.url}`, MEDIA_TICKET_SECRET: secret },
  });
  deliver = segmentUploader({ serverUrl: server.url, secret, recordedBy: 'sfu' });

  browser = await launchChromium({ fakeMedia: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const sfu of sfus) await sfu.close();
  await server?.close();
});

/** A recorded file's video size as ffprobe reads it, e.g. "640x360". */
function videoSize(file: string): string {
  return execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=width,height',
      '-of',
      'csv=s=x:p=0',
      file,
    ],
    { encoding: 'utf8' },
  ).trim();
}

/** The remote tile named `name` in the page: its video is playing real frames. */
async function seesPlaying(page: Page, name: string): Promise<boolean> {
  return page
    .locator(`[data-testid="tile-remote"][data-name="${name}"] video`)
    .evaluate(
      (video: HTMLVideoElement) => video.videoWidth > 0 && video.currentTime > 1 && !video.paused,
      undefined,
      { timeout: 1000 },
    )
    .catch(() => false);
}

describe('experts in two cities, in the browser', () => {
  const pages: RolePage[] = [];
  const names = { beijing: '', shanghai: '' };

  it('has a video room with an expert in each city (hand-picked, as the development installation allows)', async () => {
    // The rooms a drawn committee sits in are the same (tests/browser/evaluation.test.ts goes through
    // the draw); this test is about the media, so it fills one by hand.
    const hostToken = (await server.login('host', 'host')).token;
    const tender = await server.createTender(hostToken, { title: '市政道路工程' });
    const created = await server.app.inject({
      method: 'POST',
      url: '/api/evaluations',
      headers: { authorization: `Bearer ${hostToken}` },
      payload: {
        tenderId: tender.id,
        title: `${tender.title} · 评标`,
        mainCity: 'beijing',
        subCities: ['shanghai'],
        experts: [
          { expertId: server.actors.get('expert1'), city: 'beijing' },
          { expertId: server.actors.get('expert2'), city: 'shanghai' },
        ],
        // Shanghai's seats are registered on the network this test runs on (loopback): its expert gets in.
        seatNetworks: [{ city: 'shanghai', cidr: '127.0.0.0/8' }],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    evaluation = created.json<EvaluationView>();
    expect(evaluation.venues.map((v) => [v.city, v.experts.length])).toEqual([
      ['beijing', 1],
      ['shanghai', 1],
    ]);
  });

  it('see and hear each other through their own cities’ SFUs', async () => {
    for (const actor of ['expert1', 'expert2']) {
      // Beijing's page can lose its network (signaling cut as a dead network would) and get it back.
      const opened = await openPage(browser, server.url, '/', { cuttable: actor === 'expert1' });
      pages.push(opened);
      await logIn(opened.page, { role: 'expert', file: p12Path(actor) });
      await opened.page.getByRole('button', { name: '加入音视频' }).click();
      await opened.page.getByTestId('tile-self').waitFor();
    }
    const [main, sub] = evaluation.venues;
    names.beijing = main!.experts[0]!.name;
    names.shanghai = sub!.experts[0]!.name;
    const [beijing, shanghai] = pages as [RolePage, RolePage];
    await expect.poll(() => seesPlaying(beijing.page, names.shanghai), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => seesPlaying(shanghai.page, names.beijing), { timeout: 30_000 }).toBe(true);
    // Each page is connected to its own city's SFU.
    const heading = await shanghai.page.locator('.video-room h2').textContent();
    expect(heading).toContain('分会场 shanghai');
    await screenshot(shanghai.page, 'media-expert-shanghai');

    // Beijing loses its connection: its page says so and reconnects by itself, and the two see each other
    // again without anyone clicking anything.
    // Its recording has data before the cut ends it (a segment with no frame is not kept).
    await expect.poll(() => recordingWithData('beijing'), { timeout: 30_000 }).toBe(true);
    const beforeCut = recordingParts('beijing');
    await beijing.connection!.cut();
    await beijing.page.getByText('音视频连接中断，正在自动重新连接…').waitFor();
    beijing.connection!.restore();
    await expect.poll(() => seesPlaying(beijing.page, names.shanghai), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => seesPlaying(shanghai.page, names.beijing), { timeout: 30_000 }).toBe(true);
    expect(await shanghai.page.getByTestId('tile-remote').count()).toBe(1);

    // Both hear each other (an audio track, not muted), and muting in Beijing shows in Shanghai.
    const beijingTile = shanghai.page.locator(`[data-testid="tile-remote"][data-name="${names.beijing}"]`);
    expect(await beijingTile.textContent()).not.toContain('静音');
    const audioTracks = (page: Page) =>
      page
        .locator('[data-testid="tile-remote"] video')
        .evaluate((v: HTMLVideoElement) => (v.srcObject as MediaStream).getAudioTracks().length);
    expect([await audioTracks(beijing.page), await audioTracks(shanghai.page)]).toEqual([1, 1]);
    // Beijing's recording since it came back has data before the mute ends it.
    await expect.poll(() => recordingWithData('beijing', beforeCut), { timeout: 30_000 }).toBe(true);
    beforeMute.push(...recordingParts('beijing'));
    await beijing.page.getByRole('button', { name: '关闭麦克风' }).click();
    await expect
      .poll(() =>
        shanghai.page.locator(`[data-testid="tile-remote"][data-name="${names.beijing}"]`).textContent(),
      )
      .toContain('静音');
  });

  it('shows both venues on the supervisor’s wall, without the supervisor appearing anywhere', async () => {
    const supervisor = await openPage(browser, server.url);
    await logIn(supervisor.page, { role: 'supervisor', file: p12Path('supervisor') });
    await supervisor.page.getByRole('link', { name: '监控墙' }).click();
    // Every room starts by itself: nobody clicks anything on the wall.
    const [main, sub] = evaluation.venues as [EvaluationView['venues'][0], EvaluationView['venues'][0]];
    const mainVenue = supervisor.page.getByTestId(`venue-${main.venue}`);
    await expect.poll(() => seesPlaying(supervisor.page, names.beijing), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => seesPlaying(supervisor.page, names.shanghai), { timeout: 30_000 }).toBe(true);
    expect(await mainVenue.getByTestId('tile-self').count()).toBe(0);
    // The evaluation is one card with its venues side by side, each expert under its own venue; the sub
    // venue is not joined a second time.
    const group = (venue: string) => mainVenue.getByTestId(`group-${venue}`);
    expect(await group(main.venue).getByRole('heading').textContent()).toBe('主会场');
    expect(await group(sub.venue).getByRole('heading').textContent()).toBe('分会场 shanghai');
    expect(await group(main.venue).locator(`[data-name="${names.beijing}"]`).count()).toBe(1);
    expect(await group(sub.venue).locator(`[data-name="${names.shanghai}"]`).count()).toBe(1);
    const mainBox = await group(main.venue).boundingBox();
    const subBox = await group(sub.venue).boundingBox();
    expect(subBox!.x).toBeGreaterThan(mainBox!.x + mainBox!.width - 1);
    expect(await supervisor.page.getByTestId(`venue-${sub.venue}`).count()).toBe(0);

    for (const { page } of pages) expect(await page.getByTestId('tile-remote').count()).toBe(1);
    await screenshot(supervisor.page, 'media-supervisor-wall');
    // In English on a phone: the venues stack, nothing runs off the side.
    await supervisor.page.getByRole('button', { name: 'English' }).click();
    await supervisor.page.setViewportSize({ width: 390, height: 844 });
    expect(await group(sub.venue).getByRole('heading').textContent()).toBe('Sub venue shanghai');
    expect(await supervisor.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await screenshot(supervisor.page, 'media-supervisor-wall-en-phone');
    await supervisor.page.getByRole('button', { name: '中文' }).click();
    await supervisor.page.setViewportSize({ width: 1360, height: 900 });
    pages.push(supervisor);
  });

  it('plays the recordings back, checked against the audit log', async () => {
    // Beijing's camera-alone segment and Shanghai's have data before the experts leave.
    for (const city of ['beijing', 'shanghai'])
      await expect.poll(() => recordingWithData(city, beforeMute), { timeout: 30_000 }).toBe(true);
    for (const { page } of pages.slice(0, 2)) await page.getByRole('button', { name: '离开音视频' }).click();
    const supervisor = pages[2]!.page;
    await supervisor.getByRole('link', { name: '录像回放' }).click();
    const room = `eval:${evaluation.id}`;
    const segments = supervisor.getByTestId('segment');
    await expect
      .poll(
        async () => {
          // Segments arrive as the SFUs hand them over: refresh until all have. Beijing: before its
          // connection dropped, after it came back, and its camera alone once the microphone was muted;
          // Shanghai: one. Four at least (a camera published a moment before its microphone may add one).
          await supervisor.getByRole('button', { name: '刷新' }).click();
          await supervisor.waitForTimeout(500);
          if (await supervisor.locator(`option[value="${room}"]`).count())
            await supervisor.getByLabel('选择会场').selectOption(room);
          await supervisor.waitForTimeout(500);
          return segments.count();
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThanOrEqual(4);
    const integrity = await segments.evaluateAll((items) =>
      items.map((i) => i.getAttribute('data-integrity')),
    );
    expect(new Set(integrity)).toEqual(new Set(['intact']));
    // Every video segment keeps the resolution the camera publishes (640×360), not a lower simulcast
    // layer: the recording takes the top layer.
    const { token } = await server.login('supervisor', 'supervisor');
    const view = (await fetch(`${server.url}/api/recordings?room=${encodeURIComponent(room)}`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((r) => r.json())) as PlaybackView;
    const sized: { segment: (typeof view.segments)[number]; size: string }[] = [];
    for (const segment of view.segments.filter((s) => s.kinds.includes('video'))) {
      const file = join(recordingsDir('beijing'), `probe-${segment.id}.webm`);
      writeFileSync(file, Buffer.from(await (await fetch(`${server.url}${segment.mediaUrl}`)).arrayBuffer()));
      sized.push({ segment, size: videoSize(file) });
    }
    expect(sized.length).toBeGreaterThanOrEqual(3);
    // A segment that began before the camera's top layer flowed (a loaded machine) is cut as soon as it
    // does: it is followed at once by one of the same person at the full size.
    const full = sized.filter((s) => s.size === '640x360');
    for (const early of sized.filter((s) => s.size !== '640x360'))
      expect(
        full.some(
          (f) =>
            f.segment.peerName === early.segment.peerName &&
            Math.abs(Date.parse(f.segment.startedAt) - Date.parse(early.segment.endedAt)) < 3000,
        ),
        `${early.segment.peerName}: a ${early.size} segment not followed by a full-size one`,
      ).toBe(true);
    expect(full.length).toBeGreaterThanOrEqual(2);
    // The room's timeline is the evaluation's own: its creation, tickets and segments, not the opening's.
    expect(view.events.map((e) => e.action)).toContain('evaluation.create');
    expect(view.events.filter((e) => !e.target?.startsWith(`eval:${evaluation.id}`))).toEqual([]);
    await segments.first().getByRole('button', { name: '播放' }).click();
    await expect
      .poll(() =>
        supervisor
          .locator('.player video')
          .evaluate((video: HTMLVideoElement) => video.readyState >= 1 && video.duration),
      )
      .toBeGreaterThan(2);
    await screenshot(supervisor, 'media-playback');
    for (const { errors } of pages) expect(errors).toEqual([]);
  });
});
