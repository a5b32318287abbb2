/**
 * What a bidder's (and a custodian's) machine does in the hall, with keys that never leave it: unwrap
 * the content keys of its own bid and submit them, answer the self-test, sign the opening record, unseal
 * a key share. node:crypto here; the browser client does the same with node-forge / WebCrypto.
 */
import type { KeyObject } from 'node:crypto';
import type { HallClient } from '@bidhall/shared/hall-client';
import { BerReader } from '../cms/ber-reader.ts';
import { decryptEnvelope, EnvelopeReader } from '../cms/enveloped.ts';
import { parseRecipientInfos, recipientMatches, unwrapContentKey } from '../cms/recipients.ts';
import { readSignedData, type Signer, signSmall } from '../cms/signed-data.ts';
import type { ParsedCertificate } from '../pki/certificate.ts';

export interface BidderKeys {
  readonly encryptionCertificate: ParsedCertificate;
  readonly encryptionKey: KeyObject;
}

/** Unwraps the content key of one part from its RecipientInfos (DER, base64). */
export function unwrapOwnKey(recipientInfos: string, keys: BidderKeys): Buffer {
  const recipients = parseRecipientInfos(Buffer.from(recipientInfos, 'base64'));
  const mine = recipients.find((r) => recipientMatches(r, keys.encryptionCertificate));
  if (!mine) throw new Error('this bid is not encrypted to your encryption certificate');
  return unwrapContentKey(mine, keys.encryptionKey);
}

async function openEnvelope(sealed: Buffer, keys: BidderKeys): Promise<Buffer> {
  const envelope = await EnvelopeReader.open(sealed);
  const mine = envelope.header.recipients.find((r) => recipientMatches(r, keys.encryptionCertificate));
  if (!mine) throw new Error('not encrypted to your encryption certificate');
  const key = unwrapContentKey(mine, keys.encryptionKey);
  const parts: Buffer[] = [];
  await decryptEnvelope(envelope, key, (chunk) => {
    parts.push(Buffer.from(chunk));
  });
  return Buffer.concat(parts);
}

/** Decrypts the bidder's own bid: both content keys, unwrapped here, submitted. */
export async function decryptOwnBid(client: HallClient, tenderId: string, keys: BidderKeys): Promise<void> {
  const recipient = await client.request('hall:recipient', { tenderId });
  for (const part of ['summary', 'documents'] as const) {
    const contentKey = unwrapOwnKey(recipient[part], keys).toString('base64');
    await client.request('hall:decrypt', { tenderId, part, contentKey });
  }
}

/**
 * The decryption self-test before the deadline: proves to the platform that this key opens a fresh
 * envelope sealed to the bid's certificate, and checks locally that it opens the stored summary.
 */
export async function selfTest(client: HallClient, tenderId: string, keys: BidderKeys) {
  const recipient = await client.request('hall:recipient', { tenderId });
  let summaryOk = false;
  try {
    const signed = await openEnvelope(Buffer.from(recipient.sealedSummary, 'base64'), keys);
    await readSignedData(new BerReader(signed));
    summaryOk = true;
  } catch {
    summaryOk = false;
  }
  const challenge = await client.request('hall:self-test-challenge', { tenderId });
  let answer: Buffer = Buffer.alloc(0);
  try {
    answer = await openEnvelope(Buffer.from(challenge.envelope, 'base64'), keys);
  } catch {
    // A key that cannot open the challenge answers nothing: the test fails, with the server's message.
  }
  return client.request('hall:self-test', {
    tenderId,
    challengeId: challenge.challengeId,
    answer: answer.toString('base64'),
    summaryOk,
  });
}

/** Signs the opening record the hall published (CMS detached signature over its exact text). */
export async function signRecord(client: HallClient, tenderId: string, signer: Signer): Promise<void> {
  const event = [...client.events].reverse().find((e) => e.type === 'record');
  const text = (event?.data as { text: string } | undefined)?.text ?? client.snapshot?.record?.text;
  if (!text) throw new Error('no opening record yet');
  const signature = signSmall(Buffer.from(text, 'utf8'), signer, { detached: true });
  await client.request('hall:sign-record', { tenderId, signature: signature.toString('base64') });
}

/** A custodian unseals its share of the opening key on its own machine and submits it. */
export async function submitShare(client: HallClient, tenderId: string, keys: BidderKeys): Promise<number> {
  const { sealedShare } = await client.request('hall:share-fetch', { tenderId });
  const signedShare = await openEnvelope(Buffer.from(sealedShare, 'base64'), keys);
  const { sharesReceived } = await client.request('hall:share-submit', {
    tenderId,
    signedShare: signedShare.toString('base64'),
  });
  return sharesReceived;
}
