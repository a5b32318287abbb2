/**
 * What a bidder's (and a custodian's) machine does in the hall, with keys that never leave it: unwrap
 * the content keys of its own bid and submit them, answer the self-test, sign the opening record, unseal
 * a key share. node:crypto here; the browser client does the same with node-forge / WebCrypto.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import {
  type BidManifest,
  type OpeningRecord,
  type RecipientPackage,
  sealedFileNames,
  selfTestSecretBytes,
} from '@bidhall/shared';
import type { HallClient } from '@bidhall/shared/hall-client';
import { BerReader } from '../cms/ber-reader.ts';
import { decryptEnvelope, EnvelopeReader } from '../cms/enveloped.ts';
import { parseRecipientInfos, recipientMatches, unwrapContentKey } from '../cms/recipients.ts';
import { readSignedData, type Signer, signSmall, verifySmall } from '../cms/signed-data.ts';
import { type ParsedCertificate, parseCertificate } from '../pki/certificate.ts';

export interface BidderKeys {
  readonly encryptionCertificate: ParsedCertificate;
  readonly encryptionKey: KeyObject;
}

/** Where the bidder's own sealed files are, when it has them (`bid seal`'s output folder). */
export interface OwnSealedBid {
  readonly dir: string;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Unwraps the content key of one part from its RecipientInfos (DER). */
export function unwrapOwnKey(recipientInfos: string | Buffer, keys: BidderKeys): Buffer {
  const encoded = typeof recipientInfos === 'string' ? Buffer.from(recipientInfos, 'base64') : recipientInfos;
  const recipients = parseRecipientInfos(encoded);
  const mine = recipients.find((r) => recipientMatches(r, keys.encryptionCertificate));
  if (!mine) throw new Error('this bid is not encrypted to your encryption certificate');
  return unwrapContentKey(mine, keys.encryptionKey);
}

/** Opens a CMS envelope sealed to the bidder's encryption certificate (a sealed part, a self-test challenge). */
export async function openEnvelope(sealed: Buffer, keys: BidderKeys): Promise<Buffer> {
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

/**
 * The RecipientInfos of the bidder's own two parts, checked against its own signed manifest, not taken on
 * the server's word: the manifest must be signed by this bidder, name this tender and this encryption
 * certificate; the summary's RecipientInfos come from the sealed summary whose hash the manifest holds;
 * the documents' are checked against the manifest's recipientInfosSha256 or, for a bid sealed without it,
 * read from the bidder's own sealed documents file. A compromised server therefore cannot make the client
 * unwrap (and hand over) the key of anything else sealed to it — another tender's bid, say.
 */
export async function ownRecipients(
  recipient: RecipientPackage,
  tenderId: string,
  keys: BidderKeys,
  own?: OwnSealedBid,
): Promise<{ summary: Buffer; documents: Buffer; manifest: BidManifest; sealedSummary: Buffer }> {
  const manifestBytes = Buffer.from(recipient.manifest, 'base64');
  const signed = await verifySmall(Buffer.from(recipient.manifestSignature, 'base64'), {
    detachedContent: manifestBytes,
  });
  const ownSubject =
    signed.signer.subjectDer.equals(keys.encryptionCertificate.subjectDer) ||
    (signed.signer.identity !== null && signed.signer.identity === keys.encryptionCertificate.identity);
  if (!ownSubject)
    throw new Error('the manifest the platform sent is not signed by you: nothing is unwrapped');
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as BidManifest;
  if (manifest.tenderId !== tenderId) throw new Error('the manifest the platform sent is for another tender');
  if (!parseCertificate(manifest.encryptionCertificate).der.equals(keys.encryptionCertificate.der))
    throw new Error('the manifest names another encryption certificate');
  const sealedSummary = Buffer.from(recipient.sealedSummary, 'base64');
  if (sha256(sealedSummary) !== manifest.parts.summary.sha256)
    throw new Error('the sealed summary the platform sent is not the one you signed');
  const summary = (await EnvelopeReader.open(sealedSummary)).header.recipientInfos;
  const documents = Buffer.from(recipient.documents, 'base64');
  const boundDocuments = manifest.parts.documents.recipientInfosSha256;
  if (boundDocuments) {
    if (sha256(documents) !== boundDocuments)
      throw new Error('the documents recipients the platform sent are not those of your sealed documents');
    return { summary, documents, manifest, sealedSummary };
  }
  if (!own)
    throw new Error(
      'this bid was sealed without recipientInfosSha256 in its manifest: decrypt with your sealed folder (--sealed)',
    );
  const path = join(own.dir, sealedFileNames.documents);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  if (hash.digest('hex') !== manifest.parts.documents.sha256)
    throw new Error(`${path} is not the documents part you submitted`);
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  try {
    return {
      summary,
      documents: (await EnvelopeReader.open(stream)).header.recipientInfos,
      manifest,
      sealedSummary,
    };
  } finally {
    stream.destroy();
  }
}

/** Decrypts the bidder's own bid: both content keys, unwrapped here from checked recipients, submitted. */
export async function decryptOwnBid(
  client: HallClient,
  tenderId: string,
  keys: BidderKeys,
  own?: OwnSealedBid,
): Promise<void> {
  const recipient = await client.request('hall:recipient', { tenderId });
  const checked = await ownRecipients(recipient, tenderId, keys, own);
  for (const part of ['summary', 'documents'] as const) {
    const contentKey = unwrapOwnKey(checked[part], keys).toString('base64');
    await client.request('hall:decrypt', { tenderId, part, contentKey });
  }
}

/** The bidder's own summary fields, decrypted here from its own (checked) sealed summary. */
export async function ownSummaryFields(
  client: HallClient,
  tenderId: string,
  keys: BidderKeys,
  own?: OwnSealedBid,
): Promise<{ manifest: BidManifest; fields: Record<string, unknown> }> {
  const recipient = await client.request('hall:recipient', { tenderId });
  const { manifest, sealedSummary } = await ownRecipients(recipient, tenderId, keys, own);
  const signed = await openEnvelope(sealedSummary, keys);
  const content = (await readSignedData(new BerReader(signed))).content!;
  return {
    manifest,
    fields: (JSON.parse(content.toString('utf8')) as { fields: Record<string, unknown> }).fields,
  };
}

/**
 * The decryption self-test before the deadline: proves to the platform that this key opens a fresh
 * envelope sealed to the bid's certificate, and checks locally that it opens the stored summary.
 */
export async function selfTest(client: HallClient, tenderId: string, keys: BidderKeys) {
  const recipient = await client.request('hall:recipient', { tenderId });
  let summaryOk = false;
  try {
    const { sealedSummary } = await ownRecipients(recipient, tenderId, keys).catch(async (error: unknown) => {
      // A bid sealed without recipient hashes still has its summary bound by its hash.
      if (!String(error).includes('recipientInfosSha256')) throw error;
      return { sealedSummary: Buffer.from(recipient.sealedSummary, 'base64') };
    });
    const signed = await openEnvelope(sealedSummary, keys);
    await readSignedData(new BerReader(signed));
    summaryOk = true;
  } catch {
    summaryOk = false;
  }
  const challenge = await client.request('hall:self-test-challenge', { tenderId });
  let answer: Buffer = Buffer.alloc(0);
  try {
    const secret = await openEnvelope(Buffer.from(challenge.envelope, 'base64'), keys);
    // Only a fresh secret is answered, and only with its hash: never any plaintext the server chose.
    if (secret.length === selfTestSecretBytes) answer = createHash('sha256').update(secret).digest();
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
  const text = publishedRecord(client);
  if (!text) throw new Error('no opening record yet');
  const signature = signSmall(Buffer.from(text, 'utf8'), signer, { detached: true });
  await client.request('hall:sign-record', { tenderId, signature: signature.toString('base64') });
}

/** The opening record text the hall published, if any. */
export function publishedRecord(client: HallClient): string | null {
  const event = [...client.events].reverse().find((e) => e.type === 'record');
  return (event?.data as { text: string } | undefined)?.text ?? client.snapshot?.record?.text ?? null;
}

/**
 * What in the record's row for this bidder differs from its own bid (empty when nothing does): the parts
 * it signed in its manifest, and the summary it sealed, decrypted here.
 */
export function ownRowProblems(
  recordText: string,
  identity: string,
  manifest: BidManifest,
  fields: Record<string, unknown>,
): string[] {
  const record = JSON.parse(recordText) as OpeningRecord;
  const row = record.bids.find((b) => b.bidder.identity === identity);
  if (!row) return ['本单位的投标不在开标记录中 (our bid is missing from the record)'];
  const problems: string[] = [];
  if (
    row.parts.summarySha256 !== manifest.parts.summary.sha256 ||
    row.parts.documentsSha256 !== manifest.parts.documents.sha256
  )
    problems.push('记录中的投标文件摘要与本单位递交的不符 (the record names other sealed parts than ours)');
  if (row.summary && JSON.stringify(sortKeys(row.summary)) !== JSON.stringify(sortKeys(fields)))
    problems.push(
      `记录中的开标一览表与本单位投标不符 (the record shows ${JSON.stringify(row.summary)}, we bid ${JSON.stringify(fields)})`,
    );
  return problems;
}

const sortKeys = (value: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)));

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
