/**
 * Building blocks of opening scenarios (reused across variants, in the manner of openprocurement's
 * *_blanks): a tender with sealed bids, clients in the hall, the clock moved to the deadline.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type {
  ClientToServerEvents,
  CreateTenderRequest,
  HallEvent,
  Role,
  TenderStatus,
  TenderView,
} from '@bidhall/shared';
import { HallClient } from '@bidhall/shared/hall-client';
import { and, eq } from 'drizzle-orm';
import { bids, tenders } from '../../server/src/db/schema/index.ts';
import type { BidderKeys } from '../../server/src/hall-client/bidder-actions.ts';
import { lockGraceMs } from '../../server/src/opening/state-machine.ts';
import { parseCertificate } from '../../server/src/pki/certificate.ts';
import { sealBid } from '../../server/src/sealing/seal-bid.ts';
import { uploadBid } from './bids.ts';
import { loadCert, loadKey, loadOpeningCa } from './pki.ts';
import type { TestServer } from './server.ts';

export const bidderNames = ['bidder1', 'bidder2', 'bidder3', 'bidder4'] as const;

export function keysOf(actor: string): BidderKeys {
  return { encryptionCertificate: loadCert(actor, 'enc'), encryptionKey: loadKey(actor, 'enc') };
}

export function signerOf(actor: string) {
  return { certificate: loadCert(actor, 'sign'), privateKey: loadKey(actor, 'sign') };
}

export interface PreparedOpening {
  readonly tender: TenderView;
  readonly hostToken: string;
  /** Plaintext of each bidder's documents, by bidder. */
  readonly documents: Map<string, Buffer>;
  readonly drawSeeds: Map<string, string>;
}

/** More files for each bid's documents, by path in the package (bytes, or made for each bidder). */
export type DocumentFiles = Readonly<Record<string, Buffer | ((bidder: string) => Buffer)>>;

/** A tender, and a sealed bid from each of `bidders` (made with the streaming sealer) uploaded to it. */
export async function prepareOpening(
  server: TestServer,
  work: string,
  bidders: readonly string[],
  overrides: Partial<CreateTenderRequest> = {},
  documentsBytes = 200_000,
  files: DocumentFiles = {},
): Promise<PreparedOpening> {
  const hostToken = (await server.login('host', 'host')).token;
  const tender = await server.createTender(hostToken, overrides);
  const documents = new Map<string, Buffer>();
  const drawSeeds = new Map<string, string>();
  for (const [i, bidder] of bidders.entries()) {
    const sealed = await sealAndUpload(server, work, tender, bidder, i, { documentsBytes, files });
    documents.set(bidder, sealed.documents);
    drawSeeds.set(bidder, sealed.drawSeed);
  }
  // Check-in opens 30 minutes before the deadline (an hour from now): move the clock there.
  await advanceTo(server, tender.id, new Date(tender.checkInOpensAt), 'check-in');
  return { tender, hostToken, documents, drawSeeds };
}

/**
 * Seals `bidder`'s bid for `tender` as it stands (the n-th bidder's price and duration) and uploads it,
 * replacing the bidder's earlier one when asked; throws with the server's answer if refused.
 */
export async function sealAndUpload(
  server: TestServer,
  work: string,
  tender: TenderView,
  bidder: string,
  n: number,
  options: { documentsBytes?: number; replace?: boolean; files?: DocumentFiles } = {},
): Promise<{ documents: Buffer; drawSeed: string }> {
  const folder = join(work, `${tender.code}-${bidder}-docs`);
  mkdirSync(folder, { recursive: true });
  const content = randomBytes(options.documentsBytes ?? 200_000);
  writeFileSync(join(folder, '技术标.bin'), content);
  for (const [path, bytes] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), typeof bytes === 'function' ? bytes(bidder) : bytes);
  }
  const sealed = await sealBid({
    tender,
    openingCertificate: parseCertificate(tender.openingCertificate),
    openingCa: loadOpeningCa(),
    summary: { price: `${(1_000_000 + n * 12_345.67).toFixed(2)}`, duration: 300 + n },
    documentsDir: folder,
    signer: signerOf(bidder),
    encryptionCertificate: loadCert(bidder, 'enc'),
    outDir: join(work, `${tender.code}-${bidder}-sealed${options.replace ? '-again' : ''}`),
  });
  const token = (await server.login(bidder, 'bidder')).token;
  const result = await uploadBid(
    server.url,
    token,
    tender.id,
    {
      manifestText: readFileSync(sealed.files.manifest, 'utf8'),
      manifestSignature: readFileSync(sealed.files.manifestSignature).toString('base64'),
      summary: sealed.files.summary,
      documents: sealed.files.documents,
    },
    { replace: options.replace ?? false },
  );
  if (result.status !== 201) throw new Error(`upload by ${bidder} failed: ${JSON.stringify(result.body)}`);
  return { documents: content, drawSeed: readFileSync(sealed.files.drawSeed, 'utf8').trim() };
}

/** A logged-in client that has joined the tender's hall. */
export async function joinHall(
  server: TestServer,
  actor: string,
  role: Role,
  tenderId: string,
): Promise<HallClient> {
  const { token } = await server.login(actor, role);
  const client = new HallClient({ url: server.url, token });
  await client.connect();
  await client.join(tenderId);
  return client;
}

export async function statusOf(server: TestServer, tenderId: string): Promise<TenderStatus> {
  const [row] = await server.app.db
    .select({ status: tenders.status })
    .from(tenders)
    .where(eq(tenders.id, tenderId));
  return row!.status;
}

/** Moves the server's clock to `at` and waits until the scheduler has brought the tender to `status`. */
export async function advanceTo(
  server: TestServer,
  tenderId: string,
  at: Date,
  status: TenderStatus,
): Promise<void> {
  server.clock.set(at);
  server.app.scheduler.poke();
  for (let i = 0; i < 200; i++) {
    if ((await statusOf(server, tenderId)) === status) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`tender did not reach ${status}; it is ${await statusOf(server, tenderId)}`);
}

/** Just after the deadline (and the grace for in-flight uploads): the bids are opened. */
export function afterDeadline(tender: Pick<TenderView, 'deadline'>): Date {
  return new Date(new Date(tender.deadline).getTime() + lockGraceMs + 1000);
}

export const ofType =
  <T extends HallEvent['type']>(type: T) =>
  (event: HallEvent): event is Extract<HallEvent, { type: T }> =>
    event.type === type;

/** The payload type of a hall request. */
export type HallPayload<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];

/**
 * A schema-valid payload for every hall request (the content is beside the point). Typed by the event
 * map, so a request added to the contract without a sample here fails to compile: tests that walk every
 * request (roles, confidentiality) cannot miss it.
 */
export function hallRequestSamples(
  tenderId: string,
  now: Date,
): { [E in keyof ClientToServerEvents]: HallPayload<E> } {
  const reason = '测试请求';
  return {
    'hall:join': { tenderId },
    'hall:time': { clientTime: Date.now() },
    'hall:renew': { token: 'not-a-token-but-long-enough' },
    'hall:check-in': { tenderId },
    'hall:recipient': { tenderId },
    'hall:self-test-challenge': { tenderId },
    'hall:self-test': { tenderId, challengeId: 'none', answer: '', summaryOk: false },
    'hall:decrypt': { tenderId, part: 'summary', contentKey: randomBytes(32).toString('base64') },
    'hall:start-decryption': { tenderId },
    'hall:pause': { tenderId, reason },
    'hall:resume': { tenderId, reason },
    'hall:extend': { tenderId, minutes: 1, reason },
    'hall:confirm-failure': { tenderId, reason },
    // Asked with a reason too short to be taken: the answer is checked without ending the tender.
    'hall:cancel': { tenderId, reason: '' },
    'hall:record-outage': {
      tenderId,
      from: new Date(now.getTime() - 1000).toISOString(),
      to: now.toISOString(),
      reason,
      bidIds: [randomUUID()],
    },
    'hall:settle': { tenderId, reason },
    'hall:confirm': { tenderId, proposalId: randomUUID(), reason },
    'hall:reject': { tenderId, proposalId: randomUUID(), reason },
    'hall:share-fetch': { tenderId },
    'hall:share-submit': { tenderId, signedShare: '' },
    'hall:approve-remedy': { tenderId, reason },
    'hall:reveal-seed': { tenderId, seed: 'a'.repeat(64) },
    'hall:announce': { tenderId },
    'hall:open-record': { tenderId },
    'hall:sign-record': { tenderId, signature: '' },
    'hall:object': { tenderId, text: reason },
    'hall:answer': { tenderId, objectionId: randomUUID(), text: reason },
    'hall:close': { tenderId },
  };
}

export interface DecryptedOpening extends PreparedOpening {
  readonly host: HallClient;
  readonly bidders: Map<string, HallClient>;
  /** Every client opened, to close after the test. */
  readonly clients: HallClient[];
}

/**
 * A tender through its decryption window: sealed bids from `bidders`, everyone in the hall, the deadline
 * passed, decryption started, each bidder's bid decrypted and its documents opened (the window still
 * running).
 */
export async function decryptedOpening(
  server: TestServer,
  work: string,
  bidders: readonly string[],
  overrides: Partial<CreateTenderRequest> = {},
  documents: { bytes?: number; files?: DocumentFiles } = {},
): Promise<DecryptedOpening> {
  const prepared = await prepareOpening(server, work, bidders, overrides, documents.bytes, documents.files);
  const { tender } = prepared;
  const host = await joinHall(server, 'host', 'host', tender.id);
  const clients = [host];
  const joined = new Map<string, HallClient>();
  for (const bidder of bidders) {
    const client = await joinHall(server, bidder, 'bidder', tender.id);
    clients.push(client);
    joined.set(bidder, client);
  }
  await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
  await host.request('hall:start-decryption', { tenderId: tender.id });
  const { decryptOwnBid } = await import('../../server/src/hall-client/bidder-actions.ts');
  for (const [bidder, client] of joined) await decryptOwnBid(client, tender.id, keysOf(bidder));
  await bidsDecrypted(host, bidders.length);
  return { ...prepared, host, bidders: joined, clients };
}

/** Moves the clock past the end of the decryption window and waits until the hall has been told. */
export async function endWindow(server: TestServer, tenderId: string, host: HallClient): Promise<void> {
  const [row] = await server.app.db
    .select({ endsAt: tenders.windowEndsAt })
    .from(tenders)
    .where(eq(tenders.id, tenderId));
  server.clock.set(new Date(row!.endsAt!.getTime() + 1000));
  server.app.scheduler.poke();
  await host.waitFor((e) => e.type === 'window' && e.data.reason === 'ended');
}

/**
 * A platform outage recorded the way the rules want it: proposed by one of host and supervisor for the
 * bids still without an outcome, confirmed by the other. Returns the proposal id.
 */
export async function confirmedOutage(
  server: TestServer,
  tenderId: string,
  proposer: HallClient,
  confirmer: HallClient,
  reason: string,
): Promise<string> {
  const rows = await server.app.db
    .select({ id: bids.id, status: bids.openingStatus })
    .from(bids)
    .where(and(eq(bids.tenderId, tenderId), eq(bids.status, 'submitted')));
  const bidIds = rows.filter((r) => ['sealed', 'summary-decrypted'].includes(r.status)).map((r) => r.id);
  const now = server.clock.now();
  const [tender] = await server.app.db
    .select({ openedAt: tenders.openedAt })
    .from(tenders)
    .where(eq(tenders.id, tenderId));
  const { proposalId } = await proposer.request('hall:record-outage', {
    tenderId,
    from: tender!.openedAt!.toISOString(),
    to: now.toISOString(),
    reason,
    bidIds,
  });
  await confirmer.request('hall:confirm', { tenderId, proposalId, reason: `核实属实：${reason}` });
  return proposalId;
}

/** Resolves once `count` distinct bids have been announced as decrypted in `client`'s hall. */
export function bidsDecrypted(client: HallClient, count: number, timeoutMs = 60_000): Promise<unknown> {
  return client.waitFor(
    () =>
      new Set(
        client.events
          .filter(ofType('bid'))
          .filter((e) => e.data.openingStatus === 'decrypted')
          .map((e) => e.data.bidId),
      ).size >= count,
    timeoutMs,
  );
}

/** The tender's record bundle as its host exports it (throws with the server's answer if refused). */
export async function exportedBundle(server: TestServer, tenderId: string): Promise<Buffer> {
  const response = await server.app.inject({
    method: 'GET',
    url: `/api/tenders/${tenderId}/record-bundle`,
    headers: { authorization: `Bearer ${(await server.login('host', 'host')).token}` },
  });
  if (response.statusCode !== 200) throw new Error(`record bundle refused: ${response.body}`);
  return response.rawPayload;
}
