import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { caPath, certPath, devTrustStore, loadCert, platformPath } from '../../../tests/support/pki.ts';
import { parseCertificate, parseCertificateChain } from './certificate.ts';
import { TrustStore } from './trust-store.ts';

describe('trust store (two recognised CAs with CRLs)', () => {
  let trust: TrustStore;
  const now = { at: new Date(), anyUsage: ['digitalSignature'] } as const;
  beforeAll(async () => {
    trust = await devTrustStore();
  });

  it('accepts signing certificates from either CA and reads the subject identity', () => {
    expect(trust.verify([loadCert('bidder1', 'sign')], now).root.organization).toBe('Bidhall Dev CA A');
    const verified = trust.verify([loadCert('bidder3', 'sign')], now);
    expect(verified.root.organization).toBe('Bidhall Dev CA B');
    expect(verified.leaf.identity).toBe('91510000MA6CX0003Z');
  });

  it('refuses revoked, expired, untrusted and wrongly used certificates with specific codes', () => {
    expect(() => trust.verify([loadCert('bidder-revoked', 'sign')], now)).toThrow(
      expect.objectContaining({ code: 'CERT_REVOKED' }),
    );
    expect(() => trust.verify([loadCert('bidder-expired', 'sign')], now)).toThrow(
      expect.objectContaining({ code: 'CERT_EXPIRED' }),
    );
    expect(() => trust.verify([loadCert('bidder-untrusted', 'sign')], now)).toThrow(
      expect.objectContaining({ code: 'CERT_UNTRUSTED' }),
    );
    expect(() => trust.verify([loadCert('bidder1', 'enc')], now)).toThrow(
      expect.objectContaining({ code: 'CERT_KEY_USAGE' }),
    );
    expect(() => trust.verify([parseCertificate(readFileSync(caPath('ca-a')))], now)).toThrow(
      expect.objectContaining({ code: 'CERT_UNTRUSTED' }),
    );
  });

  it('accepts an encryption certificate for key encipherment (RSA) or key agreement (EC)', () => {
    const usage = { at: new Date(), anyUsage: ['keyEncipherment', 'keyAgreement'] } as const;
    expect(trust.verify([loadCert('bidder1', 'enc')], usage).leaf.identity).toBe('91310000MA1FL0001X');
    expect(trust.verify([loadCert('bidder3', 'enc')], usage).leaf.identity).toBe('91510000MA6CX0003Z');
  });

  it('builds a chain through an intermediate CA (the platform opening CA) when its CRL is known', async () => {
    const opening = parseCertificateChain(readFileSync(platformPath('opening-ca.pem'), 'utf8'));
    const caOnly = await TrustStore.fromFiles([caPath('ca-a')], []);
    // The intermediate itself is checked against CA A's CRL, which this store lacks: fail closed.
    expect(() => caOnly.verify(opening, { at: new Date(), anyUsage: ['keyCertSign'] })).toThrow(
      expect.objectContaining({ code: 'CERT_REVOCATION_UNKNOWN' }),
    );
    expect(trust.verify(opening, { at: new Date(), anyUsage: ['keyCertSign'] }).path).toHaveLength(2);
  });

  it('refuses a CRL signed by an unknown CA', async () => {
    await expect(
      TrustStore.fromFiles(
        [caPath('ca-a')],
        [certPath('bidder1', 'sign').replace(/actors.*/, 'ca-untrusted/crl.pem')],
      ),
    ).rejects.toThrow(/not signed by a configured CA/);
  });
});
