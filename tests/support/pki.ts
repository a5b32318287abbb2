/** Paths and loaders for the dev PKI (certs/generate.ts) in tests. */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultOutDir } from '../../certs/generate.ts';
import { type ParsedCertificate, parseCertificate } from '../../server/src/pki/certificate.ts';
import { TrustStore } from '../../server/src/pki/trust-store.ts';

export const pkiDir = defaultOutDir;
export type CertKind = 'sign' | 'enc';

export const certPath = (actor: string, kind: CertKind) => join(pkiDir, 'actors', actor, `${kind}.pem`);
export const keyPath = (actor: string, kind: CertKind) => join(pkiDir, 'actors', actor, `${kind}.key.pem`);
export const caPath = (ca: 'ca-a' | 'ca-b' | 'ca-untrusted') => join(pkiDir, ca, 'ca.pem');
export const crlPath = (ca: 'ca-a' | 'ca-b' | 'ca-untrusted') => join(pkiDir, ca, 'crl.pem');

export function loadCert(actor: string, kind: CertKind): ParsedCertificate {
  return parseCertificate(readFileSync(certPath(actor, kind)));
}

export function loadKey(actor: string, kind: CertKind): KeyObject {
  return createPrivateKey(readFileSync(keyPath(actor, kind)));
}

export const platformPath = (file: string) => join(pkiDir, 'platform', file);

/** The trust store a dev deployment uses: CA A and CA B with their CRLs (not the untrusted CA). */
export function devTrustStore(): Promise<TrustStore> {
  return TrustStore.fromFiles([caPath('ca-a'), caPath('ca-b')], [crlPath('ca-a'), crlPath('ca-b')]);
}

/** The dev PKI's CA for opening certificates, which a bidder's sealer checks the tender's against. */
export function loadOpeningCa(): ParsedCertificate {
  return parseCertificate(readFileSync(platformPath('opening-ca.pem')));
}
