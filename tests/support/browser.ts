/**
 * Debian's Chromium driven by playwright-core (flags from ../shared/docs/environment.md), and the steps
 * every browser test repeats: log in through the page with a PKCS#12 file, collect console errors,
 * save screenshots as test artefacts, cut and restore a page's connection.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '@bidhall/shared';
import { type Browser, type BrowserContext, chromium, type Page, type WebSocketRoute } from 'playwright-core';
import { repositoryRoot } from '../../server/src/config.ts';
import { pkiDir } from './pki.ts';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const devPin = '123456';
export const artefactsDir = join(repositoryRoot, 'test-results', 'browser');

/**
 * Chromium with the flags the environment notes give; playwright gives each launch a fresh profile.
 * `fakeMedia`: a synthetic camera and microphone granted without asking, and ICE on loopback.
 */
export function launchChromium(options: { fakeMedia?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(options.fakeMedia
        ? [
            '--use-fake-device-for-media-stream',
            '--use-fake-ui-for-media-stream',
            '--allow-loopback-in-peer-connection',
            '--autoplay-policy=no-user-gesture-required',
            // getDisplayMedia answered with the whole (virtual) screen, as a person choosing it would.
            '--auto-select-desktop-capture-source=Entire screen',
          ]
        : []),
    ],
  });
}

export const p12Path = (actor: string, kind: 'sign' | 'enc' = 'sign') =>
  join(pkiDir, 'actors', actor, `${kind}.p12`);

/** Console errors and uncaught exceptions of a page, for the "no console errors" assertion. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    // A failed load names the resource, so the failure says which request it was.
    const where = message.location().url;
    if (message.type() === 'error') errors.push(where ? `${message.text()} (${where})` : message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return errors;
}

export interface RolePage {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly errors: string[];
  /** Set when opened with `cuttable`: cuts and restores the page's connection. */
  readonly connection: CuttableConnection | null;
}

/** A fresh context (its own storage, like another computer) with one page on `path`. */
export async function openPage(
  browser: Browser,
  url: string,
  path = '/',
  options: {
    cuttable?: boolean;
    /** The address the page's requests come from, as a trusted proxy in front of the server says. */
    from?: string;
    viewport?: { width: number; height: number };
    /** The computer's time zone (the machine's own unless given). */
    timezoneId?: string;
  } = {},
): Promise<RolePage> {
  const context = await browser.newContext({
    locale: 'zh-CN',
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
    viewport: options.viewport ?? { width: 1360, height: 900 },
    ...(options.from ? { extraHTTPHeaders: { 'x-forwarded-for': options.from } } : {}),
  });
  const page = await context.newPage();
  const errors = watchConsole(page);
  // WebSocket routes take effect in documents loaded after them: install before navigating.
  const connection = options.cuttable ? await cuttableConnection(page) : null;
  await page.goto(`${url}${path}`);
  return { page, context, errors, connection };
}

/** Logs in through the form: role, PKCS#12 file, PIN. */
export async function logIn(page: Page, options: { role: Role; file: string; pin?: string }): Promise<void> {
  await page.getByLabel('登录身份').selectOption(options.role);
  await page.getByLabel('签名证书文件').setInputFiles(options.file);
  await page.getByLabel('证书密码（PIN）').fill(options.pin ?? devPin);
  await page.getByRole('button', { name: '登录' }).click();
}

/** Loads the encryption certificate in a bidder's (or custodian's) page. */
export async function loadEncryption(page: Page, actor: string): Promise<void> {
  await page.getByLabel('加密证书文件（.p12）').setInputFiles(p12Path(actor, 'enc'));
  await page.locator('input[name="encryption-pin"]').fill(devPin);
  await page.getByRole('button', { name: '载入加密证书' }).click();
  await page.getByTestId('encryption-loaded').waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artefactsDir, { recursive: true });
  const file = join(artefactsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Cuts a page's Socket.IO connection as a network failure would (the socket closes, reconnects are
 * refused) until `restore` is called. Installed before the page loads.
 */
export interface CuttableConnection {
  cut(): Promise<void>;
  restore(): void;
}

async function cuttableConnection(page: Page): Promise<CuttableConnection> {
  let online = true;
  const live = new Set<WebSocketRoute>();
  await page.routeWebSocket(/\/socket\.io\//, async (ws) => {
    if (!online) {
      // Refused as a dead network would: the attempt opens nowhere and is dropped a moment later.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await ws.close({ code: 4000, reason: 'offline' });
      return;
    }
    const server = ws.connectToServer();
    live.add(ws);
    ws.onClose(() => {
      live.delete(ws);
      void server.close();
    });
  });
  return {
    cut: async () => {
      online = false;
      for (const ws of [...live]) await ws.close({ code: 4000, reason: 'network lost' });
      live.clear();
    },
    restore: () => {
      online = true;
    },
  };
}

/**
 * The outcome messages a page shows (successes and errors alike), so that a failed expectation prints
 * what the page said instead of "not found".
 */
export function outcomes(page: Page): Promise<string[]> {
  return page.locator('.outcome').allTextContents();
}

/**
 * English left in the messages a zh-CN page shows — outcomes, problems at fields, alerts, notices, the
 * timeline and the audit feed: every ASCII word of three letters or more that is not a code or a unit
 * (written in capitals: HALL_WRONG_STATE, SHA-256, PDF), not a hash, and not one of `allowed` (the
 * tender's code, what people typed).
 */
export async function untranslated(page: Page, allowed: readonly string[] = []): Promise<string[]> {
  const texts = await page
    .locator('.outcome, .field-problem, [role="alert"], .notice, .timeline li, .audit-feed li')
    .allTextContents();
  const words = new Set<string>();
  for (let text of texts) {
    for (const phrase of [...allowed, 'bidhall']) text = text.replaceAll(phrase, ' ');
    text = text.replace(/\b[0-9a-f]{8,}\b/g, ' ');
    for (const word of text.match(/[A-Za-z][A-Za-z'-]{2,}/g) ?? [])
      if (!/^[A-Z][A-Z0-9_-]*$/.test(word)) words.add(word);
  }
  return [...words];
}
