/**
 * A whole opening in Chromium: three bidder pages, a host page and a supervisor page, all logged in
 * through the page with their PKCS#12 files. Along the way: a wrong PIN, a bidder page that loses its
 * connection and catches up, a second tab of the same bidder, markup in an objection rendered as text,
 * an objection answered on the spot, and the supervisor's checks. Screenshots of each role's main screen
 * are saved under test-results/browser/.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RecordedSegment, recordingReporter, type Sfu, segmentUploader, startSfu } from '@bidhall/sfu';
import type { PlaybackView } from '@bidhall/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  devPin,
  launchChromium,
  loadEncryption,
  logIn,
  openPage,
  outcomes,
  p12Path,
  type RolePage,
  screenshot,
  untranslated,
} from '../support/browser.ts';
import { advanceTo, afterDeadline, type PreparedOpening, prepareOpening } from '../support/hall.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const bidders = ['bidder1', 'bidder2', 'bidder4'] as const;
const work = mkdtempSync(join(tmpdir(), 'bidhall-browser-'));
let server: TestServer;
let browser: Browser;
let opening: PreparedOpening;
const pages = new Map<string, RolePage>();

const status = (page: Page) => page.getByTestId('status');
const recordDetails = {
  tenderee: '东湖市交通运输局',
  lot: '第一标段',
  ceilingPrice: '1286000.00',
  venue: '网上开标（东湖市公共资源交易中心）',
};

/** Segments are short here, so that the record, produced minutes into the opening, lists some. */
const mediaSecret = 'browser-opening-test-secret-of-32-characters';
let sfu: Sfu;
let deliver: ((segment: RecordedSegment) => Promise<void>) | null = null;
let report: ((venue: string, recording: boolean) => void) | null = null;

beforeAll(async () => {
  sfu = await startSfu({
    name: 'local',
    host: '127.0.0.1',
    port: 0,
    ticketSecret: mediaSecret,
    workers: 1,
    listenIp: '127.0.0.1',
    recording: {
      dir: join(work, 'recordings'),
      segmentSeconds: 5,
      // The server's address is known only once it listens, after the SFU (it needs its URL).
      deliver: (segment) => (deliver ? deliver(segment) : Promise.reject(new Error('no server yet'))),
      onVenueRecording: (venue, recording) => report?.(venue, recording),
    },
    log: { info: () => undefined, warn: () => undefined, error: console.error },
  });
  server = await startTestServer({
    listen: true,
    env: { SFU_URLS: `local=${sfu.url}`, MEDIA_TICKET_SECRET: mediaSecret },
  });
  const uploads = { serverUrl: server.url, secret: mediaSecret, recordedBy: 'local' };
  deliver = segmentUploader(uploads);
  report = recordingReporter({ ...uploads, log: { warn: () => undefined } });
  opening = await prepareOpening(server, work, bidders, {
    draw: { label: { zh: '下浮系数', en: 'Discount' }, options: ['0.95', '0.96', '0.97', '0.98'] },
    ...recordDetails,
  });
  // The host's console publishes its camera from the moment the bids open (Chromium's fake camera).
  browser = await launchChromium({ fakeMedia: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await sfu?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('an opening in the browser', () => {
  it('refuses a wrong PIN in the page, then logs everyone in with their certificates', async () => {
    const hallPath = `/#/tender/${opening.tender.id}`;
    // The first bidder's connection will be cut later on.
    const first = await openPage(browser, server.url, hallPath, { cuttable: true });
    await logIn(first.page, { role: 'bidder', file: p12Path('bidder1'), pin: '000000' });
    await expect.poll(() => first.page.getByRole('alert').textContent()).toContain('证书密码错误');
    await logIn(first.page, { role: 'bidder', file: p12Path('bidder1') });
    pages.set('bidder1', first);

    for (const bidder of bidders.slice(1)) {
      const role = await openPage(browser, server.url, hallPath);
      await logIn(role.page, { role: 'bidder', file: p12Path(bidder) });
      pages.set(bidder, role);
    }
    for (const [name, role] of [
      ['host', 'host'],
      ['supervisor', 'supervisor'],
    ] as const) {
      const page = await openPage(browser, server.url, hallPath);
      await logIn(page.page, { role, file: p12Path(name) });
      pages.set(name, page);
    }
    for (const [name, { page }] of pages) {
      await expect.poll(() => status(page).textContent(), { message: name }).toBe('签到中');
      await expect.poll(() => page.getByTestId('connection').textContent()).toBe('已连接');
    }
    await pages.get('host')!.page.getByTestId('host-console').waitFor();
    await pages.get('supervisor')!.page.getByTestId('supervisor-view').waitFor();
  });

  it('lets each bidder check in and pass the decryption self-test with keys loaded in the page', async () => {
    for (const bidder of bidders) {
      const { page } = pages.get(bidder)!;
      await expect.poll(() => page.getByTestId('my-bid').textContent()).toContain('投标文件已递交');
      await page.getByRole('button', { name: '签到' }).click();
      await page.getByTestId('checked-in').waitFor();
      await loadEncryption(page, bidder);
      await page.getByRole('button', { name: '解密自检' }).click();
      await expect.poll(() => outcomes(page)).toContainEqual(expect.stringContaining('自检通过'));
      // The outcome reads in Chinese only (it used to carry the English in brackets).
      expect(await untranslated(page, [opening.tender.code])).toEqual([]);
    }
    await screenshot(pages.get('bidder1')!.page, 'bidder-check-in');
  });

  it('refuses another company’s encryption certificate, and lets a bidder swap the one it loaded', async () => {
    const { page } = pages.get('bidder1')!;
    await page.getByRole('button', { name: '更换' }).click();
    await page.getByLabel('加密证书文件（.p12）').setInputFiles(p12Path('bidder2', 'enc'));
    await page.locator('input[name="encryption-pin"]').fill(devPin);
    await page.getByRole('button', { name: '载入加密证书' }).click();
    await expect.poll(() => outcomes(page)).toContainEqual(expect.stringContaining('不属于当前登录的单位'));
    expect(await page.getByTestId('encryption-loaded').count()).toBe(0);
    await loadEncryption(page, 'bidder1');
  });

  it('explains a second tab of the same bidder instead of breaking', async () => {
    const { context } = pages.get('bidder2')!;
    const second = await context.newPage();
    await second.goto(`${server.url}/#/tender/${opening.tender.id}`);
    // A new tab has no key in memory: it asks for the certificate again, like a fresh window.
    await logIn(second, { role: 'bidder', file: p12Path('bidder2') });
    await second.getByTestId('second-tab').waitFor();
    await pages.get('bidder2')!.page.getByTestId('second-tab').waitFor();
    await expect.poll(() => status(second).textContent()).toBe('签到中');
    await second.close();
  });

  it('opens at the deadline; a bidder page that lost its connection shows it and catches up', async () => {
    await advanceTo(server, opening.tender.id, afterDeadline(opening.tender), 'opened');
    for (const [, { page }] of pages) await expect.poll(() => status(page).textContent()).toBe('已开标');
    // A bidder knows what it waits for; its own check-in keeps the time it happened, not the opening's.
    const waiting = pages.get('bidder2')!.page;
    await waiting.getByTestId('waiting-for-decryption').waitFor();
    const checkIns = await waiting
      .getByTestId('timeline')
      .locator('li', { hasText: '已签到' })
      .allTextContents();
    expect(checkIns).toHaveLength(bidders.length);
    const timeOf = (line: string) => line.split(' ').slice(0, 2).join(' ');
    const [opened] = await waiting
      .getByTestId('timeline')
      .locator('li', { hasText: '已开标' })
      .allTextContents();
    for (const line of checkIns) expect(timeOf(line)).not.toBe(timeOf(opened!));

    // From the moment the bids open the host's console publishes its camera without a click: the
    // opening is recorded, and the supervisor's timeline says so.
    const hostPage = pages.get('host')!.page;
    await hostPage.getByTestId('tile-self').waitFor({ timeout: 30_000 });
    // The host shares the console's screen too (the browser asks first, so this takes a click).
    await hostPage.getByRole('button', { name: '共享控制台画面' }).click();
    await hostPage.getByTestId('tile-screen').waitFor({ timeout: 30_000 });
    const supervisorPage = pages.get('supervisor')!.page;
    await expect
      .poll(() => supervisorPage.getByTestId('timeline').textContent(), { timeout: 30_000 })
      .toContain('开标过程开始录像');
    expect(await supervisorPage.getByTestId('unrecorded').count()).toBe(0);

    const bidder1 = pages.get('bidder1')!;
    await bidder1.connection!.cut();
    await expect
      .poll(() => bidder1.page.getByTestId('connection').textContent())
      .toBe('连接中断，正在重新连接…');

    const host = pages.get('host')!.page;
    await host.getByRole('button', { name: '开始解密' }).click();
    await expect.poll(() => status(host).textContent()).toBe('解密中');
    // Still cut off: the page has not heard of it.
    expect(await status(bidder1.page).textContent()).toBe('已开标');

    bidder1.connection!.restore();
    await expect
      .poll(() => bidder1.page.getByTestId('connection').textContent(), { timeout: 15_000 })
      .toBe('已连接');
    await expect.poll(() => status(bidder1.page).textContent()).toBe('解密中');
    await expect.poll(() => bidder1.page.getByTestId('timeline').textContent()).toContain('解密中');
  });

  it('decrypts each bid from its bidder page and shows every bid decrypting live', async () => {
    for (const bidder of bidders) {
      const { page } = pages.get(bidder)!;
      await page.getByRole('button', { name: '解密我的投标文件' }).click();
      await expect.poll(() => outcomes(page)).toContainEqual(expect.stringContaining('已提交解密密钥'));
      await page.getByLabel(/抽取种子/).fill(opening.drawSeeds.get(bidder)!);
      await page.getByRole('button', { name: '公开我的抽取种子' }).click();
      await expect.poll(() => outcomes(page)).toContainEqual(expect.stringContaining('种子已公开'));
    }
    const supervisor = pages.get('supervisor')!.page;
    await expect
      .poll(() => supervisor.getByTestId('bids').getByText('解密完成').count(), { timeout: 30_000 })
      .toBe(3);
    await screenshot(supervisor, 'supervisor-decrypting');
  });

  it('reads the bids: the summary table and a draw each bidder can recompute in the page', async () => {
    const host = pages.get('host')!.page;
    await host.getByRole('button', { name: '唱标（公布开标一览表）' }).click();
    for (const bidder of bidders) {
      const { page } = pages.get(bidder)!;
      await expect.poll(() => page.getByTestId('summary-table').locator('tbody tr').count()).toBe(3);
    }
    const page = pages.get('bidder1')!.page;
    await expect.poll(() => page.getByTestId('draw-result').textContent()).toMatch(/^0\.9[5-8]$/);
    await page.getByRole('button', { name: '在本页重新计算' }).click();
    await expect.poll(() => page.getByTestId('draw-check').textContent()).toBe('复算结果一致');
    await screenshot(host, 'host-announced');
  });

  it('publishes the record: two bidders sign, one objects with markup that stays text, the host answers', async () => {
    // The record lists the hall's segments stored by then: wait for the first to be handed over (an
    // opening lasts minutes; this one only seconds).
    const { token } = await server.login('supervisor', 'supervisor');
    // The camera with the microphone, and the shared screen, each in segments of their own.
    const hallSegments = async () =>
      new Set(
        (
          (await fetch(`${server.url}/api/recordings?room=hall:${opening.tender.id}`, {
            headers: { authorization: `Bearer ${token}` },
          }).then((r) => r.json())) as PlaybackView
        ).segments.map((segment) => [...segment.kinds].sort().join('+')),
      );
    await expect.poll(hallSegments, { timeout: 30_000 }).toEqual(new Set(['audio+video', 'video']));
    const host = pages.get('host')!.page;
    await host.getByRole('button', { name: '生成开标记录' }).click();
    for (const bidder of ['bidder1', 'bidder2']) {
      const { page } = pages.get(bidder)!;
      await page.getByRole('button', { name: '签署开标记录' }).click();
      await page.getByTestId('record-signed').waitFor();
    }
    const objector = pages.get('bidder4')!.page;
    const markup = '<img src=x onerror="alert(1)"><b>报价唱错</b>';
    await objector.getByLabel('异议内容').fill(markup);
    await objector.getByRole('button', { name: '提出异议' }).click();
    await expect.poll(() => host.getByTestId('objections').textContent()).toContain(markup);
    expect(await host.getByTestId('objections').locator('img, b').count()).toBe(0);

    await host.getByLabel('答复内容').fill('经核对，报价按一览表宣读无误。');
    await host.getByRole('button', { name: '答复', exact: true }).click();
    await expect
      .poll(() => objector.getByTestId('objections').textContent())
      .toContain('经核对，报价按一览表宣读无误');
    await screenshot(objector, 'bidder-objection-answered');

    // The host and the supervisor sign the record too, each with the certificate they logged in with.
    for (const staff of ['host', 'supervisor']) {
      const { page } = pages.get(staff)!;
      await page.getByRole('button', { name: '签署开标记录' }).click();
      await page.getByTestId('record-signed').waitFor();
    }
    await expect
      .poll(() => host.locator('.record-print').innerText())
      .toContain((await server.login('supervisor', 'supervisor')).actor.name);

    // The host leaves the video: the opening runs unrecorded, and both the host and the supervisor are
    // alarmed (after the few seconds a recording needs to start) until the camera is back.
    await host.getByRole('button', { name: '离开音视频' }).click();
    const supervisor = pages.get('supervisor')!.page;
    await supervisor.getByTestId('unrecorded').waitFor({ timeout: 40_000 });
    expect(await supervisor.getByTestId('unrecorded').textContent()).toContain('本场开标未在录像');
    await host.getByTestId('unrecorded').waitFor({ timeout: 10_000 });
    expect(await supervisor.getByTestId('timeline').textContent()).toContain('录像中断');
    await screenshot(supervisor, 'supervisor-unrecorded-alarm');
    await host.getByRole('button', { name: '加入音视频' }).click();
    await expect.poll(() => supervisor.getByTestId('unrecorded').count(), { timeout: 30_000 }).toBe(0);

    await host.getByRole('button', { name: '结束开标' }).click();
    for (const [, { page }] of pages) await expect.poll(() => status(page).textContent()).toBe('开标结束');
    await screenshot(host, 'host-closed');
  });

  it('prints the record (开标记录表): in Chinese at desktop width, in English at phone width', async () => {
    const host = pages.get('host')!.page;
    await host.emulateMedia({ media: 'print' });
    const printed = host.locator('.record-print');
    const text = (await printed.innerText()).replace(/\s+/g, '');
    for (const needle of [
      '开标记录表',
      `招标人${recordDetails.tenderee}`,
      `标段${recordDetails.lot}`,
      `开标地点${recordDetails.venue}`,
      '最高投标限价（元）1,286,000.00（壹佰贰拾捌万陆仟元整）',
      '1,000,000.00壹佰万元整',
      '签到情况',
      '经核对，报价按一览表宣读无误。',
      '开标录像（截至生成记录时）',
    ])
      expect(text).toContain(needle.replace(/\s+/g, ''));
    // The hall's segments stored before the record was produced, each with its hash.
    const segments = await host.getByTestId('record-recordings').locator('li').allTextContents();
    expect(segments.length).toBeGreaterThan(0);
    for (const segment of segments) expect(segment).toMatch(/SHA-256 [0-9a-f]{64}/);
    // Only the record prints: the rest of the console is hidden, the signed JSON too.
    expect(await host.getByTestId('print-record').isVisible()).toBe(false);
    expect(await host.getByTestId('bids').isVisible()).toBe(false);
    await screenshot(host, 'record-print-zh-desktop');
    await host.emulateMedia({ media: 'screen' });

    const bidder = pages.get('bidder1')!.page;
    await bidder.getByRole('button', { name: 'English' }).click();
    await bidder.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => status(bidder).textContent()).toBe('Closed');
    await bidder.emulateMedia({ media: 'print' });
    const english = (await bidder.locator('.record-print').innerText()).replace(/\s+/g, '');
    for (const needle of [
      'Opening record',
      `Tenderee${recordDetails.tenderee}`,
      'Ceiling price (CNY)',
      'Check-ins',
    ])
      expect(english).toContain(needle.replace(/\s+/g, ''));
    await screenshot(bidder, 'record-print-en-phone');
    await bidder.emulateMedia({ media: 'screen' });
    // On the phone's screen the record scrolls inside its own box, never the page sideways.
    expect(await bidder.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await bidder.getByRole('button', { name: '中文' }).click();
    await bidder.setViewportSize({ width: 1360, height: 900 });
  });

  it('lets the supervisor verify the audit chain and the record bundle', async () => {
    const supervisor = pages.get('supervisor')!.page;
    await expect.poll(() => supervisor.getByTestId('audit-feed').locator('li').count()).toBeGreaterThan(10);
    expect(await supervisor.getByTestId('audit-feed').textContent()).not.toContain('哈希不符');
    await supervisor.getByRole('button', { name: '校验审计链' }).click();
    await expect.poll(() => supervisor.getByTestId('chain-result').textContent()).toContain('审计链完整');
    await supervisor.getByRole('button', { name: '校验开标记录包' }).click();
    await expect.poll(() => supervisor.getByTestId('bundle-result').textContent()).toContain('校验通过');
    const objector = (await server.login('bidder4', 'bidder')).actor.name;
    expect(await supervisor.getByTestId('bundle-result').textContent()).toContain(`未签署 ${objector}`);
    await screenshot(supervisor, 'supervisor-closed');
  });

  it('shows the supervisor who did what in words, filters it and exports it as a spreadsheet', async () => {
    const supervisor = pages.get('supervisor')!.page;
    const feed = supervisor.getByTestId('audit-feed');
    const hostName = (await server.login('host', 'host')).actor.name;
    const bidderName = (await server.login('bidder1', 'bidder')).actor.name;
    await expect.poll(() => feed.textContent()).toContain(`${hostName} 主持人 开始解密`);
    expect(await feed.textContent()).not.toMatch(/hall\.[a-z-]+/);
    await supervisor.locator('select[name="audit-action"]').selectOption('hall.check-in');
    const lines = await feed.locator('li').allTextContents();
    // Each bidder checked in once (a repeated check-in adds no entry), and only check-ins are shown.
    expect(lines).toHaveLength(bidders.length);
    for (const line of lines) expect(line).toContain('投标人 签到');
    expect(lines.join('\n')).toContain(bidderName);
    await screenshot(supervisor, 'supervisor-audit-filtered');
    const [download] = await Promise.all([
      supervisor.waitForEvent('download'),
      supervisor.getByRole('button', { name: '导出表格（CSV）' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.startsWith('\uFEFF序号,时间,操作人,角色,操作,结果')).toBe(true);
    expect(csv).toContain(`${bidderName},投标人,签到,成功`);
    await supervisor.locator('select[name="audit-action"]').selectOption('');
  });

  it('shows every message in Chinese on the zh-CN pages, from the server’s refusals to the timeline', async () => {
    expect(await pages.get('host')!.page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    const typed = ['<img src=x onerror="alert(1)"><b>报价唱错</b>', opening.tender.code];
    for (const [name, { page }] of pages) expect(await untranslated(page, typed), name).toEqual([]);
  });

  it('fits a phone (390 px) on every role’s page in both languages: nothing sideways, no button wrapping a character per line', async () => {
    for (const language of ['zh', 'en'] as const) {
      for (const [name, { page }] of pages) {
        if (language === 'en') await page.getByRole('button', { name: 'English' }).click();
        await page.setViewportSize({ width: 390, height: 844 });
        const layout = await page.evaluate(() => {
          const lineOf = (el: Element) => {
            const style = getComputedStyle(el);
            return Number.parseFloat(style.lineHeight) || Number.parseFloat(style.fontSize) * 1.4;
          };
          const buttons = [...document.querySelectorAll('button')].filter((b) => b.offsetParent !== null);
          return {
            width: document.documentElement.scrollWidth,
            tallButtons: buttons
              .filter((b) => b.getBoundingClientRect().height > 2.6 * lineOf(b) + 16)
              .map((b) => b.textContent),
            narrowNames: [...document.querySelectorAll('.record-print td:first-child')]
              .filter(
                (td) =>
                  td.getBoundingClientRect().width < 5 * Number.parseFloat(getComputedStyle(td).fontSize),
              )
              .map((td) => td.textContent),
          };
        });
        expect(layout, name).toEqual({ width: expect.any(Number), tallButtons: [], narrowNames: [] });
        expect(layout.width, name).toBeLessThanOrEqual(390);
        await screenshot(page, `phone-${name}-${language}`);
        await page.setViewportSize({ width: 1360, height: 900 });
        await screenshot(page, `desktop-${name}-${language}`);
        if (language === 'en') {
          // The English page's own words are English: its buttons, headings and the stage (the people's
          // and companies' names, and what they typed, stay as they are).
          const chinese = await page.evaluate(() =>
            [...document.querySelectorAll('button, h1, h2, h3, [data-testid="status"]')]
              // The language switch names the other language in it; the tender's title is the host's.
              .filter(
                (el) => (el as HTMLElement).offsetParent !== null && !el.matches('[lang], .tender-title'),
              )
              .map((el) =>
                (el.childNodes.length ? [...el.childNodes] : [])
                  .filter((n) => n.nodeType === Node.TEXT_NODE)
                  .map((n) => n.textContent ?? '')
                  .join(''),
              )
              .filter((text) => /[\u4e00-\u9fff]/.test(text)),
          );
          expect(chinese, name).toEqual([]);
          await page.getByRole('button', { name: '中文' }).click();
        }
      }
    }
  });

  it('logged no console errors on any page', () => {
    for (const [name, { errors }] of pages) expect(errors, name).toEqual([]);
  });
});
