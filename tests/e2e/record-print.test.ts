/**
 * The printed opening record (开标记录表) in the bundle: an archive PDF with the tender's parties, the
 * check-ins, every bid in upload order with money in figures and in Chinese capitals, objections with
 * answers and who signed — read back with poppler's pdftotext, so the text is known to be selectable and
 * right, not merely drawn.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { OpeningRecord, SegmentDescription } from '@bidhall/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { signSmall } from '../../server/src/cms/signed-data.ts';
import { repositoryRoot } from '../../server/src/config.ts';
import { publishedRecord, signRecord } from '../../server/src/hall-client/bidder-actions.ts';
import { readTar, verifyRecordBundle, writeTar } from '../../server/src/opening/record-bundle.ts';
import { useServer } from '../support/fixture.ts';
import {
  advanceTo,
  afterDeadline,
  decryptedOpening,
  endWindow,
  exportedBundle,
  joinHall,
  ofType,
  prepareOpening,
  signerOf,
} from '../support/hall.ts';
import { devTrustStore } from '../support/pki.ts';

const { server, work, track } = useServer('record-print');
const artefacts = join(repositoryRoot, 'test-results', 'record');
const pdf = join(artefacts, 'opening-record.pdf');
let files: Map<string, Buffer>;
let bundle: Buffer;
let text: string;
let refusedWhileOpen: string | null = null;
let hallSegment: SegmentDescription;
const objectionText = '我公司报价大写应为壹佰零贰万肆仟陆佰玖拾壹元叁角肆分';

const details = {
  tenderee: '东湖市交通运输局',
  lot: '第二标段',
  ceilingPrice: '1286000.00',
  venue: '网上开标（东湖市公共资源交易中心）',
};

beforeAll(async () => {
  const opening = await decryptedOpening(server, work, ['bidder1', 'bidder2', 'bidder3'], details);
  track(...opening.clients);
  const { tender, host, bidders } = opening;
  // bidder2 checks in before bidder1: the record lists check-ins in the order they happened.
  await bidders.get('bidder2')!.request('hall:check-in', { tenderId: tender.id });
  server.clock.set(new Date(server.clock.now().getTime() + 1000));
  await bidders.get('bidder1')!.request('hall:check-in', { tenderId: tender.id });
  // The hall's camera was recorded (an SFU hands segments over as they finish): the record lists it.
  const webm = Buffer.from('the bytes of a recorded segment of the hall');
  hallSegment = {
    id: randomUUID(),
    venue: `hall:${tender.id}`,
    peerId: server.actors.get('host')!,
    peerName: '主持人',
    kinds: ['audio', 'video'],
    startedAt: new Date(server.clock.now().getTime() - 60_000).toISOString(),
    endedAt: server.clock.now().toISOString(),
    bytes: webm.length,
    sha256: createHash('sha256').update(webm).digest('hex'),
    recordedBy: 'test',
  };
  await server.app.recordings.ingest(hallSegment, Readable.from([webm]), null);
  await endWindow(server, tender.id, host);
  await host.request('hall:announce', { tenderId: tender.id });
  await host.request('hall:open-record', { tenderId: tender.id });
  for (const client of bidders.values()) await client.waitFor(ofType('record'));
  await signRecord(bidders.get('bidder1')!, tender.id, signerOf('bidder1'));
  const { objectionId } = await bidders
    .get('bidder3')!
    .request('hall:object', { tenderId: tender.id, text: objectionText });
  // While an objection is unanswered a bidder signs only by saying so; the bundle then lists it.
  const bidder2 = bidders.get('bidder2')!;
  const signature = signSmall(Buffer.from(publishedRecord(bidder2)!, 'utf8'), signerOf('bidder2'), {
    detached: true,
  }).toString('base64');
  refusedWhileOpen = await bidder2.request('hall:sign-record', { tenderId: tender.id, signature }).then(
    () => null,
    (error: { code?: string }) => error.code ?? 'no code',
  );
  await bidder2.request('hall:sign-record', { tenderId: tender.id, signature, withOpenObjections: true });
  await host.request('hall:answer', { tenderId: tender.id, objectionId, text: '已当场核对，与解密结果一致' });
  await signRecord(host, tender.id, signerOf('host'));
  const supervisor = await joinHall(server, 'supervisor', 'supervisor', tender.id);
  track(supervisor);
  await signRecord(supervisor, tender.id, signerOf('supervisor'));
  await host.request('hall:close', { tenderId: tender.id });
  bundle = await exportedBundle(server, tender.id);
  files = await readTar(bundle);
  text = keptPdfText(pdf, files.get('record.pdf')!);
});

/** Keeps a PDF beside the browser screenshots, for people to look at, and returns its text as poppler reads it. */
function keptPdfText(file: string, content: Buffer): string {
  mkdirSync(artefacts, { recursive: true });
  writeFileSync(file, content);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

/** pdftotext breaks lines where the layout wrapped them: compare without white space. */
const flat = (value: string) => value.replace(/\s+/g, '');

describe('the printed opening record', () => {
  it('names the project, its parties, time and place, with the ceiling price in figures and in words', () => {
    const record = JSON.parse(files.get('record.json')!.toString('utf8')) as OpeningRecord;
    for (const needle of [
      '开标记录表',
      `项目编号：${record.tender.code}`,
      `标段：${details.lot}`,
      `招标人：${details.tenderee}`,
      `开标地点：${details.venue}`,
      '主持人：',
      '最高投标限价：1,286,000.00元（壹佰贰拾捌万陆仟元整）',
    ])
      expect(flat(text)).toContain(flat(needle));
    expect(record.staff?.host).toBeTruthy();
    expect(flat(text)).toContain(flat(`主持人：${record.staff!.host}`));
  });

  it('lists check-ins in the order they happened and bids in upload order, money also in 大写金额', () => {
    const record = JSON.parse(files.get('record.json')!.toString('utf8')) as OpeningRecord;
    expect(record.format).toBe('bidhall-opening-record/2');
    expect(record.checkIns?.map((c) => c.bidder)).toEqual([
      record.bids[1]!.bidder.name,
      record.bids[0]!.bidder.name,
    ]);
    const body = flat(text);
    expect(body.indexOf(flat('签到情况（2家）'))).toBeGreaterThan(-1);
    expect(body.indexOf(flat(`1.${record.checkIns![0]!.bidder}`))).toBeLessThan(
      body.indexOf(flat(`2.${record.checkIns![1]!.bidder}`)),
    );
    const prices = record.bids.map((b) => String(b.summary?.price));
    expect(prices).toEqual(['1000000.00', '1012345.67', '1024691.34']);
    for (const words of [
      '1,000,000.00元（壹佰万元整）',
      '1,012,345.67元（壹佰零壹万贰仟叁佰肆拾伍元陆角柒分）',
      '1,024,691.34元（壹佰零贰万肆仟陆佰玖拾壹元叁角肆分）',
    ])
      expect(body).toContain(flat(words));
    const bidsFrom = body.indexOf(flat('投标文件递交与开标情况'));
    expect(bidsFrom).toBeGreaterThan(-1);
    const order = record.bids.map((b) => body.indexOf(flat(b.bidder.name), bidsFrom));
    expect(order.every((at) => at > bidsFrom)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(body).toContain(flat('解密结果：解密完成'));
  });

  it('shows the objection with its answer and who signed: bidders, the host and the supervisor', async () => {
    const record = JSON.parse(files.get('record.json')!.toString('utf8')) as OpeningRecord;
    const body = flat(text);
    expect(body).toContain(flat('异议与答复（1条）'));
    expect(body).toContain(flat('已当场核对，与解密结果一致'));
    expect(body).toContain(flat('签署情况（4份）'));
    expect(body).toContain(flat(`投标人${record.bids[0]!.bidder.name}已签署`));
    const host = (await server.login('host', 'host')).actor.name;
    const supervisor = (await server.login('supervisor', 'supervisor')).actor.name;
    expect(body).toContain(flat(`主持人${host}已签署`));
    expect(body).toContain(flat(`监督人${supervisor}已签署`));
  });

  it('lets a bidder sign with objections open only by saying so, and lists them beside its signature', async () => {
    expect(refusedWhileOpen).toBe('OBJECTIONS_OPEN');
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as {
      signatures: { name: string; role: string; openObjections?: string[] }[];
    };
    const record = JSON.parse(files.get('record.json')!.toString('utf8')) as OpeningRecord;
    const byName = new Map(manifest.signatures.map((s) => [s.name, s]));
    expect(byName.get(record.bids[1]!.bidder.name)?.openObjections).toEqual([objectionText]);
    expect(byName.get(record.bids[0]!.bidder.name)?.openObjections).toBeUndefined();
    const report = await verifyRecordBundle(
      bundle,
      await devTrustStore(),
      server.app.platformSigner.certificate,
    );
    expect(report.staffSigned.map((s) => s.role).sort()).toEqual(['host', 'supervisor']);
    expect([...report.signed].sort()).toEqual(
      [record.bids[0]!.bidder.name, record.bids[1]!.bidder.name].sort(),
    );
  });

  it('lists the opening’s recording segments with their hashes (财政部87号令 Art 39)', () => {
    const record = JSON.parse(files.get('record.json')!.toString('utf8')) as OpeningRecord;
    expect(record.recordings).toEqual([
      {
        segment: hallSegment.id,
        peer: hallSegment.peerName,
        startedAt: hallSegment.startedAt,
        endedAt: hallSegment.endedAt,
        bytes: hallSegment.bytes,
        sha256: hallSegment.sha256,
      },
    ]);
    const body = flat(text);
    expect(body).toContain(flat('开标录像（1段，截至生成记录时）'));
    expect(body).toContain(flat(`SHA-256${hallSegment.sha256}`));
  });

  it('embeds its font, so the archive copy reads the same anywhere', () => {
    const fonts = execFileSync('pdffonts', [pdf], { encoding: 'utf8' });
    const rows = fonts.split('\n').slice(2).filter(Boolean);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/\byes\s+yes\s+yes\b/);
  });

  it('is bound by the signed manifest: a changed byte in record.pdf is named', async () => {
    expect(
      (await verifyRecordBundle(bundle, await devTrustStore(), server.app.platformSigner.certificate)).ok,
    ).toBe(true);
    const pdf = Buffer.from(files.get('record.pdf')!);
    pdf.writeUInt8(pdf.readUInt8(pdf.length - 20) ^ 1, pdf.length - 20);
    const altered = await writeTar(Object.fromEntries([...files, ['record.pdf', pdf]]));
    const report = await verifyRecordBundle(
      altered,
      await devTrustStore(),
      server.app.platformSigner.certificate,
    );
    expect(report.ok).toBe(false);
    expect(report.problems).toContain('record.pdf was altered');
  });
});

describe('the record of a failed opening (流标)', () => {
  let failedBundle: Buffer;
  let failedText: string;
  let failedRecord: OpeningRecord;

  beforeAll(async () => {
    const { tender } = await prepareOpening(server, work, ['bidder1', 'bidder2'], details);
    const host = await joinHall(server, 'host', 'host', tender.id);
    const supervisor = await joinHall(server, 'supervisor', 'supervisor', tender.id);
    track(host, supervisor);
    await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
    await host.request('hall:confirm-failure', { tenderId: tender.id, reason: '有效投标人不足三家' });
    await supervisor.waitFor(ofType('record'));
    await signRecord(host, tender.id, signerOf('host'));
    await signRecord(supervisor, tender.id, signerOf('supervisor'));
    failedBundle = await exportedBundle(server, tender.id);
    const failedFiles = await readTar(failedBundle);
    failedRecord = JSON.parse(failedFiles.get('record.json')!.toString('utf8')) as OpeningRecord;
    failedText = keptPdfText(join(artefacts, 'failed-opening-record.pdf'), failedFiles.get('record.pdf')!);
  });

  it('is produced when the host confirms the failure, lists the sealed bids and says why', () => {
    expect(failedRecord.failure).toEqual({ reason: '有效投标人不足三家' });
    expect(failedRecord.bids.map((b) => b.openingStatus)).toEqual(['sealed', 'sealed']);
    expect(failedRecord.bids.every((b) => b.summary === null)).toBe(true);
    expect(flat(failedText)).toContain(flat('开标结果：流标：有效投标人不足三家'));
  });

  it('is signed by the host and the supervisor and verifies offline', async () => {
    const report = await verifyRecordBundle(
      failedBundle,
      await devTrustStore(),
      server.app.platformSigner.certificate,
    );
    expect(report.problems).toEqual([]);
    expect(report.status).toBe('failed');
    expect(report.staffSigned.map((s) => s.role).sort()).toEqual(['host', 'supervisor']);
    expect(flat(failedText)).toContain(flat('签署情况（2份）'));
  });
});
