import { createPrivateKey } from 'node:crypto';
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import fp from 'fastify-plugin';
import type { Clock } from '../../clock.ts';
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
    /** Reads the CRL files again now (they are also reloaded on a schedule and on change). */
    reloadCrls(): Promise<void>;
  }
}

export interface PkiOptions {
  readonly clock: Clock;
  /** How often the CRL files are read again (they are also read again whenever one changes). */
  readonly crlRefreshSeconds: number;
  readonly trustedCaFiles: readonly string[];
  readonly crlFiles: readonly string[];
  readonly identityRulesFile: string | undefined;
  readonly receiptCertFile: string;
  readonly receiptKeyFile: string;
  readonly openingCaCertFile: string;
  readonly openingCaKeyFile: string;
}

/** Trust store, the platform's receipt signer and the opening-certificate CA, loaded at start-up. */
export default fp<PkiOptions>(
  async (app, options) => {
    const trust = await TrustStore.fromFiles(
      options.trustedCaFiles,
      options.crlFiles,
      options.identityRulesFile,
    );
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

    // CRLs are reloaded on a schedule and whenever a CRL file changes, so that a CA's new CRL is used
    // before the old one goes stale. A stale one is a platform alarm: checks that need it fail as platform
    // faults (never as verdicts on bids) until a current CRL is in place.
    const reload = async (why: string) => {
      const { reloaded, failed } = await trust.reloadCrls();
      for (const problem of failed)
        app.log.error({ problem }, 'a CRL file could not be reloaded; the previous CRL stays');
      const stale = trust.staleCrls(options.clock.now());
      if (stale.length)
        app.log.error(
          { issuers: stale },
          'ALARM: CRL not current: certificate checks will fail as platform faults',
        );
      else app.log.debug({ reloaded, why }, 'CRLs reloaded');
    };
    let reloading: Promise<void> = Promise.resolve();
    const schedule = (why: string) => {
      reloading = reloading
        .then(() => reload(why))
        .catch((error: unknown) => app.log.error({ err: error }, 'CRL reload failed'));
    };
    const timer = setInterval(() => schedule('schedule'), options.crlRefreshSeconds * 1000);
    timer.unref();
    let debounce: NodeJS.Timeout | null = null;
    // Directories are watched, not files: a CRL is usually replaced by renaming a new file over it.
    const watched = new Set(trust.crlFiles);
    const watchers = [...new Set(trust.crlFiles.map((file) => dirname(file)))].map((dir) =>
      watch(dir, (_event, name) => {
        if (name && !watched.has(join(dir, name.toString()))) return;
        if (debounce) clearTimeout(debounce);
        debounce = setTimeout(() => schedule('file changed'), 100);
      }),
    );
    app.decorate('reloadCrls', async () => {
      schedule('request');
      await reloading;
    });
    app.addHook('onClose', async () => {
      clearInterval(timer);
      if (debounce) clearTimeout(debounce);
      for (const watcher of watchers) watcher.close();
      await reloading;
    });
  },
  { name: 'pki' },
);
