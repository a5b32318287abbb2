/**
 * Sealed bids made the way a bidder with only the OpenSSL command line would make them
 * (`openssl cms -sign | openssl cms -encrypt`), and uploads over real HTTP.
 */
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, openAsBlob, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BidManifest,
  bidFormat,
  type OpeningSummary,
  summaryFormat,
  type TenderView,
} from '@bidhall/shared';
import { openssl } from './openssl.ts';
import { certPath, keyPath } from './pki.ts';

export interface SealedFiles {
  readonly dir: string;
  readonly summary: string;
  readonly documents: string;
  readonly manifest: string;
  readonly manifestText: string;
  readonly manifestSignature: string;
}

export interface OpensslSealOptions {
  readonly bidder: string;
  /** Who signs the manifest (default: the bidder). */
  readonly manifestSigner?: string;
  /** Recipient certificate files (default: bidder's encryption certificate and the tender's). */
  readonly recipients?: readonly string[];
  readonly cipher?: 'aes-256-gcm' | 'aes-256-cbc';
  readonly stream?: boolean;
  readonly oaep?: boolean;
  readonly documents?: Buffer;
  readonly fields?: Record<string, string | number>;
  /** Changes the manifest after the parts are made (before it is signed). */
  readonly editManifest?: (manifest: BidManifest) => void;
}

export function opensslSealedBid(work: string, tender: TenderView, options: OpensslSealOptions): SealedFiles {
  const dir = join(work, `bid-${options.bidder}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  const openingCert = join(dir, 'opening.pem');
  writeFileSync(openingCert, tender.openingCertificate);
  const documentsPlain = options.documents ?? randomBytes(64 * 1024);
  writeFileSync(join(dir, 'documents.tar'), documentsPlain);
  const summary: OpeningSummary = {
    format: summaryFormat,
    tenderId: tender.id,
    fields: options.fields ?? { price: '12345678.90', duration: 365 },
    documentsSha256: createHash('sha256').update(documentsPlain).digest('hex'),
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
  const recipients = options.recipients ?? [certPath(options.bidder, 'enc'), openingCert];
  const seal = (plain: string, out: string) => {
    const signed = `${plain}.signed`;
    const streamArgs = options.stream ? ['-stream'] : [];
    openssl(
      'cms',
      '-sign',
      '-binary',
      '-nodetach',
      '-in',
      plain,
      '-signer',
      certPath(options.bidder, 'sign'),
      '-inkey',
      keyPath(options.bidder, 'sign'),
      '-outform',
      'DER',
      '-out',
      signed,
      ...streamArgs,
    );
    const isRsa = (path: string) =>
      new X509Certificate(readFileSync(path)).publicKey.asymmetricKeyType === 'rsa';
    const recipientArgs = recipients.flatMap((r) => [
      '-recip',
      r,
      ...(options.oaep && isRsa(r) ? ['-keyopt', 'rsa_padding_mode:oaep'] : []),
    ]);
    openssl(
      'cms',
      '-encrypt',
      '-binary',
      `-${options.cipher ?? 'aes-256-gcm'}`,
      '-in',
      signed,
      '-inform',
      'DER',
      '-outform',
      'DER',
      '-out',
      out,
      ...streamArgs,
      ...recipientArgs,
    );
    const bytes = readFileSync(out);
    return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  };
  const summaryPath = join(dir, 'summary.p7m');
  const documentsPath = join(dir, 'documents.p7m');
  const manifest: BidManifest = {
    format: bidFormat,
    tenderId: tender.id,
    parts: {
      summary: seal(join(dir, 'summary.json'), summaryPath),
      documents: seal(join(dir, 'documents.tar'), documentsPath),
    },
    encryptionCertificate: readFileSync(certPath(options.bidder, 'enc'), 'utf8'),
    drawCommitment: createHash('sha256').update('seed').digest('hex'),
    sealedAt: new Date().toISOString(),
  };
  options.editManifest?.(manifest);
  const manifestPath = join(dir, 'manifest.json');
  const manifestText = JSON.stringify(manifest, null, 2);
  writeFileSync(manifestPath, manifestText);
  const signer = options.manifestSigner ?? options.bidder;
  const signaturePath = join(dir, 'manifest.p7s');
  openssl(
    'cms',
    '-sign',
    '-binary',
    '-in',
    manifestPath,
    '-signer',
    certPath(signer, 'sign'),
    '-inkey',
    keyPath(signer, 'sign'),
    '-outform',
    'DER',
    '-out',
    signaturePath,
  );
  return {
    dir,
    summary: summaryPath,
    documents: documentsPath,
    manifest: manifestPath,
    manifestText,
    manifestSignature: readFileSync(signaturePath).toString('base64'),
  };
}

export interface UploadResult {
  readonly status: number;
  readonly body: {
    code?: string;
    message?: string;
    bidId?: string;
    signedReceipt?: string;
    receipt?: Record<string, unknown>;
  };
}

/** Uploads over real HTTP, streaming the files from disk (fs.openAsBlob). */
export async function uploadBid(
  baseUrl: string,
  token: string,
  tenderId: string,
  files: Pick<SealedFiles, 'manifestText' | 'manifestSignature' | 'summary' | 'documents'>,
  options: { replace?: boolean; omit?: 'summary' | 'documents' } = {},
): Promise<UploadResult> {
  const form = new FormData();
  form.append('manifest', new Blob([files.manifestText]), 'manifest.json');
  form.append(
    'manifestSignature',
    new Blob([Buffer.from(files.manifestSignature, 'base64')]),
    'manifest.p7s',
  );
  if (options.omit !== 'summary') form.append('summary', await openAsBlob(files.summary), 'summary.p7m');
  if (options.omit !== 'documents')
    form.append('documents', await openAsBlob(files.documents), 'documents.p7m');
  const response = await fetch(
    `${baseUrl}/api/tenders/${tenderId}/bids${options.replace ? '?replace=true' : ''}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    },
  );
  return { status: response.status, body: (await response.json()) as UploadResult['body'] };
}
