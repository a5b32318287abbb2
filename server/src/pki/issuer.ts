/**
 * Certificate and CRL issuance with node-forge, for the dev PKI (certs/generate.ts) and for the opening
 * certificate of each tender (issued by the platform's opening CA).
 *
 * forge models only RSA subject keys, and bidhall also issues EC P-256 certificates, so the TBS is built
 * by forge with a placeholder key and the real SubjectPublicKeyInfo (from node:crypto) is spliced in
 * before signing. forge has no CRL support, so CRLs are assembled with forge.asn1.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { derChildren, readDer } from '../asn1/der.ts';

export interface Subject {
  readonly cn: string;
  readonly o: string;
  /** X.520 serialNumber: unified social credit code or personal ID, bidhall's identity of the holder. */
  readonly serialNumber?: string;
}

export type CertificateUsage = 'ca' | 'sign' | 'enc' | 'tls' | 'receipt';

export interface IssuerKeys {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CertificateRequest {
  readonly subject: Subject;
  readonly usage: CertificateUsage;
  readonly publicKey: KeyObject;
  /** Absent for a self-signed root, which then signs with `selfSignKeyPem`. */
  readonly issuer?: IssuerKeys;
  readonly selfSignKeyPem?: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly pathLength?: number;
}

const sha256WithRsa = '1.2.840.113549.1.1.11';

function nameAttributes(subject: Subject): forge.pki.CertificateField[] {
  // forge UTF-8-encodes values whose tag class is UTF8String itself.
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.pki.CertificateField['valueTagClass'];
  const attributes: forge.pki.CertificateField[] = [
    { name: 'countryName', value: 'CN' },
    { name: 'organizationName', value: subject.o, valueTagClass: utf8 },
    { name: 'commonName', value: subject.cn, valueTagClass: utf8 },
  ];
  if (subject.serialNumber) attributes.push({ type: '2.5.4.5', value: subject.serialNumber });
  return attributes;
}

function extensionsFor(request: CertificateRequest, ski: Buffer): object[] {
  const keyIsEc = request.publicKey.asymmetricKeyType === 'ec';
  const subjectKeyIdentifier = {
    name: 'subjectKeyIdentifier',
    value: forge.asn1.create(
      forge.asn1.Class.UNIVERSAL,
      forge.asn1.Type.OCTETSTRING,
      false,
      ski.toString('binary'),
    ),
  };
  const endEntity = { name: 'basicConstraints', cA: false };
  switch (request.usage) {
    case 'ca':
      return [
        {
          name: 'basicConstraints',
          cA: true,
          critical: true,
          ...(request.pathLength === undefined ? {} : { pathLenConstraint: request.pathLength }),
        },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        subjectKeyIdentifier,
      ];
    case 'sign':
      return [
        endEntity,
        { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
        { name: 'extKeyUsage', clientAuth: true, emailProtection: true },
        subjectKeyIdentifier,
      ];
    case 'receipt':
      return [
        endEntity,
        { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
        { name: 'extKeyUsage', emailProtection: true },
        subjectKeyIdentifier,
      ];
    case 'enc':
      return [
        endEntity,
        keyIsEc
          ? { name: 'keyUsage', keyAgreement: true, critical: true }
          : { name: 'keyUsage', keyEncipherment: true, dataEncipherment: true, critical: true },
        { name: 'extKeyUsage', emailProtection: true },
        subjectKeyIdentifier,
      ];
    case 'tls':
      return [
        endEntity,
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
        subjectKeyIdentifier,
      ];
  }
}

const asn1Sequence = (value: forge.asn1.Asn1[]) =>
  forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, value);

function sha256WithRsaAlgorithm(): forge.asn1.Asn1 {
  return asn1Sequence([
    forge.asn1.create(
      forge.asn1.Class.UNIVERSAL,
      forge.asn1.Type.OID,
      false,
      forge.asn1.oidToDer(sha256WithRsa).getBytes(),
    ),
    forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.NULL, false, ''),
  ]);
}

/** Signs `tbs` with an RSA key (SHA-256) and returns the DER of the signed structure. */
function signStructure(tbs: forge.asn1.Asn1, signerKeyPem: string): string {
  const md = forge.md.sha256.create();
  md.update(forge.asn1.toDer(tbs).getBytes());
  const signature = (forge.pki.privateKeyFromPem(signerKeyPem) as forge.pki.rsa.PrivateKey).sign(md);
  return forge.asn1
    .toDer(
      asn1Sequence([
        tbs,
        sha256WithRsaAlgorithm(),
        forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.BITSTRING, false, `\0${signature}`),
      ]),
    )
    .getBytes();
}

function subjectNameOf(certPem: string): forge.asn1.Asn1 {
  const der = forge.pem.decode(certPem)[0]!.body;
  const tbs = (forge.asn1.fromDer(der).value as forge.asn1.Asn1[])[0]!;
  return (tbs.value as forge.asn1.Asn1[])[5]!;
}

let placeholderKey: forge.pki.PublicKey | undefined;
function placeholderPublicKey(): forge.pki.PublicKey {
  placeholderKey ??= forge.pki.publicKeyFromPem(
    generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString(),
  );
  return placeholderKey;
}

/** Issues a certificate and returns its PEM. Issuers (and self-signed roots) must have RSA keys. */
export function issueCertificate(request: CertificateRequest): string {
  const signerKeyPem = request.issuer?.keyPem ?? request.selfSignKeyPem;
  if (!signerKeyPem) throw new Error('a self-signed certificate needs selfSignKeyPem');
  const spkiDer = request.publicKey.export({ type: 'spki', format: 'der' });
  const spki = forge.asn1.fromDer(forge.util.createBuffer(spkiDer.toString('binary')));
  // Subject key identifier: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2, method 1).
  const publicKeyBits = derChildren(readDer(spkiDer))[1]!.content.subarray(1);
  const ski = createHash('sha1').update(publicKeyBits).digest();

  const cert = forge.pki.createCertificate();
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = request.notBefore;
  cert.validity.notAfter = request.notAfter;
  cert.setSubject(nameAttributes(request.subject));
  cert.setIssuer(nameAttributes(request.subject));
  cert.setExtensions(extensionsFor(request, ski));
  cert.publicKey = placeholderPublicKey();
  cert.siginfo.algorithmOid = sha256WithRsa;
  // getTBSCertificate is public in node-forge but missing from its type definitions.
  const tbs = (
    forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }
  ).getTBSCertificate(cert);
  const fields = tbs.value as forge.asn1.Asn1[];
  // The issuer name is copied byte-exact from the issuer's certificate: re-encoding parsed UTF-8 names
  // through forge would change them, and chain building matches names by their bytes.
  if (request.issuer) fields[3] = subjectNameOf(request.issuer.certPem);
  fields[6] = spki;
  return forge.pem.encode({ type: 'CERTIFICATE', body: signStructure(tbs, signerKeyPem) });
}

/** A v2 CRL (with a CRL number) signed by `ca`, listing `revokedSerials` (hex). */
export function issueCrl(
  ca: IssuerKeys,
  revokedSerials: readonly string[],
  thisUpdate: Date,
  nextUpdate: Date,
  crlNumber = 1,
): string {
  const { asn1 } = forge;
  const utc = (date: Date) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date));
  const integerOf = (bytes: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, bytes);
  const entries = revokedSerials.map((serial) =>
    asn1Sequence([integerOf(forge.util.hexToBytes(serial)), utc(thisUpdate)]),
  );
  const crlNumberExtension = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
    asn1Sequence([
      asn1Sequence([
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer('2.5.29.20').getBytes()),
        asn1.create(
          asn1.Class.UNIVERSAL,
          asn1.Type.OCTETSTRING,
          false,
          asn1.toDer(integerOf(asn1.integerToDer(crlNumber).getBytes())).getBytes(),
        ),
      ]),
    ]),
  ]);
  const tbs = asn1Sequence([
    integerOf(asn1.integerToDer(1).getBytes()),
    sha256WithRsaAlgorithm(),
    subjectNameOf(ca.certPem),
    utc(thisUpdate),
    utc(nextUpdate),
    ...(entries.length ? [asn1Sequence(entries)] : []),
    crlNumberExtension,
  ]);
  return forge.pem.encode({ type: 'X509 CRL', body: signStructure(tbs, ca.keyPem) });
}

/** PKCS#12 (AES-256) holding a key and its chain, for browser login with a soft certificate. */
export function pkcs12Bundle(
  keyPem: string,
  chainPems: readonly string[],
  pin: string,
  friendlyName: string,
): Buffer {
  const p12 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(keyPem),
    chainPems.map((pem) => forge.pki.certificateFromPem(pem)),
    pin,
    { algorithm: 'aes256', friendlyName },
  );
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}

/** Serial number (hex) of a PEM certificate. */
export function serialOf(certPem: string): string {
  return new X509Certificate(certPem).serialNumber.toLowerCase();
}
