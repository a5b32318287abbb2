/** Paths and loaders for the dev PKI (certs/generate.ts) in tests. */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultOutDir } from '../../certs/generate.ts';
import { type ParsedCertificate, parseCertificate } from '../../server/src/pki/certificate.ts';
import { issueCertificate } from '../../server/src/pki/issuer.ts';
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

/**
 * A fresh signing certificate from one of the dev CAs, for a subject the test chooses (a certificate
 * that claims someone's identity without being the one registered for them, say).
 */
export function issueFromDevCa(
  ca: 'ca-a' | 'ca-b',
  subject: { cn: string; o: string; serialNumber: string },
): { certPem: string; keyPem: string } {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certPem = issueCertificate({
    subject,
    usage: 'sign',
    publicKey: pair.publicKey,
    issuer: {
      certPem: readFileSync(caPath(ca), 'utf8'),
      keyPem: readFileSync(join(pkiDir, ca, 'ca.key.pem'), 'utf8'),
    },
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
  });
  return { certPem, keyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
