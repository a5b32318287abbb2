/**
 * Development PKI for bidhall (`npm run certs`): two independent root CAs (mutual recognition, 跨CA互认)
 * with their CRLs, the platform's certificates, and certificates for every role, all made with
 * node-forge. Keys come from node:crypto (native, ~100x faster than forge's pure-JS RSA) and are handed
 * to forge as PEM. A third CA that no deployment trusts provides the "unknown CA" test case.
 *
 * Output goes to certs/out/ (git-ignored). Dev PKCS#12 bundles use the PIN in `devPin`: never use any of
 * this outside development and tests.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import forge from 'node-forge';

export const devPin = '123456';
export const defaultOutDir = join(dirname(fileURLToPath(import.meta.url)), 'out');

/** How long generated CRLs stay current; the script regenerates when less than a week is left. */
const crlValidityDays = 90;
const day = 24 * 60 * 60 * 1000;

type KeyKind = 'rsa' | 'ec';
type Usage = 'ca' | 'sign' | 'enc' | 'tls' | 'receipt';

interface Subject {
  readonly cn: string;
  readonly o: string;
  /** Unified social credit code (companies) or personal ID: bidhall's identity of the holder. */
  readonly serialNumber?: string;
}

interface Issued {
  readonly cert: forge.pki.Certificate;
  readonly certPem: string;
  readonly keyPem: string;
  readonly kind: KeyKind;
}

interface IssueOptions {
  readonly subject: Subject;
  readonly usage: Usage;
  readonly kind?: KeyKind;
  readonly issuer?: Issued;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly pathLength?: number;
}

function makeKey(kind: KeyKind): { privatePem: string; publicPem: string; spkiDer: Buffer } {
  const pair =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    spkiDer: pair.publicKey.export({ type: 'spki', format: 'der' }),
  };
}

function nameAttributes(subject: Subject): forge.pki.CertificateField[] {
  // forge UTF-8-encodes values whose tag class is UTF8String itself.
  const attributes: forge.pki.CertificateField[] = [
    { name: 'countryName', value: 'CN' },
    { name: 'organizationName', value: subject.o, valueTagClass: forge.asn1.Type.UTF8 as never },
    { name: 'commonName', value: subject.cn, valueTagClass: forge.asn1.Type.UTF8 as never },
  ];
  if (subject.serialNumber) attributes.push({ type: '2.5.4.5', value: subject.serialNumber });
  return attributes;
}

function extensionsFor(usage: Usage, kind: KeyKind, pathLength: number | undefined, ski: Buffer): object[] {
  const skiExtension = {
    name: 'subjectKeyIdentifier',
    value: forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OCTETSTRING, false, ski.toString('binary')),
  };
  switch (usage) {
    case 'ca':
      return [
        { name: 'basicConstraints', cA: true, critical: true, ...(pathLength === undefined ? {} : { pathLenConstraint: pathLength }) },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        skiExtension,
      ];
    case 'sign':
      return [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
        { name: 'extKeyUsage', clientAuth: true, emailProtection: true },
        skiExtension,
      ];
    case 'receipt':
      return [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
        { name: 'extKeyUsage', emailProtection: true },
        skiExtension,
      ];
    case 'enc':
      return [
        { name: 'basicConstraints', cA: false },
        kind === 'rsa'
          ? { name: 'keyUsage', keyEncipherment: true, dataEncipherment: true, critical: true }
          : { name: 'keyUsage', keyAgreement: true, critical: true },
        { name: 'extKeyUsage', emailProtection: true },
        skiExtension,
      ];
    case 'tls':
      return [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
        skiExtension,
      ];
  }
}

/** Issues a certificate; EC subject keys are spliced into forge's TBS, since forge only models RSA keys. */
function issue(options: IssueOptions): Issued {
  const kind = options.kind ?? 'rsa';
  const key = makeKey(kind);
  const now = Date.now();
  const cert = forge.pki.createCertificate();
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = options.notBefore ?? new Date(now - day);
  cert.validity.notAfter = options.notAfter ?? new Date(now + 3 * 365 * day);
  cert.setSubject(nameAttributes(options.subject));
  cert.setIssuer(options.issuer ? options.issuer.cert.subject.attributes : nameAttributes(options.subject));
  // The subject key identifier is SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2, method 1).
  const spki = forge.asn1.fromDer(forge.util.createBuffer(key.spkiDer.toString('binary')));
  const publicKeyBits = Buffer.from((spki.value[1] as forge.asn1.Asn1).value as string, 'binary').subarray(1);
  const ski = createHash('sha1').update(publicKeyBits).digest();
  cert.setExtensions(extensionsFor(options.usage, kind, options.pathLength, ski));

  const signerKey = forge.pki.privateKeyFromPem(options.issuer?.keyPem ?? key.privatePem) as forge.pki.rsa.PrivateKey;
  if (kind === 'rsa' && !options.issuer) {
    cert.publicKey = forge.pki.publicKeyFromPem(key.publicPem);
    cert.sign(signerKey, forge.md.sha256.create());
    return { cert, certPem: forge.pki.certificateToPem(cert), keyPem: key.privatePem, kind };
  }
  if (kind === 'ec' && !options.issuer) throw new Error('self-signed EC CAs are not needed here');
  // Build the TBS with a placeholder key, put the real SubjectPublicKeyInfo in, sign it ourselves.
  cert.publicKey = forge.pki.publicKeyFromPem(kind === 'rsa' ? key.publicPem : placeholderRsaPublicPem());
  cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
  (cert as unknown as { signatureOid: string }).signatureOid = forge.pki.oids.sha256WithRSAEncryption!;
  // getTBSCertificate is public in node-forge but missing from its type definitions.
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  (tbs.value as forge.asn1.Asn1[])[6] = spki;
  const md = forge.md.sha256.create();
  md.update(forge.asn1.toDer(tbs).getBytes());
  const signature = signerKey.sign(md);
  const asn = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, [
    tbs,
    forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, [
      forge.asn1.create(
        forge.asn1.Class.UNIVERSAL,
        forge.asn1.Type.OID,
        false,
        forge.asn1.oidToDer(forge.pki.oids.sha256WithRSAEncryption!).getBytes(),
      ),
      forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.NULL, false, ''),
    ]),
    forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.BITSTRING, false, `\0${signature}`),
  ]);
  const der = forge.asn1.toDer(asn).getBytes();
  const certPem = forge.pem.encode({ type: 'CERTIFICATE', body: der });
  return { cert, certPem, keyPem: key.privatePem, kind };
}

let placeholderPem: string | undefined;
function placeholderRsaPublicPem(): string {
  placeholderPem ??= makeKey('rsa').publicPem;
  return placeholderPem;
}

/** A v2 CRL signed by `ca` listing `revoked` (forge has no CRL support, so it is built with forge.asn1). */
function makeCrl(ca: Issued, revoked: readonly Issued[], now: Date): string {
  const { asn1 } = forge;
  const time = (date: Date) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date));
  const sigAlg = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(forge.pki.oids.sha256WithRSAEncryption!).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
  ]);
  const entries = revoked.map((r) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, forge.util.hexToBytes(r.cert.serialNumber)),
      time(new Date(now.getTime() - day)),
    ]),
  );
  const crlNumber = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer('2.5.29.20').getBytes()),
        asn1.create(
          asn1.Class.UNIVERSAL,
          asn1.Type.OCTETSTRING,
          false,
          asn1.toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(1).getBytes())).getBytes(),
        ),
      ]),
    ]),
  ]);
  const tbs = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(1).getBytes()),
    sigAlg,
    forge.pki.distinguishedNameToAsn1(ca.cert.subject),
    time(new Date(now.getTime() - day)),
    time(new Date(now.getTime() + crlValidityDays * day)),
    ...(entries.length ? [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, entries)] : []),
    crlNumber,
  ]);
  const md = forge.md.sha256.create();
  md.update(asn1.toDer(tbs).getBytes());
  const signature = (forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey).sign(md);
  const crl = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    sigAlg,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\0${signature}`),
  ]);
  return forge.pem.encode({ type: 'X509 CRL', body: asn1.toDer(crl).getBytes() });
}

function pkcs12(issued: Issued, chain: readonly Issued[], friendlyName: string): Buffer {
  const p12 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(issued.keyPem),
    [issued.cert, ...chain.map((c) => c.cert)],
    devPin,
    { algorithm: 'aes256', friendlyName },
  );
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}

/** Who gets certificates. `enc` is the key type of the encryption certificate, when there is one. */
interface ActorSpec {
  readonly name: string;
  readonly ca: 'ca-a' | 'ca-b' | 'ca-untrusted';
  readonly subject: Subject;
  readonly enc?: KeyKind;
  readonly expired?: boolean;
  readonly revoked?: boolean;
}

export const devActors: readonly ActorSpec[] = [
  { name: 'bidder1', ca: 'ca-a', enc: 'rsa', subject: { cn: '华东建设工程有限公司', o: '华东建设工程有限公司', serialNumber: '91310000MA1FL0001X' } },
  { name: 'bidder2', ca: 'ca-a', enc: 'rsa', subject: { cn: '北方路桥集团有限公司', o: '北方路桥集团有限公司', serialNumber: '91110000MA0BX0002Y' } },
  { name: 'bidder3', ca: 'ca-b', enc: 'ec', subject: { cn: '西南水利水电股份有限公司', o: '西南水利水电股份有限公司', serialNumber: '91510000MA6CX0003Z' } },
  { name: 'bidder4', ca: 'ca-b', enc: 'rsa', subject: { cn: '岭南市政建设有限公司', o: '岭南市政建设有限公司', serialNumber: '91440000MA4UX00041' } },
  { name: 'bidder-revoked', ca: 'ca-a', enc: 'rsa', revoked: true, subject: { cn: '吊销测试有限公司', o: '吊销测试有限公司', serialNumber: '91330000MA2RV00052' } },
  { name: 'bidder-expired', ca: 'ca-b', enc: 'rsa', expired: true, subject: { cn: '过期测试有限公司', o: '过期测试有限公司', serialNumber: '91320000MA1EX00063' } },
  { name: 'bidder-untrusted', ca: 'ca-untrusted', enc: 'rsa', subject: { cn: '未知CA测试有限公司', o: '未知CA测试有限公司', serialNumber: '91370000MA3UN00074' } },
  { name: 'host', ca: 'ca-a', subject: { cn: '王主持', o: '市公共资源交易中心', serialNumber: 'HOST-0001' } },
  { name: 'supervisor', ca: 'ca-b', subject: { cn: '李监督', o: '市发展和改革委员会', serialNumber: 'SUP-0001' } },
  { name: 'expert1', ca: 'ca-a', subject: { cn: '张专家', o: '省综合评标专家库', serialNumber: 'EXP-0001' } },
  { name: 'expert2', ca: 'ca-b', subject: { cn: '陈专家', o: '省综合评标专家库', serialNumber: 'EXP-0002' } },
  { name: 'tenderee', ca: 'ca-b', enc: 'rsa', subject: { cn: '市城市建设投资集团', o: '市城市建设投资集团', serialNumber: '91310000MA1TE00085' } },
  { name: 'custodian1', ca: 'ca-a', enc: 'rsa', subject: { cn: '交易中心密钥保管员', o: '市公共资源交易中心', serialNumber: 'CUS-0001' } },
  { name: 'custodian2', ca: 'ca-b', enc: 'rsa', subject: { cn: '监督部门密钥保管员', o: '市发展和改革委员会', serialNumber: 'CUS-0002' } },
  { name: 'custodian3', ca: 'ca-b', enc: 'ec', subject: { cn: '招标人密钥保管员', o: '市城市建设投资集团', serialNumber: 'CUS-0003' } },
  { name: 'admin', ca: 'ca-a', subject: { cn: '平台管理员', o: '市公共资源交易中心', serialNumber: 'ADM-0001' } },
];

function write(path: string, content: string | Buffer, secret = false): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { mode: secret ? 0o600 : 0o644 });
}

/** True when the PKI in `outDir` is complete and its CRLs stay current for another week. */
export function devPkiIsCurrent(outDir = defaultOutDir): boolean {
  const stamp = join(outDir, 'generated.json');
  if (!existsSync(stamp)) return false;
  const { crlNextUpdate } = JSON.parse(readFileSync(stamp, 'utf8')) as { crlNextUpdate: string };
  return new Date(crlNextUpdate).getTime() - Date.now() > 7 * day;
}

export function generateDevPki(outDir = defaultOutDir): void {
  rmSync(outDir, { recursive: true, force: true });
  const now = new Date();
  const cas = {
    'ca-a': issue({ usage: 'ca', subject: { cn: 'Bidhall Dev Root CA A（开发测试CA甲）', o: 'Bidhall Dev CA A' } }),
    'ca-b': issue({ usage: 'ca', subject: { cn: 'Bidhall Dev Root CA B（开发测试CA乙）', o: 'Bidhall Dev CA B' } }),
    'ca-untrusted': issue({ usage: 'ca', subject: { cn: 'Untrusted Test CA（未受信任CA）', o: 'Nobody Trusts Me' } }),
  };
  const platformSubject = { o: 'Bidhall 电子交易平台', serialNumber: 'PLATFORM-0001' };
  const platform = {
    receipt: issue({ usage: 'receipt', issuer: cas['ca-a'], subject: { ...platformSubject, cn: 'Bidhall 回执签名' } }),
    tls: issue({ usage: 'tls', issuer: cas['ca-a'], subject: { ...platformSubject, cn: 'localhost' } }),
    openingCa: issue({
      usage: 'ca',
      issuer: cas['ca-a'],
      pathLength: 0,
      subject: { ...platformSubject, cn: 'Bidhall 开标证书签发CA' },
    }),
  };
  for (const [name, ca] of Object.entries(cas)) {
    write(join(outDir, name, 'ca.pem'), ca.certPem);
    write(join(outDir, name, 'ca.key.pem'), ca.keyPem, true);
  }
  write(join(outDir, 'platform', 'receipt.pem'), platform.receipt.certPem);
  write(join(outDir, 'platform', 'receipt.key.pem'), platform.receipt.keyPem, true);
  write(join(outDir, 'platform', 'tls.pem'), platform.tls.certPem);
  write(join(outDir, 'platform', 'tls.key.pem'), platform.tls.keyPem, true);
  write(join(outDir, 'platform', 'opening-ca.pem'), platform.openingCa.certPem);
  write(join(outDir, 'platform', 'opening-ca.key.pem'), platform.openingCa.keyPem, true);

  const revoked: Record<string, Issued[]> = { 'ca-a': [], 'ca-b': [], 'ca-untrusted': [] };
  for (const actor of devActors) {
    const ca = cas[actor.ca];
    const validity = actor.expired
      ? { notBefore: new Date(now.getTime() - 400 * day), notAfter: new Date(now.getTime() - 2 * day) }
      : {};
    const sign = issue({ usage: 'sign', issuer: ca, subject: actor.subject, ...validity });
    const dir = join(outDir, 'actors', actor.name);
    write(join(dir, 'sign.pem'), sign.certPem);
    write(join(dir, 'sign.key.pem'), sign.keyPem, true);
    write(join(dir, 'sign.p12'), pkcs12(sign, [ca], `${actor.name} signing`), true);
    if (actor.revoked) revoked[actor.ca]!.push(sign);
    if (actor.enc) {
      const enc = issue({ usage: 'enc', kind: actor.enc, issuer: ca, subject: actor.subject, ...validity });
      write(join(dir, 'enc.pem'), enc.certPem);
      write(join(dir, 'enc.key.pem'), enc.keyPem, true);
      if (enc.kind === 'rsa') write(join(dir, 'enc.p12'), pkcs12(enc, [ca], `${actor.name} encryption`), true);
      if (actor.revoked) revoked[actor.ca]!.push(enc);
    }
  }
  for (const [name, ca] of Object.entries(cas)) {
    write(join(outDir, name, 'crl.pem'), makeCrl(ca, revoked[name] ?? [], now));
  }
  write(
    join(outDir, 'generated.json'),
    `${JSON.stringify({ generatedAt: now.toISOString(), crlNextUpdate: new Date(now.getTime() + crlValidityDays * day).toISOString(), pin: devPin }, null, 2)}\n`,
  );
}

if (import.meta.main) {
  const force = process.argv.includes('--force');
  if (!force && devPkiIsCurrent()) {
    console.log(`dev PKI in ${defaultOutDir} is current (use --force to regenerate)`);
  } else {
    const started = Date.now();
    generateDevPki();
    console.log(`dev PKI written to ${defaultOutDir} in ${Date.now() - started} ms (PKCS#12 PIN ${devPin})`);
  }
}
