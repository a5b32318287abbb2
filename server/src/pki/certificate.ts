/**
 * An X.509 certificate as bidhall uses it: node:crypto for keys and signature checks, and
 * @peculiar/asn1-x509 for the extensions node:crypto does not expose (key usage bits, basic constraints,
 * subject key identifier). The raw issuer name and serial are kept byte-exact because CMS identifies
 * recipients and signers by them.
 */
import { type KeyObject, X509Certificate } from 'node:crypto';
import { AsnParser } from '@peculiar/asn1-schema';
import {
  BasicConstraints,
  Certificate,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
  KeyUsage,
  type Name,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { derChildren, readDer } from '../asn1/der.ts';
import { oid } from '../asn1/oids.ts';
import { AppError } from '../errors.ts';

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'crlSign'
  | 'encipherOnly'
  | 'decipherOnly';

export interface ParsedCertificate {
  readonly der: Buffer;
  readonly pem: string;
  readonly x509: X509Certificate;
  readonly publicKey: KeyObject;
  /** DER of the issuer Name, byte-exact. */
  readonly issuerDer: Buffer;
  readonly subjectDer: Buffer;
  /** Content octets of the serial INTEGER. */
  readonly serial: Buffer;
  readonly subjectKeyIdentifier: Buffer | null;
  /** Null when the certificate has no key usage extension (any use allowed). */
  readonly keyUsage: ReadonlySet<KeyUsageName> | null;
  readonly isCa: boolean;
  /**
   * The subject's serialNumber attribute (unified social credit code or personal ID), which is where the
   * default identity rule looks; a deployment's CAs may put the identity elsewhere (TrustStore reads it
   * through per-CA rules: use the identity of the verified chain, not this).
   */
  readonly identity: string | null;
  /** Every attribute of the subject, in order: type (OID) and value as text. */
  readonly subjectAttributes: readonly { readonly type: string; readonly value: string }[];
  /** Extensions by OID: the extnValue content (the DER of the value). */
  readonly extensions: ReadonlyMap<string, Buffer>;
  readonly commonName: string;
  readonly organization: string | null;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly fingerprint: string;
}

export function parseCertificate(input: Buffer | string): ParsedCertificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(input);
  } catch (error) {
    throw new AppError('CERT_MALFORMED', { key: 'certificateUnreadable' }, { cause: error });
  }
  const der = x509.raw;
  const tbs = derChildren(derChildren(readDer(der))[0]!);
  const offset = tbs[0]!.tagByte === 0xa0 ? 1 : 0;
  const [serial, , issuer, , subject] = tbs.slice(offset);
  const asn = AsnParser.parse(der, Certificate);
  const extensions = asn.tbsCertificate.extensions ?? [];
  const extension = (id: string) => extensions.find((e) => e.extnID === id)?.extnValue.buffer;

  const keyUsageRaw = extension(id_ce_keyUsage);
  const keyUsage = keyUsageRaw
    ? new Set(AsnParser.parse(keyUsageRaw, KeyUsage).toJSON() as KeyUsageName[])
    : null;
  const basicRaw = extension(id_ce_basicConstraints);
  const skiRaw = extension(id_ce_subjectKeyIdentifier);
  const subjectFields = nameFields(asn.tbsCertificate.subject);
  const subjectAttributes = asn.tbsCertificate.subject.flatMap((rdn) =>
    rdn.map((attribute) => ({ type: attribute.type, value: attribute.value.toString() })),
  );

  return {
    der,
    pem: x509.toString(),
    x509,
    publicKey: x509.publicKey,
    issuerDer: issuer!.raw,
    subjectDer: subject!.raw,
    serial: serial!.content,
    subjectKeyIdentifier: skiRaw ? Buffer.from(AsnParser.parse(skiRaw, SubjectKeyIdentifier).buffer) : null,
    keyUsage,
    isCa: basicRaw ? AsnParser.parse(basicRaw, BasicConstraints).cA : false,
    identity: subjectFields.get(oid.subjectSerialNumber) ?? null,
    subjectAttributes,
    extensions: new Map(extensions.map((e) => [e.extnID, Buffer.from(e.extnValue.buffer)])),
    commonName: subjectFields.get(commonNameOid) ?? '',
    organization: subjectFields.get(organizationOid) ?? null,
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    fingerprint: x509.fingerprint256.replaceAll(':', '').toLowerCase(),
  };
}

const commonNameOid = '2.5.4.3';
const organizationOid = '2.5.4.10';

/** First value of each attribute type in a Name, by OID. */
function nameFields(name: Name): Map<string, string> {
  const fields = new Map<string, string>();
  for (const rdn of name) {
    for (const attribute of rdn) {
      if (!fields.has(attribute.type)) fields.set(attribute.type, attribute.value.toString());
    }
  }
  return fields;
}

/** Splits a PEM bundle into certificates, in order. */
export function parseCertificateChain(pem: string): ParsedCertificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new AppError('CERT_MALFORMED', { key: 'noPemCertificate' });
  return blocks.map((block) => parseCertificate(block));
}

export function hasKeyUsage(cert: ParsedCertificate, usage: KeyUsageName): boolean {
  return cert.keyUsage === null || cert.keyUsage.has(usage);
}

/** Whether a CMS issuerAndSerialNumber names this certificate. */
export function matchesIssuerAndSerial(cert: ParsedCertificate, issuerDer: Buffer, serial: Buffer): boolean {
  return cert.issuerDer.equals(issuerDer) && stripSign(cert.serial).equals(stripSign(serial));
}

function stripSign(serial: Buffer): Buffer {
  let start = 0;
  while (start < serial.length - 1 && serial[start] === 0) start++;
  return serial.subarray(start);
}
