/**
 * Who may act as whom. Staff log in with the very certificate registered for them, never as bidders; a
 * host drives only its own agency's tenders; an opening needs at least three bidders. And certificates
 * from CAs that put the holder's identity elsewhere than the subject serialNumber (CA互认) are read
 * through per-CA rules — tested with certificates made by the openssl command line.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role, TenderView } from '@bidhall/shared';
import type { HallClient } from '@bidhall/shared/hall-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../server/src/pki/certificate.ts';
import { issueCrl } from '../../server/src/pki/issuer.ts';
import { joinHall } from '../support/hall.ts';
import { openssl } from '../support/openssl.ts';
import { caPath, certPath, crlPath, issueFromDevCa, keyPath } from '../support/pki.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const work = mkdtempSync(join(tmpdir(), 'bidhall-staff-'));
const clients: HallClient[] = [];
afterAll(() => {
  for (const client of clients) client.close();
  rmSync(work, { recursive: true, force: true });
});

/** The login a client makes: sign the challenge with `keyPem`, present `chainPem`. */
async function logInWith(server: TestServer, chainPem: string, keyPem: string, role: Role) {
  const challenge = (await server.app.inject({ method: 'POST', url: '/api/auth/challenge' })).json<{
    nonce: string;
    challenge: string;
  }>();
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: {
      nonce: challenge.nonce,
      role,
      certificateChain: chainPem,
      signature: sign('sha256', Buffer.from(challenge.challenge), createPrivateKey(keyPem)).toString(
        'base64',
      ),
    },
  });
  return response.json<{ code?: string; message?: string; token?: string; actor?: { identity: string } }>();
}

describe('staff', () => {
  let server: TestServer;
  let tender: TenderView;
  beforeAll(async () => {
    server = await startTestServer({ listen: true });
    tender = await server.createTender((await server.login('host', 'host')).token);
  });
  afterAll(async () => {
    await server.close();
  });

  it('seal-18: another trusted CA’s certificate naming the host’s ID number does not log in as the host', async () => {
    // CA B issues a certificate to "HOST-0001" — the host's ID, but not the host's registered certificate.
    const { certPem, keyPem } = issueFromDevCa('ca-b', {
      cn: '王主持',
      o: '市公共资源交易中心',
      serialNumber: 'HOST-0001',
    });
    expect(await logInWith(server, certPem, keyPem, 'host')).toMatchObject({ code: 'ROLE_NOT_GRANTED' });
    // The registered certificate still logs in.
    expect((await server.login('host', 'host')).actor.identity).toBe('HOST-0001');
  });

  it('seal-18: a staff certificate cannot log in as a bidder', async () => {
    const chain = readFileSync(certPath('host', 'sign'), 'utf8');
    const key = readFileSync(keyPath('host', 'sign'), 'utf8');
    expect(await logInWith(server, chain, key, 'bidder')).toMatchObject({
      code: 'ROLE_NOT_GRANTED',
      message: expect.stringMatching(/staff certificate cannot bid/),
    });
  });

  it('seal-18: a host of another agency can neither drive nor read this agency’s opening', async () => {
    const other = await server.login('host2', 'host');
    const auth = { authorization: `Bearer ${other.token}` };
    for (const url of [`/api/tenders/${tender.id}/audit`, `/api/tenders/${tender.id}/bids`]) {
      const response = await server.app.inject({ method: 'GET', url, headers: auth });
      expect(response.json(), url).toMatchObject({ code: 'FORBIDDEN_TENDER' });
    }
    await expect(joinHall(server, 'host2', 'host', tender.id)).rejects.toMatchObject({
      code: 'FORBIDDEN_TENDER',
    });
    const own = await joinHall(server, 'host', 'host', tender.id);
    clients.push(own);
    expect(own.snapshot?.tenderId).toBe(tender.id);
  });

  it('seal-18: an opening needs at least three bidders', async () => {
    const token = (await server.login('host', 'host')).token;
    await expect(server.createTender(token, { minBidders: 1 })).rejects.toThrow(/VALIDATION_FAILED/);
    await expect(server.createTender(token, { minBidders: 2 })).rejects.toThrow(/VALIDATION_FAILED/);
  });
});

describe('certificates from CAs with their own identity layouts (CA互认)', () => {
  const dir = join(work, 'openssl-ca');
  const extension = '1.2.156.10260.4.1.4';
  /** Four layouts seen among Chinese CAs, and one with no identity at all. */
  const layouts = [
    {
      name: 'serial',
      subject: '/CN=甲公司/O=甲公司/serialNumber=91330000MA2AAAAAA1',
      identity: '91330000MA2AAAAAA1',
    },
    { name: 'ou', subject: '/CN=乙公司/O=乙公司/OU=91330000MA2BBBBBB2', identity: '91330000MA2BBBBBB2' },
    {
      name: 'cn',
      subject: '/CN=041@Z91330000MA2CCCCCC3@丙公司@00000001/O=丙公司',
      identity: '91330000MA2CCCCCC3',
    },
    { name: 'extension', subject: '/CN=丁公司/O=丁公司', identity: '91330000MA2DDDDDD4', extension: true },
    { name: 'none', subject: '/CN=戊公司/O=戊公司', identity: null },
  ];
  let withRules: TestServer;
  let withoutRules: TestServer;
  let caFingerprint: string;

  beforeAll(async () => {
    // A CA and its certificates made with nothing but the openssl command line.
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    const caConf = join(dir, 'ca.cnf');
    writeFileSync(
      caConf,
      '[req]\ndistinguished_name=dn\n[dn]\n[ext]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n',
    );
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-utf8',
      '-keyout',
      join(dir, 'ca.key'),
      '-out',
      join(dir, 'ca.pem'),
      '-subj',
      '/CN=测试电子认证中心 Test CA/O=Test CA',
      '-days',
      '30',
      '-config',
      caConf,
      '-extensions',
      'ext',
    );
    for (const [i, layout] of layouts.entries()) {
      const ext = join(dir, `${layout.name}.ext`);
      writeFileSync(
        ext,
        `keyUsage=critical,digitalSignature,nonRepudiation\n${layout.extension ? `${extension}=ASN1:UTF8String:${layout.identity}\n` : ''}`,
      );
      openssl(
        'req',
        '-new',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-utf8',
        '-keyout',
        join(dir, `${layout.name}.key`),
        '-out',
        join(dir, `${layout.name}.csr`),
        '-subj',
        layout.subject,
        '-config',
        caConf,
      );
      openssl(
        'x509',
        '-req',
        '-in',
        join(dir, `${layout.name}.csr`),
        '-CA',
        join(dir, 'ca.pem'),
        '-CAkey',
        join(dir, 'ca.key'),
        '-set_serial',
        String(1000 + i),
        '-days',
        '30',
        '-extfile',
        ext,
        '-out',
        join(dir, `${layout.name}.pem`),
      );
    }
    const ca = {
      certPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
      keyPem: readFileSync(join(dir, 'ca.key'), 'utf8'),
    };
    writeFileSync(
      join(dir, 'ca.crl.pem'),
      issueCrl(ca, [], new Date(Date.now() - 60_000), new Date(Date.now() + 7 * 86_400_000)),
    );
    caFingerprint = parseCertificate(ca.certPem).fingerprint;
    const rules = [
      {
        ca: caFingerprint,
        rules: [
          { subject: 'serialNumber' },
          { subject: 'OU', pattern: '^([0-9A-HJ-NPQRTUWXY]{18})$' },
          { subject: 'CN', pattern: '@Z([0-9A-HJ-NPQRTUWXY]{18})@' },
          { extension, pattern: '^([0-9A-HJ-NPQRTUWXY]{18})$' },
        ],
      },
      { ca: '*', rules: [{ subject: 'serialNumber' }] },
    ];
    writeFileSync(join(dir, 'rules.json'), JSON.stringify(rules));
    const trust = {
      TRUSTED_CA_FILES: [caPath('ca-a'), caPath('ca-b'), join(dir, 'ca.pem')].join(','),
      CRL_FILES: [crlPath('ca-a'), crlPath('ca-b'), join(dir, 'ca.crl.pem')].join(','),
    };
    withRules = await startTestServer({ env: { ...trust, TRUST_IDENTITY_RULES: join(dir, 'rules.json') } });
    withoutRules = await startTestServer({ env: trust });
  });
  afterAll(async () => {
    await withRules?.close();
    await withoutRules?.close();
  });

  it('seal-22: each layout logs in with the identity its CA’s rules read; without rules only the serialNumber layout does', async () => {
    for (const layout of layouts) {
      const chain = readFileSync(join(dir, `${layout.name}.pem`), 'utf8');
      const key = readFileSync(join(dir, `${layout.name}.key`), 'utf8');
      const ruled = await logInWith(withRules, chain, key, 'bidder');
      if (layout.identity)
        expect(ruled.actor?.identity, `${layout.name}: ${JSON.stringify(ruled)}`).toBe(layout.identity);
      else expect(ruled).toMatchObject({ code: 'CERT_NO_IDENTITY' });
      const plain = await logInWith(withoutRules, chain, key, 'bidder');
      if (layout.name === 'serial') expect(plain.actor?.identity).toBe(layout.identity);
      else expect(plain, layout.name).toMatchObject({ code: 'CERT_NO_IDENTITY' });
    }
    // The dev CAs keep the default rule.
    expect((await withRules.login('bidder1', 'bidder')).actor.identity).toBe('91310000MA1FL0001X');
  });

  it('seal-22: a rule file that is not valid stops the start with a message naming it', async () => {
    writeFileSync(
      join(dir, 'bad-rules.json'),
      JSON.stringify([{ ca: '*', rules: [{ subject: 'OU', pattern: '([' }] }]),
    );
    await expect(
      startTestServer({ env: { TRUST_IDENTITY_RULES: join(dir, 'bad-rules.json') } }),
    ).rejects.toThrow(/bad-rules\.json: bad pattern/);
  });
});
