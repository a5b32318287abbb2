/**
 * A tender's life before the opening, in Chromium: the host changes its title and deadline from the
 * console and the bidder's hall hears of it; the host changes the summary fields and the bidder is told
 * to seal its bid again; then the host cancels it with a reason, and the bidder's page
 * says so, in Chinese at desktop width and in English on a phone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  logIn,
  openPage,
  p12Path,
  type RolePage,
  screenshot,
  untranslated,
} from '../support/browser.ts';
import { type PreparedOpening, prepareOpening } from '../support/hall.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const work = mkdtempSync(join(tmpdir(), 'bidhall-lifecycle-'));
let server: TestServer;
let browser: Browser;
let opening: PreparedOpening;
let host: RolePage;
let bidder: RolePage;
const status = (page: Page) => page.getByTestId('status');

beforeAll(async () => {
  server = await startTestServer({ listen: true });
  opening = await prepareOpening(server, work, ['bidder1', 'bidder2', 'bidder3']);
  browser = await launchChromium();
  const path = `/#/tender/${opening.tender.id}`;
  host = await openPage(browser, server.url, path);
  await logIn(host.page, { role: 'host', file: p12Path('host') });
  bidder = await openPage(browser, server.url, path);
  await logIn(bidder.page, { role: 'bidder', file: p12Path('bidder1') });
  for (const { page } of [host, bidder]) await status(page).filter({ hasText: '签到中' }).waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('a tender before its opening, in the browser', () => {
  it('lets the host change the title and the deadline; the bidder’s hall shows the new ones', async () => {
    const form = host.page.getByTestId('edit-tender');
    await form.locator('summary').first().click();
    const title = `${opening.tender.title}（更正）`;
    await form.getByLabel('项目名称').fill(title);
    await form.getByRole('button', { name: '保存修改' }).click();
    await expect.poll(() => form.locator('.outcome').textContent()).toBe('修改已保存并通知投标人');
    await expect.poll(() => bidder.page.locator('.tender-title').textContent()).toBe(title);
    await expect
      .poll(() => bidder.page.getByTestId('timeline').textContent())
      .toContain('主持人修改了招标项目: 项目名称');
    // A deadline in five minutes would cut uploads short: refused, at the field, in Chinese.
    const soon = new Date(Date.now() + 5 * 60_000 - new Date().getTimezoneOffset() * 60_000)
      .toISOString()
      .slice(0, 16);
    await form.getByLabel('投标截止（开标）时间').fill(soon);
    await form.getByRole('button', { name: '保存修改' }).click();
    await expect
      .poll(() => form.locator('.field-problem').textContent())
      .toContain('新的投标截止时间须晚于当前时间至少 10 分钟');
    expect(await untranslated(host.page, [opening.tender.code])).toEqual([]);
    await screenshot(host.page, 'host-edit-tender');
  });

  it('lets the host change the summary fields, asking first; the bidder is told to seal its bid again', async () => {
    const form = host.page.getByTestId('edit-tender');
    // The deadline refused above is still in the form: put back the tender's own.
    const ownDeadline = await host.page.evaluate((iso) => {
      const at = new Date(iso);
      return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    }, opening.tender.deadline);
    await form.getByLabel('投标截止（开标）时间').fill(ownDeadline);
    const dialogs: string[] = [];
    host.page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await form.getByLabel('中文名称').first().fill('投标总价（元）');
    await form.getByRole('button', { name: '保存修改' }).click();
    await expect.poll(() => form.locator('.outcome').textContent()).toBe('修改已保存并通知投标人');
    expect(dialogs).toEqual([expect.stringContaining('已递交投标的投标人须重新加密并上传投标文件')]);
    await expect
      .poll(() => bidder.page.getByTestId('timeline').textContent())
      .toContain('已递交的投标须按新的开标一览表或开标证书重新加密并上传');
    await bidder.page.getByTestId('reseal-needed').waitFor();
    expect(await bidder.page.getByTestId('reseal-needed').textContent()).toContain(
      '请按新版本重新加密投标文件',
    );
    expect(await untranslated(bidder.page, [opening.tender.code])).toEqual([]);
    await screenshot(bidder.page, 'bidder-reseal-needed');
    await bidder.page.getByRole('button', { name: 'English' }).click();
    await bidder.page.setViewportSize({ width: 390, height: 844 });
    expect(await bidder.page.getByTestId('reseal-needed').textContent()).toContain('seal your bid again');
    expect(await bidder.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(bidder.page, 'bidder-reseal-needed-en-phone');
    await bidder.page.getByRole('button', { name: '中文' }).click();
    await bidder.page.setViewportSize({ width: 1360, height: 900 });
  });

  it('lets the host cancel the tender with a reason; the bidder is told its bid stays sealed', async () => {
    const reason = '招标文件需重大修改，终止本次招标';
    const cancel = host.page.locator('fieldset', { hasText: '终止招标' });
    await cancel.getByLabel('原因').fill(reason);
    await cancel.getByRole('button', { name: '终止招标' }).click();
    for (const { page } of [host, bidder])
      await expect.poll(() => status(page).textContent()).toBe('已终止招标');
    await expect.poll(() => bidder.page.getByTestId('tender-cancelled').textContent()).toContain(reason);
    expect(await bidder.page.getByTestId('tender-cancelled').textContent()).toContain('保持密封');
    expect(await untranslated(bidder.page, [opening.tender.code])).toEqual([]);
    await screenshot(bidder.page, 'bidder-tender-cancelled');

    await bidder.page.getByRole('button', { name: 'English' }).click();
    await bidder.page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => status(bidder.page).textContent()).toBe('Cancelled');
    expect(await bidder.page.getByTestId('tender-cancelled').textContent()).toContain(
      'Your bid stays sealed',
    );
    expect(await bidder.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(bidder.page, 'bidder-tender-cancelled-en-phone');
  });

  it('logged no console errors on either page', () => {
    // The refused deadline is the one failed request the browser reports.
    expect(host.errors).toEqual([expect.stringContaining('status of 422')]);
    expect(bidder.errors).toEqual([]);
  });
});
