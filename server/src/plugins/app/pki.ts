import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import fp from 'fastify-plugin';
import type { Signer } from '../../cms/signed-data.ts';
import { parseCertificate } from '../../pki/certificate.ts';
import type { IssuerKeys } from '../../pki/issuer.ts';
import { TrustStore } from '../../pki/trust-store.ts';

declare module 'fastify' {
  interface FastifyInstance {
    trust: TrustStore;
    /** Signs receipts and key shares. */
    platformSigner: Signer;
    /** Issues each tender's opening certificate. */
    openingCa: IssuerKeys;
  }
}

export interface PkiOptions {
  readonly trustedCaFiles: readonly string[];
  readonly crlFiles: readonly string[];
  readonly receiptCertFile: string;
  readonly receiptKeyFile: string;
  readonly openingCaCertFile: string;
  readonly openingCaKeyFile: string;
}

/** Trust store, the platform's receipt signer and the opening-certificate CA, loaded at start-up. */
export default fp<PkiOptions>(
  async (app, options) => {
    const trust = await TrustStore.fromFiles(options.trustedCaFiles, options.crlFiles);
    const receiptCertificate = parseCertificate(await readFile(options.receiptCertFile));
    app.decorate('trust', trust);
    app.decorate('platformSigner', {
      certificate: receiptCertificate,
      privateKey: createPrivateKey(await readFile(options.receiptKeyFile)),
    });
    app.decorate('openingCa', {
      certPem: await readFile(options.openingCaCertFile, 'utf8'),
      keyPem: await readFile(options.openingCaKeyFile, 'utf8'),
    });
    app.log.info({ cas: trust.roots.map((r) => r.commonName) }, 'trust store loaded');
  },
  { name: 'pki' },
);
