/**
 * CMS recipients (RFC 5652 §6.2): wrapping a content-encryption key for a certificate, finding the
 * RecipientInfo that names a certificate, and unwrapping with the matching private key.
 *
 * - Key transport (ktri): RSA PKCS#1 v1.5 (`openssl cms -encrypt`'s default) and RSAES-OAEP (RFC 8017).
 * - Key agreement (kari): ECDH P-256, dhSinglePass-stdDH with the X9.63 KDF and AES key wrap (RFC 5753,
 *   RFC 3394), as OpenSSL produces for EC recipients.
 * All arithmetic is node:crypto. RecipientInfos are parsed with @peculiar/asn1-cms; ours are written
 * with the DER helpers so the issuer name is copied byte-exact from the certificate.
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
} from 'node:crypto';
import {
  type IssuerAndSerialNumber,
  type KeyAgreeRecipientInfo,
  type KeyTransRecipientInfo,
  RecipientInfos,
} from '@peculiar/asn1-cms';
import { RsaEsOaepParams } from '@peculiar/asn1-rsa';
import { AsnParser, AsnSerializer } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, type SubjectKeyIdentifier } from '@peculiar/asn1-x509';
import {
  algorithmIdentifier,
  contextTag,
  derChildren,
  integer,
  nullValue,
  objectIdentifier,
  octetString,
  readDer,
  sequence,
  tag,
  tlv,
} from '../asn1/der.ts';
import { digestNames, ecdhKdfHashes, keyWraps, oid } from '../asn1/oids.ts';
import { AppError } from '../errors.ts';
import { matchesIssuerAndSerial, type ParsedCertificate } from '../pki/certificate.ts';

export type RsaPadding = 'oaep' | 'pkcs1';

/** The RFC 3394 default initial value; node's id-aesN-wrap ciphers take it as the IV. */
const keyWrapIv = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');

const issuerAndSerial = (cert: ParsedCertificate) => sequence(cert.issuerDer, tlv(tag.integer, cert.serial));

/** RecipientInfo (DER) that gives `cek` to the holder of `cert`'s private key. */
export function recipientInfoFor(
  cert: ParsedCertificate,
  cek: Buffer,
  rsaPadding: RsaPadding = 'oaep',
): Buffer {
  const keyType = cert.publicKey.asymmetricKeyType;
  if (keyType === 'rsa') return keyTransRecipient(cert, cek, rsaPadding);
  if (keyType === 'ec' && cert.publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return keyAgreeRecipient(cert, cek);
  }
  throw new AppError('CMS_UNSUPPORTED', `cannot encrypt to a ${keyType} key`);
}

function keyTransRecipient(cert: ParsedCertificate, cek: Buffer, padding: RsaPadding): Buffer {
  if (padding === 'pkcs1') {
    const encryptedKey = publicEncrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING }, cek);
    return sequence(
      integer(0),
      issuerAndSerial(cert),
      algorithmIdentifier(oid.rsaEncryption, nullValue()),
      octetString(encryptedKey),
    );
  }
  const encryptedKey = publicEncrypt(
    { key: cert.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    cek,
  );
  const sha256 = algorithmIdentifier(oid.sha256, nullValue());
  const oaepParams = sequence(
    tlv(contextTag(0, true), sha256),
    tlv(contextTag(1, true), algorithmIdentifier(oid.mgf1, sha256)),
  );
  return sequence(
    integer(0),
    issuerAndSerial(cert),
    algorithmIdentifier(oid.rsaesOaep, oaepParams),
    octetString(encryptedKey),
  );
}

function keyAgreeRecipient(cert: ParsedCertificate, cek: Buffer): Buffer {
  const ephemeral = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const sharedSecret = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: cert.publicKey });
  const wrapOid = oid.aes256Wrap;
  const kek = x963Kdf('sha256', sharedSecret, eccSharedInfo(algorithmIdentifier(wrapOid), null, 256), 32);
  const wrapped = createCipheriv('id-aes256-wrap', kek, keyWrapIv).update(cek);
  const spki = readDer(ephemeral.publicKey.export({ type: 'spki', format: 'der' }));
  const [, publicKeyBits] = derChildren(spki);
  const originatorKey = tlv(contextTag(1, true), algorithmIdentifier(oid.ecPublicKey), publicKeyBits!.raw);
  const kari = [
    integer(3),
    tlv(contextTag(0, true), originatorKey),
    algorithmIdentifier(oid.dhSinglePassStdDhSha256Kdf, algorithmIdentifier(wrapOid)),
    sequence(sequence(issuerAndSerial(cert), octetString(wrapped))),
  ];
  return tlv(contextTag(1, true), ...kari);
}

/** ECC-CMS-SharedInfo (RFC 5753 §7.2): the KDF's "other info". */
function eccSharedInfo(wrapAlgorithm: Buffer, ukm: Buffer | null, keyBits: number): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(keyBits);
  return sequence(
    wrapAlgorithm,
    ...(ukm ? [tlv(contextTag(0, true), octetString(ukm))] : []),
    tlv(contextTag(2, true), octetString(length)),
  );
}

/** ANSI X9.63 KDF, as used by CMS ECDH (SEC 1 §3.6.1). */
function x963Kdf(hash: string, secret: Buffer, sharedInfo: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  const counter = Buffer.alloc(4);
  for (let i = 1, produced = 0; produced < length; i++) {
    counter.writeUInt32BE(i);
    const block = createHash(hash).update(secret).update(counter).update(sharedInfo).digest();
    blocks.push(block);
    produced += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** One recipient as found in a RecipientInfos set, with who it is for. */
export type ParsedRecipient =
  | {
      readonly kind: 'ktri';
      readonly info: KeyTransRecipientInfo;
      readonly keyAlgorithm: string;
      readonly id: RecipientId;
    }
  | {
      readonly kind: 'kari';
      readonly info: KeyAgreeRecipientInfo;
      readonly keyAlgorithm: string;
      readonly id: RecipientId;
      /** Which of the kari's RecipientEncryptedKeys this entry is. */
      readonly index: number;
    }
  | { readonly kind: 'other'; readonly type: string };

type RecipientId =
  | { readonly issuer: Buffer; readonly serial: Buffer }
  | { readonly subjectKeyIdentifier: Buffer };

/** Parses a DER/BER RecipientInfos SET; each kari contributes one entry per recipient key. */
export function parseRecipientInfos(encoded: Buffer): ParsedRecipient[] {
  let infos: RecipientInfos;
  try {
    infos = AsnParser.parse(encoded, RecipientInfos);
  } catch (error) {
    throw new AppError('CMS_MALFORMED', 'RecipientInfos cannot be parsed', { cause: error });
  }
  const recipients: ParsedRecipient[] = [];
  for (const info of infos) {
    if (info.ktri) {
      const rid = info.ktri.rid;
      const id = recipientId(rid.issuerAndSerialNumber, rid.subjectKeyIdentifier);
      recipients.push({
        kind: 'ktri',
        info: info.ktri,
        keyAlgorithm: info.ktri.keyEncryptionAlgorithm.algorithm,
        id,
      });
    } else if (info.kari) {
      info.kari.recipientEncryptedKeys.forEach((key, index) => {
        const id = recipientId(key.rid.issuerAndSerialNumber, key.rid.rKeyId?.subjectKeyIdentifier);
        recipients.push({
          kind: 'kari',
          info: info.kari!,
          keyAlgorithm: info.kari!.keyEncryptionAlgorithm.algorithm,
          id,
          index,
        });
      });
    } else {
      const type = info.kekri ? 'kekri' : info.pwri ? 'pwri' : 'ori';
      recipients.push({ kind: 'other', type });
    }
  }
  return recipients;
}

function recipientId(
  issuerAndSerial: IssuerAndSerialNumber | undefined,
  subjectKeyIdentifier: SubjectKeyIdentifier | undefined,
): RecipientId {
  if (issuerAndSerial) {
    return {
      issuer: Buffer.from(AsnSerializer.serialize(issuerAndSerial.issuer)),
      serial: Buffer.from(issuerAndSerial.serialNumber),
    };
  }
  if (!subjectKeyIdentifier) throw new AppError('CMS_MALFORMED', 'a recipient has no identifier');
  return { subjectKeyIdentifier: Buffer.from(subjectKeyIdentifier.buffer) };
}

/** Whether a recipient entry names `cert`. */
export function recipientMatches(recipient: ParsedRecipient, cert: ParsedCertificate): boolean {
  if (recipient.kind === 'other') return false;
  const { id } = recipient;
  if ('subjectKeyIdentifier' in id) {
    return cert.subjectKeyIdentifier?.equals(id.subjectKeyIdentifier) ?? false;
  }
  return matchesIssuerAndSerial(cert, id.issuer, id.serial);
}

/** Recovers the content-encryption key from a recipient entry with the holder's private key. */
export function unwrapContentKey(recipient: ParsedRecipient, privateKey: KeyObject): Buffer {
  try {
    if (recipient.kind === 'ktri') return unwrapKeyTransport(recipient.info, privateKey);
    if (recipient.kind === 'kari') return unwrapKeyAgreement(recipient.info, recipient.index, privateKey);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('CMS_MALFORMED', 'the content key cannot be recovered with this key', {
      cause: error,
    });
  }
  throw new AppError('CMS_UNSUPPORTED', `recipient type ${recipient.type} is not supported`);
}

function unwrapKeyTransport(info: KeyTransRecipientInfo, privateKey: KeyObject): Buffer {
  const encryptedKey = Buffer.from(info.encryptedKey.buffer);
  const algorithm = info.keyEncryptionAlgorithm;
  if (algorithm.algorithm === oid.rsaEncryption) {
    return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, encryptedKey);
  }
  if (algorithm.algorithm === oid.rsaesOaep) {
    const hash = oaepHash(algorithm);
    return privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
      encryptedKey,
    );
  }
  throw new AppError('CMS_UNSUPPORTED', `key transport ${algorithm.algorithm} is not supported`);
}

/** The hash of RSAES-OAEP parameters (RFC 4055), which must equal the MGF1 hash. */
function oaepHash(algorithm: AlgorithmIdentifier): string {
  let hash: string | undefined;
  let mgfHash: string | undefined;
  try {
    const params = algorithm.parameters
      ? AsnParser.parse(algorithm.parameters, RsaEsOaepParams)
      : new RsaEsOaepParams();
    hash = digestNames[params.hashAlgorithm.algorithm];
    mgfHash =
      params.maskGenAlgorithm.algorithm !== oid.mgf1
        ? undefined
        : params.maskGenAlgorithm.parameters
          ? digestNames[AsnParser.parse(params.maskGenAlgorithm.parameters, AlgorithmIdentifier).algorithm]
          : 'sha1';
  } catch (error) {
    throw new AppError('CMS_MALFORMED', 'the RSA-OAEP parameters cannot be parsed', { cause: error });
  }
  if (!hash || hash !== mgfHash) {
    throw new AppError('CMS_UNSUPPORTED', 'RSA-OAEP with differing or unknown hash and MGF1 hash');
  }
  return hash;
}

/** Bytes of an AES key-wrapped 256-bit content key (RFC 3394: the key plus one 64-bit block). */
const wrappedContentKeyBytes = 40;

/**
 * Why a recipient entry could not give `cert`'s holder a content key, or null when it is well formed for
 * it: the right kind for the key type, an accepted algorithm with valid parameters, a key of the size
 * that algorithm produces, a point on the curve. Checked at upload, so a recipient that would fail at
 * the custodian remedy is refused then, never discovered later.
 */
export function recipientProblem(recipient: ParsedRecipient, cert: ParsedCertificate): string | null {
  const keyType = cert.publicKey.asymmetricKeyType;
  const details = cert.publicKey.asymmetricKeyDetails;
  try {
    if (recipient.kind === 'ktri') {
      const { info } = recipient;
      if (keyType !== 'rsa') return `key transport (ktri) to a ${keyType} certificate`;
      const expectedVersion = info.rid.subjectKeyIdentifier ? 2 : 0;
      if (info.version !== expectedVersion)
        return `ktri version ${info.version}; with this identifier it must be ${expectedVersion}`;
      const algorithm = info.keyEncryptionAlgorithm;
      if (algorithm.algorithm === oid.rsaesOaep) oaepHash(algorithm);
      else if (algorithm.algorithm !== oid.rsaEncryption)
        return `key transport ${algorithm.algorithm} is not accepted (rsaEncryption or RSAES-OAEP)`;
      const modulusBytes = Math.ceil((details?.modulusLength ?? 0) / 8);
      const keyBytes = info.encryptedKey.byteLength;
      if (keyBytes !== modulusBytes)
        return `the encrypted key is ${keyBytes} byte(s); a ${details?.modulusLength}-bit RSA key makes ${modulusBytes}`;
      return null;
    }
    if (recipient.kind === 'kari') {
      const { info, index } = recipient;
      if (keyType !== 'ec' || details?.namedCurve !== 'prime256v1')
        return `key agreement (kari) to a ${keyType} certificate; only EC P-256 is accepted`;
      if (info.version !== 3) return `kari version ${info.version}; it must be 3`;
      const algorithm = info.keyEncryptionAlgorithm;
      if (!ecdhKdfHashes[algorithm.algorithm] || !algorithm.parameters)
        return `key agreement ${algorithm.algorithm} is not accepted`;
      const wrap = AsnParser.parse(algorithm.parameters, AlgorithmIdentifier).algorithm;
      if (keyWraps[wrap]?.keyBytes !== 32) return `key wrap ${wrap} is not accepted (AES-256 wrap)`;
      const originator = info.originator.originatorKey;
      if (!originator) return 'the originator must be an ephemeral public key';
      originatorPublicKey(Buffer.from(originator.publicKey));
      const keyBytes = info.recipientEncryptedKeys[index]?.encryptedKey.byteLength ?? 0;
      if (keyBytes !== wrappedContentKeyBytes)
        return `the wrapped key is ${keyBytes} byte(s); a wrapped AES-256 key is ${wrappedContentKeyBytes}`;
      return null;
    }
    return `recipient type ${recipient.type} is not accepted`;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The sender's ephemeral P-256 key in a kari (the curve is the recipient's, RFC 5753 §3.1.1). */
function originatorPublicKey(point: Buffer): KeyObject {
  const form = point[0];
  if (!((form === 4 && point.length === 65) || ((form === 2 || form === 3) && point.length === 33))) {
    throw new AppError('CMS_MALFORMED', 'the originator key is not a P-256 point');
  }
  try {
    return createPublicKey({
      key: sequence(
        algorithmIdentifier(oid.ecPublicKey, objectIdentifier(oid.prime256v1)),
        tlv(tag.bitString, Buffer.from([0]), point),
      ),
      format: 'der',
      type: 'spki',
    });
  } catch (error) {
    throw new AppError('CMS_MALFORMED', 'the originator key is not a point on P-256', { cause: error });
  }
}

function unwrapKeyAgreement(info: KeyAgreeRecipientInfo, index: number, privateKey: KeyObject): Buffer {
  const kdfHash = ecdhKdfHashes[info.keyEncryptionAlgorithm.algorithm];
  const originator = info.originator.originatorKey;
  if (!kdfHash || !originator || !info.keyEncryptionAlgorithm.parameters) {
    throw new AppError(
      'CMS_UNSUPPORTED',
      `key agreement ${info.keyEncryptionAlgorithm.algorithm} is not supported`,
    );
  }
  const wrapAlgorithm = AsnParser.parse(info.keyEncryptionAlgorithm.parameters, AlgorithmIdentifier);
  const wrap = keyWraps[wrapAlgorithm.algorithm];
  if (!wrap) throw new AppError('CMS_UNSUPPORTED', `key wrap ${wrapAlgorithm.algorithm} is not supported`);
  const curve = privateKey.asymmetricKeyDetails?.namedCurve;
  if (curve !== 'prime256v1') throw new AppError('CMS_UNSUPPORTED', `curve ${curve} is not supported`);
  const originatorKey = originatorPublicKey(Buffer.from(originator.publicKey));
  const sharedSecret = diffieHellman({ privateKey, publicKey: originatorKey });
  const ukm = info.ukm ? Buffer.from(info.ukm.buffer) : null;
  const sharedInfo = eccSharedInfo(
    Buffer.from(AsnSerializer.serialize(wrapAlgorithm)),
    ukm,
    wrap.keyBytes * 8,
  );
  const kek = x963Kdf(kdfHash, sharedSecret, sharedInfo, wrap.keyBytes);
  const encryptedKey = info.recipientEncryptedKeys[index]?.encryptedKey;
  if (!encryptedKey) throw new AppError('CMS_MALFORMED', 'missing encrypted key');
  const decipher = createDecipheriv(wrap.cipher, kek, keyWrapIv);
  return Buffer.concat([decipher.update(Buffer.from(encryptedKey.buffer)), decipher.final()]);
}
