/**
 * The demo offered on embedded defaults, so that a newcomer can click through a whole opening alone in a
 * few minutes: a tender whose deadline is a few minutes after start-up, with a random draw, and four
 * sealed bids from the dev PKI's bidders. bidder1's is left to the newcomer (log in as bidder1 in the
 * browser); bidder2–bidder4 are simulated: they check in, decrypt their own bids when the host opens the
 * window, reveal their draw seeds and sign the record, through the same HTTP and hall API as anyone.
 *
 * Everything goes through the public API (login, upload, hall), so the demo exercises the real paths and
 * holds no back door: nothing here moves a deadline or reads a bid early.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CreateTenderRequest, openingGuards, type TenderView } from '@bidhall/shared';
import { and, desc, like, notInArray } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { ApiClient, credentialsFrom } from '../cli/api-client.ts';
import { type Actor, tenders } from '../db/schema/index.ts';
import { runBidder } from '../hall-client/run-bidder.ts';
import { parseCertificate } from '../pki/certificate.ts';
import { sealBid } from '../sealing/seal-bid.ts';

/** Long enough to log in and run the self-test, short enough to wait for. */
export const demoDeadlineMinutes = 5;
const demoBidders = ['bidder1', 'bidder2', 'bidder3', 'bidder4'] as const;
/** bidder1 is the newcomer's; the others act by themselves. */
const simulatedBidders = ['bidder2', 'bidder3', 'bidder4'] as const;

const demoPrices: Record<(typeof demoBidders)[number], { price: string; duration: number; quality: string }> =
  {
    bidder1: { price: '12860000.00', duration: 365, quality: '合格' },
    bidder2: { price: '12495000.50', duration: 380, quality: '合格' },
    bidder3: { price: '13120000.00', duration: 350, quality: '优良' },
    bidder4: { price: '12730000.00', duration: 360, quality: '合格' },
  };

export function demoTenderRequest(actors: ReadonlyMap<string, Actor>, now: Date): CreateTenderRequest {
  const stamp = now.toISOString().slice(0, 16).replace(/[-:T]/g, '');
  return {
    code: `DEMO-${stamp}`,
    title: '【演示】市政道路改造工程施工招标 / Demo: municipal road works',
    deadline: new Date(now.getTime() + demoDeadlineMinutes * 60_000).toISOString(),
    decryptionWindowMinutes: 30,
    summaryFields: [
      { key: 'price', label: { zh: '投标报价（元）', en: 'Price (CNY)' }, type: 'money', required: true },
      {
        key: 'duration',
        label: { zh: '工期（日历天）', en: 'Duration (days)' },
        type: 'days',
        required: true,
      },
      { key: 'quality', label: { zh: '质量标准', en: 'Quality' }, type: 'text', required: false },
    ],
    minBidders: 3,
    custodianIds: ['custodian1', 'custodian2', 'custodian3'].map((name) => actors.get(name)!.id),
    quorum: 2,
    remedyPolicy: 'custodian-quorum',
    openingKeyAlgorithm: 'rsa-2048',
    checkInMinutes: demoDeadlineMinutes + 5,
    draw: {
      label: { zh: '下浮系数', en: 'Discount coefficient' },
      options: ['0.95', '0.96', '0.97', '0.98'],
    },
  };
}

/** The demo tender still under way, or a new one. */
export async function ensureDemoTender(
  app: FastifyInstance,
  actors: ReadonlyMap<string, Actor>,
): Promise<TenderView> {
  const [current] = await app.db
    .select({ id: tenders.id })
    .from(tenders)
    .where(and(like(tenders.code, 'DEMO-%'), notInArray(tenders.status, [...openingGuards.ended])))
    .orderBy(desc(tenders.createdAt))
    .limit(1);
  if (current) return app.tenders.view(current.id);
  const host = actors.get('host')!;
  return app.tenders.create(demoTenderRequest(actors, new Date()), {
    actorId: host.id,
    role: 'host',
    ip: null,
  });
}

/**
 * A demo evaluation of the demo tender: expert1 in the Beijing main venue, expert2 in the Shanghai sub
 * venue (one SFU serves both on embedded defaults), so a newcomer can try cross-city evaluation in two
 * browser windows.
 */
export async function ensureDemoEvaluation(
  app: FastifyInstance,
  actors: ReadonlyMap<string, Actor>,
  tender: TenderView,
): Promise<void> {
  const host = actors.get('host')!;
  const who = {
    sub: host.id,
    role: 'host' as const,
    name: host.name,
    identity: host.identity,
    org: host.organization,
    ip: null,
  };
  const existing = await app.media.list(who);
  if (existing.some((evaluation) => evaluation.tenderId === tender.id)) return;
  await app.media.createEvaluation(
    {
      tenderId: tender.id,
      title: `${tender.title} · 评标`,
      mainCity: 'beijing',
      subCities: ['shanghai'],
      experts: [
        { expertId: actors.get('expert1')!.id, city: 'beijing' },
        { expertId: actors.get('expert2')!.id, city: 'shanghai' },
      ],
    },
    who,
  );
}

interface DemoOptions {
  readonly url: string;
  readonly pkiDir: string;
  readonly dataDir: string;
  readonly log: (message: string) => void;
  /** Aborted at shutdown: the simulated bidders stop. */
  readonly signal: AbortSignal;
}

const keyFiles = (pkiDir: string, bidder: string) => {
  const dir = join(pkiDir, 'actors', bidder);
  return {
    signCert: join(dir, 'sign.pem'),
    signKey: join(dir, 'sign.key.pem'),
    encCert: join(dir, 'enc.pem'),
    encKey: join(dir, 'enc.key.pem'),
  };
};

/** Seals and uploads a demo bidder's bid unless it already has one. Returns the bid folder. */
async function ensureDemoBid(tender: TenderView, bidder: (typeof demoBidders)[number], options: DemoOptions) {
  const files = keyFiles(options.pkiDir, bidder);
  const client = new ApiClient(options.url);
  await client.login(await credentialsFrom(files.signCert, files.signKey, 'bidder'));
  const folder = join(options.dataDir, 'demo', tender.code, bidder);
  if ((await client.myBids(tender.id)).some((b) => b.status === 'submitted')) return folder;
  const documents = join(options.dataDir, 'demo', tender.code, `${bidder}-documents`);
  await rm(folder, { recursive: true, force: true });
  await mkdir(documents, { recursive: true });
  await writeFile(
    join(documents, '投标函.txt'),
    `${bidder} 投标函（演示）\n投标报价：${demoPrices[bidder].price} 元\n工期：${demoPrices[bidder].duration} 日历天\n`,
  );
  await sealBid({
    tender,
    openingCertificate: parseCertificate(tender.openingCertificate),
    openingCa: parseCertificate(await readFile(join(options.pkiDir, 'platform', 'opening-ca.pem'))),
    summary: demoPrices[bidder],
    documentsDir: documents,
    signer: {
      certificate: parseCertificate(await readFile(files.signCert)),
      privateKey: createPrivateKey(await readFile(files.signKey)),
    },
    encryptionCertificate: parseCertificate(await readFile(files.encCert)),
    outDir: folder,
  });
  await client.submitBid(tender.id, folder, false);
  return folder;
}

/** A simulated bidder: the command line's `hall join`, in-process. */
async function runSimulatedBidder(tender: TenderView, bidder: string, folder: string, options: DemoOptions) {
  const files = keyFiles(options.pkiDir, bidder);
  const credentials = await credentialsFrom(files.signCert, files.signKey, 'bidder');
  const { token } = await new ApiClient(options.url).login(credentials);
  await runBidder({
    url: options.url,
    token,
    tenderId: tender.id,
    keys: {
      encryptionCertificate: parseCertificate(await readFile(files.encCert)),
      encryptionKey: createPrivateKey(await readFile(files.encKey)),
    },
    signer: {
      certificate: parseCertificate(credentials.certificatePem),
      privateKey: createPrivateKey(credentials.privateKeyPem),
    },
    selfTest: false,
    decrypt: true,
    drawSeed: (await readFile(join(folder, 'draw-seed.txt'), 'utf8')).trim(),
    objection: null,
    log: () => undefined,
    signal: options.signal,
  });
}

/** What a newcomer needs to play the demo's bidder: where its draw seed is, and the seed itself. */
export interface DemoBidder {
  readonly seedFile: string;
  readonly seed: string | null;
}

/**
 * Puts the demo's bids in (while bidding is open) and sets the simulated bidders going. Runs after the
 * server listens; failures are logged, never fatal: the demo is a convenience.
 */
export async function runDemo(tender: TenderView, options: DemoOptions): Promise<DemoBidder | null> {
  const open = Date.parse(tender.deadline) > Date.now() + 10_000;
  const folders = new Map<string, string>();
  for (const bidder of demoBidders) {
    if (options.signal.aborted) return null;
    const folder = join(options.dataDir, 'demo', tender.code, bidder);
    folders.set(bidder, open ? await ensureDemoBid(tender, bidder, options) : folder);
  }
  const seedFile = join(folders.get('bidder1')!, 'draw-seed.txt');
  const seed = await readFile(seedFile, 'utf8').then(
    (text) => text.trim(),
    () => null,
  );
  options.log(
    `demo ${tender.code}: log in as bidder1 (certs/out/actors/bidder1/sign.p12, PIN 123456); its draw seed is in ${seedFile}`,
  );
  for (const bidder of simulatedBidders) {
    if (options.signal.aborted) return null;
    void runSimulatedBidder(tender, bidder, folders.get(bidder)!, options).catch((error: unknown) =>
      options.log(`demo: simulated ${bidder} stopped: ${(error as Error).message}`),
    );
  }
  return { seedFile, seed };
}
