/**
 * Development PKI for bidhall (`npm run certs`): two independent root CAs (mutual recognition, 跨CA互认)
 * with their CRLs, the platform's certificates, and certificates for every role, issued with node-forge
 * (server/src/pki/issuer.ts). Keys come from node:crypto, which is native and ~100x faster than forge's
 * pure-JS RSA key generation. A third CA that no deployment trusts provides the "unknown CA" case, and
 * a revoked and an expired bidder exist for tests.
 *
 * Output goes to certs/out/ (git-ignored). PKCS#12 bundles use the PIN `devPin`: development only.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CertificateUsage,
  type IssuerKeys,
  issueCertificate,
  issueCrl,
  pkcs12Bundle,
  type Subject,
  serialOf,
} from '../server/src/pki/issuer.ts';

export const devPin = '123456';
export const defaultOutDir = join(dirname(fileURLToPath(import.meta.url)), 'out');

/** How long generated CRLs stay current; the script regenerates when less than a week is left. */
const crlValidityDays = 90;
const day = 24 * 60 * 60 * 1000;

type KeyKind = 'rsa' | 'ec';

interface Issued extends IssuerKeys {
  readonly kind: KeyKind;
}

function issue(
  usage: CertificateUsage,
  subject: Subject,
  options: {
    kind?: KeyKind;
    issuer?: IssuerKeys;
    notBefore?: Date;
    notAfter?: Date;
    pathLength?: number;
  } = {},
): Issued {
  const kind = options.kind ?? 'rsa';
  const pair =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const now = Date.now();
  const certPem = issueCertificate({
    subject,
    usage,
    publicKey: pair.publicKey,
    ...(options.issuer ? { issuer: options.issuer } : { selfSignKeyPem: keyPem }),
    notBefore: options.notBefore ?? new Date(now - day),
    notAfter: options.notAfter ?? new Date(now + 3 * 365 * day),
    ...(options.pathLength === undefined ? {} : { pathLength: options.pathLength }),
  });
  return { certPem, keyPem, kind };
}

/** Who gets certificates. `enc` is the key type of the encryption certificate, when there is one. */
export interface DevActor {
  readonly name: string;
  readonly ca: 'ca-a' | 'ca-b' | 'ca-untrusted';
  readonly role: 'bidder' | 'host' | 'supervisor' | 'expert' | 'tenderee' | 'custodian' | 'admin';
  readonly subject: Subject;
  readonly enc?: KeyKind;
  readonly expired?: boolean;
  readonly revoked?: boolean;
}

export const devActors: readonly DevActor[] = [
  {
    name: 'bidder1',
    role: 'bidder',
    ca: 'ca-a',
    enc: 'rsa',
    subject: { cn: '华东建设工程有限公司', o: '华东建设工程有限公司', serialNumber: '91310000MA1FL0001X' },
  },
  {
    name: 'bidder2',
    role: 'bidder',
    ca: 'ca-a',
    enc: 'rsa',
    subject: { cn: '北方路桥集团有限公司', o: '北方路桥集团有限公司', serialNumber: '91110000MA0BX0002Y' },
  },
  {
    name: 'bidder3',
    role: 'bidder',
    ca: 'ca-b',
    enc: 'ec',
    subject: {
      cn: '西南水利水电股份有限公司',
      o: '西南水利水电股份有限公司',
      serialNumber: '91510000MA6CX0003Z',
    },
  },
  {
    name: 'bidder4',
    role: 'bidder',
    ca: 'ca-b',
    enc: 'rsa',
    subject: { cn: '岭南市政建设有限公司', o: '岭南市政建设有限公司', serialNumber: '91440000MA4UX00041' },
  },
  {
    name: 'bidder-revoked',
    role: 'bidder',
    ca: 'ca-a',
    enc: 'rsa',
    revoked: true,
    subject: { cn: '吊销测试有限公司', o: '吊销测试有限公司', serialNumber: '91330000MA2RV00052' },
  },
  {
    name: 'bidder-expired',
    role: 'bidder',
    ca: 'ca-b',
    enc: 'rsa',
    expired: true,
    subject: { cn: '过期测试有限公司', o: '过期测试有限公司', serialNumber: '91320000MA1EX00063' },
  },
  {
    name: 'bidder-untrusted',
    role: 'bidder',
    ca: 'ca-untrusted',
    enc: 'rsa',
    subject: { cn: '未知CA测试有限公司', o: '未知CA测试有限公司', serialNumber: '91370000MA3UN00074' },
  },
  {
    name: 'host',
    role: 'host',
    ca: 'ca-a',
    subject: { cn: '王主持', o: '市公共资源交易中心', serialNumber: 'HOST-0001' },
  },
  {
    // A host of another agency: it must not drive the first agency's openings.
    name: 'host2',
    role: 'host',
    ca: 'ca-b',
    subject: { cn: '赵主持', o: '某某招标代理有限公司', serialNumber: 'HOST-0002' },
  },
  {
    name: 'supervisor',
    role: 'supervisor',
    ca: 'ca-b',
    subject: { cn: '李监督', o: '市发展和改革委员会', serialNumber: 'SUP-0001' },
  },
  {
    name: 'expert1',
    role: 'expert',
    ca: 'ca-a',
    subject: { cn: '张专家', o: '省综合评标专家库', serialNumber: 'EXP-0001' },
  },
  {
    name: 'expert2',
    role: 'expert',
    ca: 'ca-b',
    subject: { cn: '陈专家', o: '省综合评标专家库', serialNumber: 'EXP-0002' },
  },
  {
    name: 'tenderee',
    role: 'tenderee',
    ca: 'ca-b',
    enc: 'rsa',
    subject: { cn: '市城市建设投资集团', o: '市城市建设投资集团', serialNumber: '91310000MA1TE00085' },
  },
  {
    name: 'custodian1',
    role: 'custodian',
    ca: 'ca-a',
    enc: 'rsa',
    subject: { cn: '交易中心密钥保管员', o: '市公共资源交易中心', serialNumber: 'CUS-0001' },
  },
  {
    name: 'custodian2',
    role: 'custodian',
    ca: 'ca-b',
    enc: 'rsa',
    subject: { cn: '监督部门密钥保管员', o: '市发展和改革委员会', serialNumber: 'CUS-0002' },
  },
  {
    name: 'custodian3',
    role: 'custodian',
    ca: 'ca-b',
    enc: 'ec',
    subject: { cn: '招标人密钥保管员', o: '市城市建设投资集团', serialNumber: 'CUS-0003' },
  },
  {
    name: 'admin',
    role: 'admin',
    ca: 'ca-a',
    subject: { cn: '平台管理员', o: '市公共资源交易中心', serialNumber: 'ADM-0001' },
  },
];

function write(path: string, content: string | Buffer, secret = false): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { mode: secret ? 0o600 : 0o644 });
}

/** Changes whenever the roster does, so that a checkout with an older dev PKI regenerates it. */
const rosterVersion = createHash('sha256').update(JSON.stringify(devActors)).digest('hex').slice(0, 16);

/** True when the PKI in `outDir` is complete, of this roster, and its CRLs stay current for another week. */
export function devPkiIsCurrent(outDir = defaultOutDir): boolean {
  const stamp = join(outDir, 'generated.json');
  if (!existsSync(stamp)) return false;
  const { crlNextUpdate, roster } = JSON.parse(readFileSync(stamp, 'utf8')) as {
    crlNextUpdate: string;
    roster?: string;
  };
  return roster === rosterVersion && new Date(crlNextUpdate).getTime() - Date.now() > 7 * day;
}

export function generateDevPki(outDir = defaultOutDir): void {
  rmSync(outDir, { recursive: true, force: true });
  const now = new Date();
  const cas = {
    'ca-a': issue('ca', { cn: 'Bidhall Dev Root CA A（开发测试CA甲）', o: 'Bidhall Dev CA A' }),
    'ca-b': issue('ca', { cn: 'Bidhall Dev Root CA B（开发测试CA乙）', o: 'Bidhall Dev CA B' }),
    'ca-untrusted': issue('ca', { cn: 'Untrusted Test CA（未受信任CA）', o: 'Nobody Trusts Me' }),
  };
  const platform = { o: 'Bidhall 电子交易平台', serialNumber: 'PLATFORM-0001' };
  const platformCerts = {
    receipt: issue('receipt', { ...platform, cn: 'Bidhall 回执签名' }, { issuer: cas['ca-a'] }),
    tls: issue('tls', { ...platform, cn: 'localhost' }, { issuer: cas['ca-a'] }),
    'opening-ca': issue(
      'ca',
      { ...platform, cn: 'Bidhall 开标证书签发CA' },
      { issuer: cas['ca-a'], pathLength: 0 },
    ),
  };
  for (const [name, ca] of Object.entries(cas)) {
    write(join(outDir, name, 'ca.pem'), ca.certPem);
    write(join(outDir, name, 'ca.key.pem'), ca.keyPem, true);
  }
  for (const [name, issued] of Object.entries(platformCerts)) {
    write(join(outDir, 'platform', `${name}.pem`), issued.certPem);
    write(join(outDir, 'platform', `${name}.key.pem`), issued.keyPem, true);
  }

  const revoked: Record<string, string[]> = { 'ca-a': [], 'ca-b': [], 'ca-untrusted': [] };
  for (const actor of devActors) {
    const ca = cas[actor.ca];
    const validity = actor.expired
      ? { notBefore: new Date(now.getTime() - 400 * day), notAfter: new Date(now.getTime() - 2 * day) }
      : {};
    const dir = join(outDir, 'actors', actor.name);
    const sign = issue('sign', actor.subject, { issuer: ca, ...validity });
    write(join(dir, 'sign.pem'), sign.certPem);
    write(join(dir, 'sign.key.pem'), sign.keyPem, true);
    write(
      join(dir, 'sign.p12'),
      pkcs12Bundle(sign.keyPem, [sign.certPem, ca.certPem], devPin, `${actor.name} signing`),
      true,
    );
    if (actor.revoked) revoked[actor.ca]!.push(serialOf(sign.certPem));
    if (actor.enc) {
      const enc = issue('enc', actor.subject, { kind: actor.enc, issuer: ca, ...validity });
      write(join(dir, 'enc.pem'), enc.certPem);
      write(join(dir, 'enc.key.pem'), enc.keyPem, true);
      // forge's PKCS#12 handles RSA keys only; EC encryption keys stay PEM.
      if (enc.kind === 'rsa') {
        write(
          join(dir, 'enc.p12'),
          pkcs12Bundle(enc.keyPem, [enc.certPem, ca.certPem], devPin, `${actor.name} encryption`),
          true,
        );
      }
      if (actor.revoked) revoked[actor.ca]!.push(serialOf(enc.certPem));
    }
  }
  const nextUpdate = new Date(now.getTime() + crlValidityDays * day);
  for (const [name, ca] of Object.entries(cas)) {
    write(
      join(outDir, name, 'crl.pem'),
      issueCrl(ca, revoked[name] ?? [], new Date(now.getTime() - day), nextUpdate),
    );
  }
  // The roster lets the server's dev seed register actors without importing this script.
  write(
    join(outDir, 'actors.json'),
    `${JSON.stringify(
      devActors.map(({ name, role, ca, expired, revoked }) => ({
        name,
        role,
        ca,
        expired: !!expired,
        revoked: !!revoked,
      })),
      null,
      2,
    )}\n`,
  );
  write(
    join(outDir, 'generated.json'),
    `${JSON.stringify({ generatedAt: now.toISOString(), crlNextUpdate: nextUpdate.toISOString(), pin: devPin, roster: rosterVersion }, null, 2)}\n`,
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
