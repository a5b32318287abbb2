/**
 * A whole remote evaluation in Chromium, every step clicked as a person would: the agency forms the
 * committee (seats from the catalogue in Beijing and Shanghai, each city on its own SFU) and writes the
 * review plan; the tenderee names its representative; a supervisor draws with a seed chosen in its page;
 * five members, each in a browser of its own at its seat's network, sign in, sign the pledge, elect the
 * leader, read the documents (a PDF rendered by pdf.js, an image, a text) side by side, score three
 * stages (an abnormal score sent back by the leader and revised), see each other on video across the two
 * cities, ask a bidder a question the supervisor approves and the bidder answers on its own page, and
 * sign the report or dissent; the agency publishes the candidates. One member does its part from the
 * keyboard alone. Each page is screenshotted at each stage (test-results/browser/evaluation-*.png), axe
 * finds no serious or critical violation in the expert room, the leader's panel and the bidder's
 * clarification page, and no page logs a console error. Only the pool, the seat catalogue and the opening
 * before it are set up through the API.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Sfu, startSfu } from '@bidhall/sfu';
import type { CandidatesView, CommitteeView, ReviewView } from '@bidhall/shared';
import axe from 'axe-core';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pkcs12Bundle } from '../../server/src/pki/issuer.ts';
import {
  devPin,
  launchChromium,
  logIn,
  openPage,
  outcomes,
  p12Path,
  type RolePage,
  screenshot,
  untranslated,
} from '../support/browser.ts';
import { call, registerSeats } from '../support/committee.ts';
import { samplePdf, samplePng } from '../support/documents.ts';
import { decryptedOpening, endWindow } from '../support/hall.ts';
import { caPath, issueFromDevCa } from '../support/pki.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const secret = 'browser-evaluation-test-secret-32-chars';
const quiet = { info: () => undefined, warn: () => undefined, error: console.error };
const work = mkdtempSync(join(tmpdir(), 'bidhall-browser-evaluation-'));
const bidders = ['bidder1', 'bidder2', 'bidder3'] as const;
let server: TestServer;
let browser: Browser;
const sfus: Sfu[] = [];
let tokens: Record<'admin' | 'supervisor', string>;
let tenderId: string;
let committeeId: string;
/** Everyone who may sit: pool experts and the representative, each with a PKCS#12 file of their own. */
const people = new Map<string, { name: string; identity: string; p12: string }>();
/** Each seat's network address, by the seat label the pages show ("centre room seat"). */
const seatAddress = new Map<string, string>();
/** The members' pages, by member id; the leader's id once elected. */
const members = new Map<string, RolePage & { name: string }>();
let leaderId = '';
let keyboardMember = '';
/** The first bidder's tender page, where it answers the clarification and later sees the publicity. */
let bidderHall: RolePage;
const pages: RolePage[] = [];
let shot = 0;

/** A screenshot named by its order, the page's role and the stage. */
const snap = (page: Page, what: string) =>
  screenshot(page, `evaluation-${String(++shot).padStart(2, '0')}-${what}`);

async function open(options: { from?: string } = {}): Promise<RolePage> {
  const opened = await openPage(browser, server.url, '/', {
    ...options,
    viewport: { width: 1280, height: 720 },
    timezoneId: 'Asia/Shanghai',
  });
  pages.push(opened);
  return opened;
}

/** The server's time as a datetime-local value in China (the pages' time zone). */
function chinaLocal(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);
}

async function view(): Promise<CommitteeView> {
  return (await call<CommitteeView>(server, tokens.supervisor, 'GET', `/api/committees/${committeeId}`)).body;
}

async function statusIs(status: CommitteeView['status']): Promise<void> {
  await expect.poll(async () => (await view()).status, { timeout: 30_000 }).toBe(status);
}

/** Serious and critical accessibility violations axe finds in the page as it is now. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.join(' | ')}`);
}

/**
 * Moves the focus with Tab alone until it is on `target`, as a keyboard user would, and checks that the
 * focus shows (an outline drawn by :focus-visible).
 */
async function tabTo(page: Page, target: Locator): Promise<void> {
  const element = await target.elementHandle();
  for (let i = 0; i < 400; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((el) => document.activeElement === el, element)) {
      const outline = await page.evaluate((el) => getComputedStyle(el as Element).outlineStyle, element);
      expect(outline).not.toBe('none');
      return;
    }
  }
  throw new Error('Tab never reached the element');
}

/** Marks every cell of a pass/fail sheet as passing, and submits it after the confirmation. */
async function passAll(page: Page, memberId: string): Promise<void> {
  const stage = (await reviewOf()).stage!;
  const sheet = sheetOf(page, stage);
  await sheet.waitFor();
  for (const select of await sheet.locator('select').all()) await select.selectOption('pass');
  await page.getByRole('button', { name: '提交评审表' }).click();
  await page.getByRole('button', { name: '确认提交' }).click();
  await sheetIn(memberId, stage);
}

/** The scoring sheet of `stage` as the page shows it (the previous stage's may still be on screen). */
const sheetOf = (page: Page, stage: string) => page.locator(`[data-testid="sheet"][data-stage="${stage}"]`);

/** The pool's CSV: ten experts of one specialty, five in each city. */
function poolCsv(): string {
  const header =
    'code,name,identity,specialties,region,employerName,employerCreditCode,relations,status,suspendedUntil';
  const lines = Array.from({ length: 10 }, (_, i) =>
    [
      `P${String(i + 1).padStart(3, '0')}`,
      `评标专家${i + 1}号`,
      `1101051980${String(200000 + i)}`,
      'A080101',
      i < 5 ? 'beijing' : 'shanghai',
      `第${i}设计研究院`,
      `91110000${String(500 + i).padStart(9, '0')}X`,
      '',
      'active',
      '',
    ].join(','),
  );
  return [header, ...lines].join('\n');
}

/** A certificate for `person` from the dev CA, registered as an expert, as a PKCS#12 file to log in with. */
async function enrol(person: { name: string; identity: string }): Promise<string> {
  const keys = issueFromDevCa('ca-a', { cn: person.name, o: '评标专家', serialNumber: person.identity });
  const registered = await call(server, tokens.admin, 'POST', '/api/actors', {
    role: 'expert',
    signingCertificate: keys.certPem,
  });
  expect([200, 201]).toContain(registered.status);
  const file = join(work, `${person.identity}.p12`);
  writeFileSync(
    file,
    pkcs12Bundle(keys.keyPem, [keys.certPem, readFileSync(caPath('ca-a'), 'utf8')], devPin, person.name),
  );
  return file;
}

beforeAll(async () => {
  for (const city of ['beijing', 'shanghai'])
    sfus.push(
      await startSfu({
        name: city,
        host: '127.0.0.1',
        port: 0,
        ticketSecret: secret,
        workers: 1,
        listenIp: '127.0.0.1',
        log: quiet,
      }),
    );
  server = await startTestServer({
    listen: true,
    env: {
      SFU_URLS: `beijing=${sfus[0]!.url},shanghai=${sfus[1]!.url}`,
      MEDIA_TICKET_SECRET: secret,
      // The seats' networks reach the server through a proxy on this machine, which names them.
      TRUST_PROXY: '127.0.0.1',
    },
  });
  tokens = {
    admin: (await server.login('admin', 'admin')).token,
    supervisor: (await server.login('supervisor', 'supervisor')).token,
  };
  // The opening before the evaluation: each bid's documents hold a PDF, an image and a text.
  const opening = await decryptedOpening(
    server,
    work,
    bidders,
    {},
    {
      bytes: 20_000,
      files: {
        '技术标/技术方案.pdf': (bidder) => samplePdf(`Technical proposal of ${bidder}`),
        '资格证明/营业执照.png': samplePng(120, 80, [40, 110, 200]),
        '投标函.txt': (bidder) => Buffer.from(`投标函：${bidder} 承诺按招标文件要求完成本工程。`),
      },
    },
  );
  tenderId = opening.tender.id;
  await endWindow(server, tenderId, opening.host);
  await opening.host.request('hall:announce', { tenderId });
  await opening.host.request('hall:open-record', { tenderId });
  for (const client of opening.clients) client.close();

  // The pool and the seat catalogue (the platform administrator's).
  const imported = await server.app.inject({
    method: 'POST',
    url: '/api/experts/import',
    headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'text/csv' },
    payload: poolCsv(),
  });
  expect(imported.statusCode).toBe(201);
  const seats = await registerSeats(server, tokens.admin, [
    { city: 'beijing', centre: '北京市公共资源交易中心', count: 3, net: '10.1.0' },
    { city: 'shanghai', centre: '上海市公共资源交易中心', count: 2, net: '10.2.0' },
  ]);
  for (const [label, address] of seats.addressOf) seatAddress.set(label, address);
  for (let i = 0; i < 10; i++) {
    const person = { name: `评标专家${i + 1}号`, identity: `1101051980${String(200000 + i)}` };
    people.set(person.name, { ...person, p12: await enrol(person) });
  }
  const representative = { name: '招标人代表甲', identity: 'REP-10000001' };
  people.set(representative.name, { ...representative, p12: await enrol(representative) });
  browser = await launchChromium({ fakeMedia: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const sfu of sfus) await sfu.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('a remote evaluation across two cities, in the browser', () => {
  it('lets the agency form the committee from the seat catalogue and write the review plan', async () => {
    const host = await open();
    await logIn(host.page, { role: 'host', file: p12Path('host') });
    await host.page.getByRole('button', { name: '进入控制台' }).first().click();
    const form = host.page.getByTestId('committee-setup');
    await form.getByLabel('评委总人数（5 人以上单数）').fill('5');
    await form.getByLabel('招标人代表人数（不超过三分之一）').fill('1');
    await form.getByLabel('专业代码').fill('A080101');
    await form.getByLabel('人数', { exact: true }).fill('4');
    for (const label of seatAddress.keys()) await form.getByLabel(label).check();
    await form.getByLabel('候补专家人数').fill('1');
    await form.getByLabel('招标人统一社会信用代码').fill('91310000MA1TE00085');
    const now = server.clock.now().getTime();
    await form.getByLabel('签到开始时间').fill(chinaLocal(now - 60_000));
    await form.getByLabel('签到截止时间').fill(chinaLocal(now + 60 * 60_000));
    await snap(host.page, 'host-committee-setup');
    await form.getByRole('button', { name: '创建评标委员会' }).click();
    await host.page.getByTestId('host-committee').waitFor();
    committeeId = /#\/committee\/([0-9a-f-]{36})/.exec(host.page.url())![1]!;
    // The agency sees the committee as commitments: nobody is drawn yet, and no name shows later either.
    expect(await host.page.getByTestId('committee-status').textContent()).toBe('待抽取');

    const plan = host.page.getByTestId('plan-editor');
    await plan
      .getByRole('group', { name: '资格审查项' })
      .getByLabel('第 1 项名称（中文）')
      .fill('营业执照及资质证书');
    await plan
      .getByRole('group', { name: '符合性审查项' })
      .getByLabel('第 1 项名称（中文）')
      .fill('投标有效期');
    const criteria = plan.getByRole('group', { name: /详细评审因素/ });
    await criteria.getByLabel('第 1 项名称（中文）').fill('施工组织设计');
    await criteria.getByRole('button', { name: '增加一项' }).click();
    await criteria.getByLabel('第 2 项名称（中文）').fill('项目管理机构');
    await criteria.getByLabel('第 2 项名称（英文，可不填）').fill('Project team');
    await criteria.getByLabel('第 2 项满分').fill('30');
    await criteria.getByLabel('类别').nth(1).selectOption('commercial');
    expect(await criteria.locator('legend').first().textContent()).toContain('合计 100 分');
    await plan.getByRole('button', { name: '保存评标办法' }).click();
    await host.page.getByText('评标办法已保存').waitFor();
    await snap(host.page, 'host-plan');
    expect(host.errors).toEqual([]);
  });

  it('has the tenderee name its representative and a supervisor draw with a seed of its own', async () => {
    const tenderee = await open();
    await logIn(tenderee.page, { role: 'tenderee', file: p12Path('tenderee') });
    await tenderee.page.getByRole('button', { name: '进入开标大厅' }).first().click();
    await tenderee.page.getByTestId('tenderee-page').waitFor();
    await tenderee.page.getByRole('link', { name: '打开' }).click();
    await tenderee.page.getByLabel('第 1 位代表姓名').fill('招标人代表甲');
    await tenderee.page.getByLabel('第 1 位代表证件号码').fill('REP-10000001');
    await tenderee.page.getByRole('button', { name: '确定招标人代表' }).click();
    // The server has the representative (a refusal would show in the page's outcome, printed on failure).
    await expect
      .poll(async () => (await view()).members.some((m) => m.kind === 'representative'), { timeout: 30_000 })
      .toBe(true)
      .catch(async (error: Error) => {
        throw new Error(`${error.message}; the page says: ${(await outcomes(tenderee.page)).join(' | ')}`);
      });
    await tenderee.page.getByText('已确定代表').waitFor();
    await snap(tenderee.page, 'tenderee-representatives');
    expect(tenderee.errors).toEqual([]);

    const supervisor = await open();
    await logIn(supervisor.page, { role: 'supervisor', file: p12Path('supervisor') });
    await supervisor.page.getByRole('button', { name: '进入开标大厅' }).first().click();
    await supervisor.page.getByTestId('supervisor-view').waitFor();
    await supervisor.page.getByRole('link', { name: '打开' }).click();
    await supervisor.page.getByTestId('supervisor-committee').waitFor();
    await supervisor.page.getByRole('button', { name: '生成监督种子' }).click();
    const seed = await supervisor.page.getByTestId('supervisor-seed').textContent();
    expect(seed).toMatch(/^[0-9a-f]{64}$/);
    await supervisor.page.getByRole('button', { name: '提交种子并抽取' }).click();
    // The page checks the platform's revealed seed against the commitment published at creation.
    expect(await supervisor.page.getByTestId('commitment-check').textContent()).toContain('一致');
    await statusIs('signing-in');
    const drawn = await view();
    const sitting = drawn.members.filter((m) => m.state === 'awaiting');
    expect(sitting).toHaveLength(5);
    // The supervisor sees who sits where; the host and the tenderee see commitments only.
    const table = supervisor.page.getByTestId('committee-members');
    for (const member of sitting) await table.getByText(member.name!, { exact: true }).waitFor();
    await snap(supervisor.page, 'supervisor-drawn');
    const hostSees = await call<CommitteeView>(
      server,
      (await server.login('host', 'host')).token,
      'GET',
      `/api/committees/${committeeId}`,
    );
    expect(JSON.stringify(hostSees.body)).not.toMatch(/评标专家|招标人代表甲/);
    for (const member of sitting) {
      const person = people.get(member.name!)!;
      expect(member.seat).not.toBeNull();
      members.set(member.id, { ...(await open({ from: seatAddress.get(member.seat!) })), name: person.name });
    }
    // The representative does its whole part from the keyboard.
    keyboardMember = sitting.find((m) => m.kind === 'representative')!.id;
    expect(supervisor.errors).toEqual([]);
  });

  it('signs each member in at its seat, takes the pledges (one from the keyboard) and elects the leader', async () => {
    for (const [id, member] of members) {
      const { page } = member;
      await logIn(page, { role: 'expert', file: people.get(member.name)!.p12 });
      await page.getByRole('link', { name: '进入评标会场' }).click();
      await page.getByTestId('expert-room').waitFor();
      await page.getByRole('button', { name: '在本席位签到' }).click();
      await stateIs(id, 'signed-in');
      if (id === [...members.keys()][0]) await snap(page, 'expert-signed-in');
    }
    await statusIs('declaring');
    for (const [id, member] of members) {
      const { page } = member;
      await page.getByRole('heading', { name: '承诺书与回避声明' }).waitFor();
      if (id === keyboardMember) {
        await tabTo(page, page.getByLabel('不存在利害关系'));
        await page.keyboard.press('Space');
        await tabTo(page, page.getByRole('button', { name: '用数字证书签署承诺书' }));
        await page.keyboard.press('Enter');
      } else {
        await page.getByLabel('不存在利害关系').check();
        await page.getByRole('button', { name: '用数字证书签署承诺书' }).click();
      }
      await stateIs(id, 'declared');
    }
    await statusIs('electing');
    // Everyone votes for the first candidate listed (one round); the keyboard member too.
    let voted = 0;
    for (const [id, member] of members) {
      const { page } = member;
      const first = page.getByRole('group', { name: '选择一位成员' }).getByRole('radio').first();
      await first.waitFor();
      if (id === keyboardMember) {
        await tabTo(page, first);
        await page.keyboard.press('Space');
        await tabTo(page, page.getByRole('button', { name: '投票' }));
        await page.keyboard.press('Enter');
      } else {
        await first.check();
        await page.getByRole('button', { name: '投票' }).click();
      }
      await expect.poll(async () => (await view()).election.at(-1)?.voted ?? 0).toBeGreaterThan(voted++);
    }
    await statusIs('reviewing');
    leaderId = (await view()).members.find((m) => m.leader)!.id;
    expect(leaderId).not.toBe('');
    for (const member of members.values()) expect(member.errors).toEqual([]);
  });

  it('shows the documents in the page: a PDF through pdf.js, an image, a text, two bids side by side', async () => {
    const { page } = members.get(leaderId)!;
    await page.getByRole('heading', { name: '投标文件' }).waitFor();
    await page.getByLabel('两份投标文件对照').check();
    const left = page.getByTestId('reader-left');
    const right = page.getByTestId('reader-right');
    await left.getByRole('button', { name: '技术方案.pdf' }).click();
    await left.getByTestId('pdf-view').waitFor();
    // pdf.js has drawn the page: the canvas is not blank.
    await expect
      .poll(() =>
        left
          .locator('canvas')
          .first()
          .evaluate((canvas: HTMLCanvasElement) => {
            const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
            let dark = 0;
            for (let i = 0; i < data.length; i += 4) if (data[i]! < 128 && data[i + 3]! > 0) dark++;
            return dark;
          }),
      )
      .toBeGreaterThan(50);
    await right.getByRole('button', { name: '营业执照.png' }).click();
    await expect
      .poll(() => right.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBe(120);
    await right.getByRole('button', { name: '投标函.txt' }).click();
    await expect.poll(() => right.textContent()).toContain('承诺按招标文件要求完成本工程');
    await page.getByRole('button', { name: '查看开标记录' }).click();
    // The record reads as the hall showed it: each bidder with its decryption and its price.
    const record = page.getByTestId('opening-record').getByTestId('record-readable');
    for (const bidder of bidders) {
      const company = (await server.login(bidder, 'bidder')).actor.name;
      await expect.poll(() => record.textContent()).toContain(company);
    }
    expect(await record.textContent()).toContain('解密完成');
    await snap(page, 'expert-documents');
    expect(await accessibilityProblems(page)).toEqual([]);
    // Each file opened is in the audit log, with the member who opened it.
    const audit = await call<{ entries: { action: string }[] }>(
      server,
      tokens.supervisor,
      'GET',
      `/api/tenders/${tenderId}/audit`,
    );
    expect(JSON.stringify(audit.body)).toContain('committee.read-document');
  });

  it('sees the experts of both cities on video, and the supervisor sees them without being seen', async () => {
    const current = await view();
    const byCity = (city: string) =>
      current.members.find((m) => m.venue === city && m.id !== keyboardMember)!;
    const beijing = members.get(byCity('beijing').id)!;
    const shanghai = members.get(byCity('shanghai').id)!;
    for (const member of [beijing, shanghai]) {
      await member.page.getByRole('button', { name: '加入音视频' }).click();
      await member.page.getByTestId('tile-self').waitFor();
    }
    const playing = (page: Page, name: string) =>
      page
        .locator(`[data-testid="tile-remote"][data-name="${name}"] video`)
        .evaluate((v: HTMLVideoElement) => v.videoWidth > 0 && v.currentTime > 0.5, undefined, {
          timeout: 1000,
        })
        .catch(() => false);
    await expect.poll(() => playing(beijing.page, shanghai.name), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => playing(shanghai.page, beijing.name), { timeout: 30_000 }).toBe(true);
    const supervisor = pages[2]!;
    await expect.poll(() => playing(supervisor.page, beijing.name), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => playing(supervisor.page, shanghai.name), { timeout: 30_000 }).toBe(true);
    expect(await supervisor.page.getByTestId('tile-self').count()).toBe(0);
    await snap(shanghai.page, 'expert-video-shanghai');
    await snap(supervisor.page, 'supervisor-wall-live');
  });

  it('scores the qualification (one member from the keyboard), with a clarification asked and answered', async () => {
    for (const [id, member] of members) {
      if (id !== keyboardMember) {
        await passAll(member.page, id);
        continue;
      }
      const { page } = member;
      const sheet = sheetOf(page, 'qualification');
      await sheet.waitFor();
      const selects = await sheet.locator('select').all();
      for (const select of selects) {
        await tabTo(page, select);
        await page.keyboard.press('ArrowDown');
        expect(await select.inputValue()).toBe('pass');
      }
      await tabTo(page, page.getByRole('button', { name: '提交评审表' }));
      await page.keyboard.press('Enter');
      await tabTo(page, page.getByRole('button', { name: '确认提交' }));
      await page.keyboard.press('Enter');
      await sheetIn(id, 'qualification');
    }
    await expect.poll(async () => (await reviewOf()).stage).toBe('compliance');

    // The leader asks the first bidder to clarify; the supervisor approves; the bidder answers, signed.
    const leader = members.get(leaderId)!.page;
    const panel = leader.getByTestId('leader-panel');
    const bidderName = bidders[0];
    const company = (await server.login(bidderName, 'bidder')).actor.name;
    await panel.getByRole('combobox', { name: /^投标人/ }).selectOption({ label: company });
    await panel.getByLabel(/澄清问题/).fill('请说明施工组织设计中的关键线路工期安排。');
    await panel.getByRole('button', { name: '提交监督审核' }).click();
    await leader.getByText('澄清已提交监督审核').waitFor();
    expect(await accessibilityProblems(leader)).toEqual([]);
    await snap(leader, 'leader-panel');

    const supervisor = pages[2]!.page;
    const waiting = supervisor.getByTestId('clarification-waiting');
    await waiting.waitFor();
    const approve = waiting.locator('form').first();
    await approve.getByLabel('原因').fill('问题不涉及实质性内容的变更');
    await approve.getByRole('button', { name: '同意发出' }).click();
    // The question leaves the waiting list for the list of questions sent, awaiting the bidder's answer.
    await expect.poll(() => supervisor.getByTestId('clarifications').textContent()).toContain('待答复');
    await snap(supervisor, 'supervisor-clarification-approved');

    const bidderPage = await open();
    bidderHall = bidderPage;
    await logIn(bidderPage.page, { role: 'bidder', file: p12Path(bidderName) });
    await bidderPage.page.getByRole('button', { name: '进入开标大厅' }).first().click();
    const questions = bidderPage.page.getByTestId('bidder-clarifications');
    await questions.waitFor();
    expect(await questions.textContent()).toContain('关键线路工期安排');
    // Never a hint of who asked.
    for (const member of members.values()) expect(await questions.textContent()).not.toContain(member.name);
    expect(await accessibilityProblems(bidderPage.page)).toEqual([]);
    await bidderPage.page
      .getByLabel('答复内容')
      .fill('关键线路为基础施工与主体结构，工期 180 天，详见附件。');
    const attachment = join(work, '工期说明.txt');
    writeFileSync(attachment, '基础施工 60 天；主体结构 120 天。');
    await bidderPage.page.getByLabel(/附件（最多/).setInputFiles(attachment);
    await bidderPage.page.getByRole('button', { name: '签署并答复' }).click();
    // The answered question stays in the list, with when the signed answer arrived.
    await expect.poll(() => questions.textContent()).toContain('签署答复');
    await snap(bidderPage.page, 'bidder-clarification-answered');
    expect(await untranslated(bidderPage.page)).toEqual([]);
    expect(bidderPage.errors).toEqual([]);
    await expect.poll(() => panel.getByTestId('clarifications').textContent()).toContain('工期 180 天');
  });

  it('scores compliance and the detailed review; an abnormal score goes back with the leader’s note', async () => {
    for (const [id, member] of members) await passAll(member.page, id);
    await expect.poll(async () => (await reviewOf()).stage).toBe('detailed');
    const ids = [...members.keys()];
    const outlier = ids.find((id) => id !== leaderId && id !== keyboardMember)!;
    for (const [id, member] of members) {
      const { page } = member;
      const sheet = sheetOf(page, 'detailed');
      await sheet.waitFor();
      const inputs = await sheet.locator('input[type="number"]').all();
      for (const [i, input] of inputs.entries()) await input.fill(id === outlier && i === 0 ? '5' : '30');
      if (id === outlier) {
        await sheet.locator('input[type="text"]').first().fill('施工组织设计缺少关键工序');
        await page.getByTestId('draft-state').getByText('草稿已保存到服务器').waitFor();
      }
      await page.getByRole('button', { name: '提交评审表' }).click();
      await page.getByRole('button', { name: '确认提交' }).click();
      await sheetIn(id, 'detailed');
    }
    const leader = members.get(leaderId)!.page;
    const flagged = leader.getByTestId('flagged-sheet');
    await flagged.waitFor();
    // The supervisor's wall shows the abnormal score as it comes in.
    const supervisor = pages[2]!.page;
    await expect.poll(() => supervisor.getByTestId('live-sheets').textContent()).toContain('异常');
    await snap(supervisor, 'supervisor-review');
    await flagged.getByLabel('退回意见').fill('请对照评分标准复核施工组织设计得分');
    await flagged.getByRole('button', { name: '退回修改' }).click();
    await leader.getByText('已退回', { exact: true }).waitFor();

    const { page } = members.get(outlier)!;
    await expect.poll(() => page.getByTestId('sheet-status').textContent()).toContain('请对照评分标准复核');
    expect(await page.getByText('评审表已提交').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await snap(page, 'expert-sheet-returned');
    await sheetOf(page, 'detailed').locator('input[type="number"]').first().fill('30');
    await page.getByRole('button', { name: '提交修改后的评审表' }).click();
    await page.getByRole('button', { name: '确认提交' }).click();
    await statusIs('reporting');
    await expect.poll(() => leader.getByTestId('ranking').locator('li').count()).toBe(bidders.length);
    await snap(leader, 'leader-ranking');
    await supervisor.getByTestId('result-detailed').waitFor();
    await snap(supervisor, 'supervisor-results');
  });

  it('builds the report, which the members sign (one from the keyboard) or dissent from, and publishes it', async () => {
    const leader = members.get(leaderId)!.page;
    await leader.getByRole('button', { name: '生成评标报告并开始签署' }).click();
    await statusIs('signing');
    const dissenter = [...members.keys()].find((id) => id !== leaderId && id !== keyboardMember)!;
    for (const [id, member] of members) {
      const { page } = member;
      await page.getByTestId('report-readable').waitFor();
      // The report reads as a document: the committee by name, each member's scores, the candidates.
      expect(await page.getByTestId('report-candidates').locator('li').count()).toBe(bidders.length);
      expect(await page.getByTestId('report-member-scores').locator('tbody tr').count()).toBe(members.size);
      if (id === dissenter) {
        await page.getByRole('button', { name: '有不同意见' }).click();
        await page.getByLabel(/不同意见及理由/).fill('价格分计算应采用修正后的报价，本人保留意见。');
        await page.getByRole('button', { name: '签署不同意见' }).click();
        await page.getByTestId('report-stance').waitFor();
      } else if (id === keyboardMember) {
        await tabTo(page, page.getByRole('button', { name: '用数字证书签署评标报告' }));
        await page.keyboard.press('Enter');
        await page.getByTestId('report-stance').waitFor();
      } else {
        await page.getByRole('button', { name: '用数字证书签署评标报告' }).click();
        await page.getByTestId('report-stance').waitFor();
      }
    }
    await statusIs('closed');
    await snap(members.get(dissenter)!.page, 'expert-report-dissent');
    expect(await accessibilityProblems(members.get(keyboardMember)!.page)).toEqual([]);

    const host = pages[0]!.page;
    await host.getByRole('button', { name: '公示中标候选人' }).click();
    await host.getByText('已公示', { exact: true }).waitFor();
    await statusIs('published');
    await snap(host, 'host-published');
  });

  it('publicises the candidates (a bidder objects, the agency answers), then each party assesses and rates', async () => {
    const host = pages[0]!.page;
    const supervisor = pages[2]!.page;
    const bidder = bidderHall.page;
    // The bidder comes back to its tender page: the candidates are published there, and it may object.
    await comeBack(bidder);
    const candidates = bidder.getByTestId('published-candidates');
    await candidates.waitFor();
    expect(await candidates.locator('li').count()).toBe(bidders.length);
    await bidder.getByLabel('异议内容及理由').fill('第一中标候选人的项目经理有在建项目，请核查。');
    await bidder.getByRole('button', { name: '对公示结果提出异议' }).click();
    await bidder.getByText(/^异议已提交/).waitFor();
    const objection = host.getByTestId('candidate-objections');
    await objection.waitFor();
    await objection.getByLabel('答复内容').fill('经核查，该项目经理的在建项目已竣工验收。');
    await objection.getByRole('button', { name: '答复异议' }).click();
    await expect.poll(() => objection.textContent()).toContain('已竣工验收');

    // The agency assesses an expert it knows by seat only; the supervisor, who sees names, another.
    const hostForm = host.getByTestId('assessment-form').first();
    await hostForm.waitFor();
    expect(await hostForm.textContent()).not.toMatch(/评标专家\d+号/);
    await hostForm.getByLabel('提出建设性意见').check();
    await hostForm.getByLabel('考评结论').selectOption('competent');
    await hostForm.getByRole('button', { name: '提交考评' }).click();
    await expect.poll(() => host.getByTestId('assessed').count()).toBe(1);
    await snap(host, 'host-assessment');
    const supervisorForm = supervisor.getByTestId('assessment-form').first();
    await supervisorForm.getByLabel('迟到或早退').check();
    await supervisorForm.getByLabel('考评结论').selectOption('basically-competent');
    await supervisorForm.getByLabel('说明').fill('签到晚于规定时间十分钟');
    await supervisorForm.getByRole('button', { name: '提交考评' }).click();
    await expect.poll(() => supervisor.getByTestId('assessed').count()).toBe(1);

    // Publicity ends (days later: the server's clock moves on); the committee is named, rating opens.
    const published = (
      await call<CandidatesView>(server, tokens.supervisor, 'GET', `/api/tenders/${tenderId}/candidates`)
    ).body;
    server.clock.set(new Date(Date.parse(published.publicityEndsAt) + 1000));
    await expect
      .poll(async () => {
        server.app.scheduler.poke();
        return (
          await call<CandidatesView>(server, tokens.supervisor, 'GET', `/api/tenders/${tenderId}/candidates`)
        ).body.ended;
      })
      .toBe(true);
    await comeBack(bidder);
    await bidder.getByTestId('committee-named').waitFor();
    expect(await bidder.getByTestId('committee-named').textContent()).toMatch(/评标专家\d+号（P\d{3}）/);
    const ratingForms = bidder.getByTestId('rating-form');
    await ratingForms.first().waitFor();
    const first = ratingForms.first();
    for (const select of await first.locator('select').all()) await select.selectOption('5');
    await first.getByLabel('意见（可不填）').fill('组织有序，流程公开');
    await first.getByRole('button', { name: '提交评价' }).click();
    await expect.poll(() => bidder.getByTestId('rated').count()).toBe(1);
    expect(await accessibilityProblems(bidder)).toEqual([]);
    await snap(bidder, 'bidder-publicity-rating');
    // A member rates from the expert room.
    const leader = members.get(leaderId)!.page;
    const expertForm = leader.getByTestId('rating-form').first();
    await expertForm.waitFor();
    for (const select of await expertForm.locator('select').all()) await select.selectOption('4');
    await expertForm.getByRole('button', { name: '提交评价' }).click();
    await expect.poll(() => leader.getByTestId('rated').count()).toBe(1);

    // The centre's record: both assessments, the project's two ratings.
    await supervisor.getByRole('link', { name: '专家考评与五方评价' }).click();
    const history = supervisor.getByTestId('history-assessments');
    await history.waitFor();
    expect(await history.locator('tbody tr').count()).toBe(2);
    expect(await history.textContent()).toContain('基本称职');
    const ratings = supervisor.getByTestId('history-ratings');
    expect(await ratings.textContent()).toContain('本项目');
    // The spreadsheet the server writes, saved through the page.
    const [saved] = await Promise.all([
      supervisor.waitForEvent('download'),
      supervisor
        .getByRole('region', { name: '一项目一考评' })
        .getByRole('button', { name: '导出表格（CSV）' })
        .click(),
    ]);
    expect(saved.suggestedFilename()).toBe('assessments.csv');
    expect(readFileSync(await saved.path(), 'utf8')).toMatch(/^\uFEFF专家编号,.*\r\n/s);
    expect(await accessibilityProblems(supervisor)).toEqual([]);
    await snap(supervisor, 'supervisor-expert-history');
  });

  it('kept every page free of console errors and of English in the Chinese interface', async () => {
    for (const page of pages) {
      expect(page.errors).toEqual([]);
      expect(await outcomes(page.page).then(() => untranslated(page.page))).toEqual([]);
    }
  });
});

/** The first bidder comes back to its tender page another day: it logs in again and opens the tender. */
async function comeBack(page: Page): Promise<void> {
  await page.goto(`${server.url}/`);
  await logIn(page, { role: 'bidder', file: p12Path(bidders[0]) });
  await page.getByRole('button', { name: '进入开标大厅' }).first().click();
  await page.getByTestId('bidder-clarifications').waitFor();
}

async function reviewOf(): Promise<ReviewView> {
  return (await call<ReviewView>(server, tokens.supervisor, 'GET', `/api/committees/${committeeId}/review`))
    .body;
}

/** Waits until the server has `memberId` in `state`. */
async function stateIs(memberId: string, state: CommitteeView['members'][number]['state']): Promise<void> {
  await expect.poll(async () => (await view()).members.find((m) => m.id === memberId)?.state).toBe(state);
}

/** Waits until the server holds `memberId`'s sheet of `stage` (or the stage has moved on). */
async function sheetIn(memberId: string, stage: string): Promise<void> {
  await expect
    .poll(async () => {
      const review = await reviewOf();
      return (
        review.stage !== stage || review.sheets.some((x) => x.memberId === memberId && x.stage === stage)
      );
    })
    .toBe(true);
}
