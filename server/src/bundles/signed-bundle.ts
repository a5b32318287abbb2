/**
 * A platform-signed bundle: a tar archive of files, a manifest (canonical JSON) listing the SHA-256 of
 * every file with whatever the document says of itself, and the platform's detached CMS signature over
 * the manifest. Anyone verifies it offline: the signature binds the manifest, the manifest binds every
 * file, so a file changed, added or removed fails and the finding names it. The opening record bundle
 * and the evaluation report bundle are both made and checked here; each adds what its document means.
 */

import { createHash } from 'node:crypto';
import type { DetailKey, ErrorDetail } from '@bidhall/shared';
import canonicalize from 'canonicalize';
import tar from 'tar-stream';
import { type Signer, signSmall, verifySmall } from '../cms/signed-data.ts';
import { AppError } from '../errors.ts';
import type { ParsedCertificate } from '../pki/certificate.ts';
import type { TrustStore } from '../pki/trust-store.ts';

export function writeTar(files: Readonly<Record<string, Buffer>>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files))
    pack.entry({ name, size: content.length, mode: 0o644 }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
}

export function readTar(archive: Buffer): Promise<Map<string, Buffer>> {
  const extract = tar.extract();
  const files = new Map<string, Buffer>();
  return new Promise((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        // Directories (as `tar -c` writes them) hold nothing to check.
        if (header.type === 'file') files.set(header.name.replace(/^\.\//, ''), Buffer.concat(chunks));
        next();
      });
      stream.resume();
    });
    extract.on('finish', () => resolve(files));
    extract.on('error', () =>
      reject(new AppError('VALIDATION_FAILED', { key: 'notABundle', params: { file: 'tar' } })),
    );
    extract.end(archive);
  });
}

const sha256Hex = (content: Buffer) => createHash('sha256').update(content).digest('hex');

export const canonical = (value: unknown) => Buffer.from(canonicalize(value)!, 'utf8');

/** A manifest as this kernel writes it: the document's own fields, plus `files` (name → SHA-256). */
export interface Manifest {
  readonly format: string;
  readonly exportedAt: string;
  readonly files: Readonly<Record<string, string>>;
}

/** Tars `files` with their manifest and the platform's signature over it. */
export async function sealBundle<M extends Omit<Manifest, 'files'>>(
  files: Readonly<Record<string, Buffer>>,
  manifest: M,
  platform: Signer,
  now: Date,
): Promise<Buffer> {
  const full = {
    ...manifest,
    files: Object.fromEntries(Object.entries(files).map(([name, content]) => [name, sha256Hex(content)])),
  };
  const manifestBytes = canonical(full);
  return writeTar({
    'manifest.json': manifestBytes,
    'manifest.p7s': signSmall(manifestBytes, platform, { detached: true, signingTime: now }),
    ...files,
  });
}

const bundleFiles = new Set(['manifest.json', 'manifest.p7s']);

/**
 * Opens a bundle and checks what every bundle must hold: the manifest in the expected format, signed by
 * `platform` (trusted at the export time), and every file as the manifest lists it. The findings name
 * what is wrong; the document's own checks come after, on the files returned.
 */
export async function openBundle<M extends Manifest>(
  archive: Buffer,
  trust: TrustStore,
  platform: ParsedCertificate,
  format: string,
): Promise<{ files: Map<string, Buffer>; manifest: M; findings: ErrorDetail[] }> {
  const files = await readTar(archive);
  const findings: ErrorDetail[] = [];
  const found = (key: DetailKey, params?: Record<string, string | number>) =>
    findings.push(params ? { key, params } : { key });
  const manifestFile = files.get('manifest.json');
  if (!manifestFile)
    throw new AppError('VALIDATION_FAILED', { key: 'notABundle', params: { file: 'manifest.json' } });
  let manifest: M;
  try {
    manifest = JSON.parse(manifestFile.toString('utf8')) as M;
  } catch {
    throw new AppError('VALIDATION_FAILED', { key: 'notABundle', params: { file: 'manifest.json' } });
  }
  if (manifest.format !== format) found('bundleFormatUnknown', { format: String(manifest.format) });
  const manifestSignature = files.get('manifest.p7s');
  if (!manifestSignature) found('bundleUnsigned');
  else {
    try {
      const verified = await verifySmall(manifestSignature, { detachedContent: manifestFile });
      if (!verified.signer.der.equals(platform.der)) {
        found('bundleSignedByOther', { signer: verified.signer.commonName, platform: platform.commonName });
      } else {
        trust.verifySigned(verified, {
          at: new Date(manifest.exportedAt),
          crlAt: new Date(),
          anyUsage: ['digitalSignature', 'nonRepudiation'],
        });
      }
    } catch (error) {
      found('bundleManifestChanged', { reason: (error as Error).message });
    }
  }
  const listed = manifest.files ?? {};
  for (const name of files.keys()) {
    if (!bundleFiles.has(name) && !Object.hasOwn(listed, name)) found('bundleFileAdded', { file: name });
  }
  for (const [name, expected] of Object.entries(listed)) {
    const content = files.get(name);
    if (!content) found('bundleFileRemoved', { file: name });
    else if (sha256Hex(content) !== expected) found('bundleFileAltered', { file: name });
  }
  return { files, manifest, findings };
}
