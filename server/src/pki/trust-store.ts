/**
 * The trust store: the CA certificates a deployment recognises (several CAs: 跨CA互认) and their CRLs.
 * Chains are checked for signature, validity, CA constraints and revocation. A certificate whose issuer
 * has no current CRL is refused (fail closed): a stale CRL cannot prove a certificate was not revoked.
 */
import { readFile } from 'node:fs/promises';
import { AsnParser } from '@peculiar/asn1-schema';
import { CertificateList } from '@peculiar/asn1-x509';
import { derChildren, readDer } from '../asn1/der.ts';
import { AppError } from '../errors.ts';
import {
  hasKeyUsage,
  type KeyUsageName,
  type ParsedCertificate,
  parseCertificate,
  parseCertificateChain,
} from './certificate.ts';
import {
  defaultIdentityRules,
  type IdentityRuleSets,
  identityOf,
  parseIdentityRules,
  rulesFor,
} from './identity-rules.ts';
import { verifySignature } from './signature.ts';

interface RevocationList {
  readonly issuer: ParsedCertificate;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | null;
  /** Revoked serial numbers and when each was revoked. */
  readonly revoked: ReadonlyMap<string, Date>;
}

export interface VerifyOptions {
  /** The moment the certificate must be valid at (usually now; for a signature, when it was made). */
  readonly at: Date;
  /**
   * The moment the CRLs must be current at (defaults to `at`). Checking an old signature uses today's
   * CRL and counts only revocations that happened before `at`.
   */
  readonly crlAt?: Date;
  /** Key usages the leaf needs; any one of them suffices. */
  readonly anyUsage: readonly KeyUsageName[];
}

export interface VerifiedChain {
  readonly leaf: ParsedCertificate;
  readonly path: readonly ParsedCertificate[];
  readonly root: ParsedCertificate;
  /** The holder's identity, read where the root CA puts it (identity-rules.ts); null if it has none. */
  readonly identity: string | null;
}

const serialKey = (serial: Buffer) => serial.toString('hex').replace(/^(00)+(?=.)/, '');

export class TrustStore {
  readonly roots: readonly ParsedCertificate[];
  readonly #identityRules: IdentityRuleSets;
  /** The current CRL of each configured file; replaced whole by `reloadCrls`. */
  #crls: ReadonlyMap<string, RevocationList>;

  constructor(
    roots: readonly ParsedCertificate[],
    crls: readonly RevocationList[] | ReadonlyMap<string, RevocationList>,
    identityRules: IdentityRuleSets = defaultIdentityRules,
  ) {
    this.roots = roots;
    this.#identityRules = identityRules;
    this.#crls =
      crls instanceof Map ? crls : new Map((crls as RevocationList[]).map((crl, i) => [`#${i}`, crl]));
  }

  static async fromFiles(
    caFiles: readonly string[],
    crlFiles: readonly string[],
    identityRulesFile?: string,
  ): Promise<TrustStore> {
    const roots = (
      await Promise.all(caFiles.map(async (f) => parseCertificateChain(await readFile(f, 'utf8'))))
    ).flat();
    const crls = new Map<string, RevocationList>();
    for (const file of crlFiles) crls.set(file, parseCrl(await readFile(file), roots, file));
    const rules = identityRulesFile
      ? parseIdentityRules(await readFile(identityRulesFile, 'utf8'), identityRulesFile)
      : defaultIdentityRules;
    return new TrustStore(roots, crls, rules);
  }

  /**
   * Reads the CRL files again (a CA publishes a new CRL before the old one goes stale). A file that cannot
   * be read or parsed keeps its previous CRL and is reported: a half-written download never empties the
   * store.
   */
  async reloadCrls(): Promise<{ readonly reloaded: number; readonly failed: readonly string[] }> {
    const next = new Map(this.#crls);
    const failed: string[] = [];
    let reloaded = 0;
    for (const file of this.#crls.keys()) {
      if (file.startsWith('#')) continue;
      try {
        next.set(file, parseCrl(await readFile(file), this.roots, file));
        reloaded++;
      } catch (error) {
        failed.push(`${file}: ${(error as Error).message}`);
      }
    }
    this.#crls = next;
    return { reloaded, failed };
  }

  /** The configured CRL files. */
  get crlFiles(): readonly string[] {
    return [...this.#crls.keys()].filter((file) => !file.startsWith('#'));
  }

  /** Issuers whose CRL is not current at `at` (missing, or past its nextUpdate): an alarm for operators. */
  staleCrls(at: Date): string[] {
    return [...this.#crls.values()]
      .filter((crl) => crl.thisUpdate > at || (crl.nextUpdate !== null && crl.nextUpdate < at))
      .map((crl) => crl.issuer.commonName);
  }

  /** Validates `chain` (leaf first, then any intermediates) up to one of the roots. */
  verify(chain: readonly ParsedCertificate[], options: VerifyOptions): VerifiedChain {
    const leaf = chain[0];
    if (!leaf) throw new AppError('CERT_MALFORMED', { key: 'chainEmpty' });
    const path: ParsedCertificate[] = [leaf];
    let current = leaf;
    for (let depth = 0; ; depth++) {
      if (depth > 8) throw new AppError('CERT_UNTRUSTED', { key: 'chainTooLong' });
      const root = this.roots.find((r) => r.subjectDer.equals(current.issuerDer) && signedBy(current, r));
      if (root) {
        if (root.der.equals(current.der)) throw new AppError('CERT_UNTRUSTED', { key: 'caCannotLogIn' });
        path.push(root);
        this.#checkPath(path, options);
        return { leaf, path, root, identity: identityOf(leaf, rulesFor(this.#identityRules, root)) };
      }
      const next = chain.find(
        (c) => c !== current && c.subjectDer.equals(current.issuerDer) && signedBy(current, c),
      );
      if (!next?.isCa || !hasKeyUsage(next, 'keyCertSign')) {
        throw new AppError('CERT_UNTRUSTED', {
          key: 'noTrustedIssuer',
          params: { name: current.commonName },
        });
      }
      path.push(next);
      current = next;
    }
  }

  /** Validates the signer of a verified SignedData, with the certificates it carried as intermediates. */
  verifySigned(
    signed: { readonly signer: ParsedCertificate; readonly certificates: readonly ParsedCertificate[] },
    options: VerifyOptions,
  ): VerifiedChain {
    return this.verify([signed.signer, ...signed.certificates.filter((c) => c !== signed.signer)], options);
  }

  #checkPath(path: readonly ParsedCertificate[], options: VerifyOptions): void {
    for (const cert of path) {
      if (options.at < cert.notBefore) {
        throw new AppError('CERT_NOT_YET_VALID', {
          key: 'certificateNotYet',
          params: { name: cert.commonName, from: cert.notBefore.toISOString() },
        });
      }
      if (options.at > cert.notAfter) {
        throw new AppError('CERT_EXPIRED', {
          key: 'certificateExpiredAt',
          params: { name: cert.commonName, at: cert.notAfter.toISOString() },
        });
      }
    }
    for (let i = 0; i < path.length - 1; i++) {
      const cert = path[i]!;
      const issuer = path[i + 1]!;
      const crlAt = options.crlAt ?? options.at;
      const crl = [...this.#crls.values()]
        .filter((c) => c.issuer.der.equals(issuer.der))
        .sort((a, b) => b.thisUpdate.getTime() - a.thisUpdate.getTime())[0];
      if (!crl || crl.thisUpdate > crlAt || (crl.nextUpdate && crl.nextUpdate < crlAt)) {
        throw new AppError('CERT_REVOCATION_UNKNOWN', {
          key: 'noCurrentCrl',
          params: { issuer: issuer.commonName },
        });
      }
      const revokedAt = crl.revoked.get(serialKey(cert.serial));
      if (revokedAt && revokedAt.getTime() <= options.at.getTime()) {
        throw new AppError('CERT_REVOKED', {
          key: 'certificateRevoked',
          params: { name: cert.commonName, serial: serialKey(cert.serial) },
        });
      }
    }
    const leaf = path[0]!;
    if (!options.anyUsage.some((u) => hasKeyUsage(leaf, u))) {
      throw new AppError('CERT_KEY_USAGE', {
        key: 'certificateUsage',
        params: { name: leaf.commonName, usage: options.anyUsage.join(' / ') },
      });
    }
  }
}

function signedBy(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  try {
    return cert.x509.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** Parses a CRL (DER or PEM) and checks that one of `roots` signed it. */
export function parseCrl(input: Buffer, roots: readonly ParsedCertificate[], name = 'CRL'): RevocationList {
  const text = input.toString('latin1');
  const der = text.includes('-----BEGIN X509 CRL-----')
    ? Buffer.from(text.replace(/-----[^-]+-----|\s/g, ''), 'base64')
    : input;
  const [tbs, algorithm, signature] = derChildren(readDer(der));
  if (!tbs || !algorithm || !signature) throw new Error(`${name}: not a CRL`);
  const asn = AsnParser.parse(der, CertificateList);
  const signatureBytes = signature.content.subarray(1);
  const issuer = roots.find(
    (root) =>
      hasKeyUsage(root, 'crlSign') &&
      verifySignature(asn.signatureAlgorithm.algorithm, null, tbs.raw, root.publicKey, signatureBytes),
  );
  if (!issuer) throw new Error(`${name}: not signed by a configured CA`);
  const list = asn.tbsCertList;
  return {
    issuer,
    thisUpdate: list.thisUpdate.getTime(),
    nextUpdate: list.nextUpdate?.getTime() ?? null,
    revoked: new Map(
      (list.revokedCertificates ?? []).map((entry) => [
        serialKey(Buffer.from(entry.userCertificate)),
        entry.revocationDate.getTime(),
      ]),
    ),
  };
}

export { parseCertificate };
