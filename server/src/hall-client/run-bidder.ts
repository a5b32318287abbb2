/**
 * `bidhall hall join`: a bidder's whole side of the opening from the command line. It follows the hall
 * and acts when the opening allows: checks in, runs the decryption self-test before the deadline,
 * decrypts its own bid when the window opens, reveals its draw seed, signs the record or objects, and
 * exits when the opening is closed (or failed).
 */
import { allowedIn, type HallEvent, type TenderStatus } from '@bidhall/shared';
import { HallClient, HallError } from '@bidhall/shared/hall-client';
import type { Signer } from '../cms/signed-data.ts';
import {
  type BidderKeys,
  decryptOwnBid,
  type OwnSealedBid,
  ownRowProblems,
  ownSummaryFields,
  publishedRecord,
  selfTest,
  signRecord,
} from './bidder-actions.ts';

export interface RunBidderOptions {
  readonly url: string;
  readonly token: string;
  readonly tenderId: string;
  readonly keys: BidderKeys;
  readonly signer: Signer;
  readonly selfTest: boolean;
  readonly decrypt: boolean;
  readonly drawSeed: string | null;
  /** Sign the record (default) or raise this objection instead. */
  readonly objection: string | null;
  /** The bidder's sealed folder (`bid seal`'s output): needed for bids sealed without recipient hashes. */
  readonly sealed?: OwnSealedBid;
  readonly log: (line: string) => void;
  /** Stops following the hall (the process is shutting down); resolves with the status seen last. */
  readonly signal?: AbortSignal;
}

function describe(event: HallEvent): string {
  switch (event.type) {
    case 'status':
      return `开标状态 status: ${event.data.status}${event.data.reason ? ` (${event.data.reason})` : ''}`;
    case 'bid':
      return `投标 bid: ${event.data.bidderName} — ${event.data.openingStatus}${event.data.reason ? ` (${event.data.reason})` : ''}`;
    case 'window':
      return `解密时间 window: ${event.data.endsAt ? `ends ${event.data.endsAt}` : `paused, ${Math.round((event.data.pausedRemainingMs ?? 0) / 1000)} s left`}${event.data.reason ? ` — ${event.data.reason}` : ''}`;
    case 'summary-table':
      return `开标一览表 summary table:\n${event.data.rows.map((r) => `  ${r.bidderName}: ${JSON.stringify(r.fields)}`).join('\n')}`;
    case 'draw':
      return `随机抽取 draw: ${event.data.result ? `${event.data.result.value} (index ${event.data.result.index})` : 'pending'}`;
    case 'record':
      return `开标记录 record published, SHA-256 ${event.data.sha256}`;
    case 'objection':
      return `异议 objection by ${event.data.bidderName}: ${event.data.text}`;
    case 'answer':
      return `答复 answer: ${event.data.answer?.text ?? ''}`;
    default:
      return `${event.type}`;
  }
}

export async function runBidder(options: RunBidderOptions): Promise<TenderStatus> {
  const { tenderId, log } = options;
  const client = new HallClient({ url: options.url, token: options.token });
  // Stopped while still connecting: close at once, so that no reconnection outlives the stop.
  options.signal?.addEventListener('abort', () => client.close(), { once: true });
  await client.connect();
  const snapshot = await client.join(tenderId);
  const offset = await client.syncTime();
  log(
    `进入开标大厅 joined ${snapshot.code} "${snapshot.title}" — status ${snapshot.status}, deadline ${snapshot.deadline}`,
  );
  log(
    `server clock offset ${offset.toFixed(0)} ms; deadline in ${Math.round((Date.parse(snapshot.deadline) - client.serverNow()) / 1000)} s`,
  );

  let status: TenderStatus = snapshot.status;
  let decrypted = false;
  let recordDone = false;
  const act = async (): Promise<void> => {
    if (allowedIn('checkIn', status)) {
      await client.request('hall:check-in', { tenderId }).catch(() => undefined);
    }
    if (options.selfTest && status === 'check-in') {
      const result = await selfTest(client, tenderId, options.keys);
      log(result.message);
    }
    if (options.decrypt && !decrypted && status === 'decrypting') {
      decrypted = true;
      await decryptOwnBid(client, tenderId, options.keys, options.sealed);
      log('已提交解密密钥 content keys submitted: the summary is open, documents follow');
      if (options.drawSeed) await client.request('hall:reveal-seed', { tenderId, seed: options.drawSeed });
    }
    const recordKnown = client.snapshot?.record || client.events.some((e) => e.type === 'record');
    if (!recordDone && status === 'confirming' && recordKnown) {
      recordDone = true;
      // Never sign a record whose row for this bidder is not its own bid: object instead, saying why.
      const { manifest, fields } = await ownSummaryFields(client, tenderId, options.keys, options.sealed);
      const problems = ownRowProblems(
        publishedRecord(client) ?? '',
        options.keys.encryptionCertificate.identity ?? '',
        manifest,
        fields,
      );
      const objection =
        options.objection ??
        (problems.length ? `开标记录与本单位投标不符，不予签署：${problems.join('；')}` : null);
      if (objection) {
        await client.request('hall:object', { tenderId, text: objection.slice(0, 2000) });
        log(
          `已提出异议 objection raised; waiting for the answer${problems.length ? `: ${problems.join('; ')}` : ''}`,
        );
      } else {
        await signRecord(client, tenderId, options.signer);
        log('已签署开标记录 record signed');
      }
    }
  };

  return new Promise<TenderStatus>((resolve, reject) => {
    let queue = Promise.resolve();
    const step = () => {
      queue = queue.then(act).catch((error: unknown) => {
        log(`error: ${error instanceof HallError ? error.message : String(error)}`);
      });
    };
    client.onEvent((event) => {
      log(describe(event));
      if (event.type === 'status') {
        status = event.data.status;
        if (allowedIn('ended', status)) {
          void queue.then(() => {
            client.close();
            resolve(status);
          });
          return;
        }
      }
      if (event.type === 'record') status = 'confirming';
      step();
    });
    client.socket.on('connect_error', (error) => log(`reconnecting… (${error.message})`));
    client.socket.on('disconnect', (reason) => log(`connection lost (${reason}); reconnecting…`));
    if (allowedIn('ended', status)) {
      client.close();
      resolve(status);
      return;
    }
    const stop = () => {
      client.close();
      resolve(status);
    };
    if (options.signal?.aborted) return stop();
    options.signal?.addEventListener('abort', stop, { once: true });
    step();
    void reject;
  });
}
