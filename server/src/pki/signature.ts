/** Signature algorithms bidhall accepts, mapped onto node:crypto. */
import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { digestNames, oid } from '../asn1/oids.ts';
import { AppError } from '../errors.ts';

const signatureHashes: Readonly<Record<string, string>> = {
  [oid.sha256WithRSAEncryption]: 'sha256',
  [oid.sha384WithRSAEncryption]: 'sha384',
  [oid.sha512WithRSAEncryption]: 'sha512',
  [oid.ecdsaWithSha256]: 'sha256',
  [oid.ecdsaWithSha384]: 'sha384',
  [oid.ecdsaWithSha512]: 'sha512',
};

/**
 * Verifies `signature` over `data`. CMS SignerInfos may name the bare key algorithm (rsaEncryption,
 * ecPublicKey) and carry the hash separately in `digestOid`, as OpenSSL does.
 */
export function verifySignature(
  algorithmOid: string,
  digestOid: string | null,
  data: Uint8Array,
  publicKey: KeyObject,
  signature: Uint8Array,
): boolean {
  const hash =
    signatureHashes[algorithmOid] ??
    (algorithmOid === oid.rsaEncryption || algorithmOid === oid.ecPublicKey
      ? digestOid && digestNames[digestOid]
      : undefined);
  if (!hash || hash === 'sha1') {
    throw new AppError('CMS_UNSUPPORTED', `signature algorithm ${algorithmOid} is not accepted`);
  }
  const isEc = publicKey.asymmetricKeyType === 'ec';
  if (isEc !== (algorithmOid.startsWith('1.2.840.10045.') || algorithmOid === oid.ecPublicKey)) return false;
  return cryptoVerify(hash, data, isEc ? { key: publicKey, dsaEncoding: 'der' } : publicKey, signature);
}

/** Signs with SHA-256; returns the signature and the algorithm OID to record. */
export function signSha256(
  data: Uint8Array,
  privateKey: KeyObject,
): { signature: Buffer; algorithm: string } {
  const isEc = privateKey.asymmetricKeyType === 'ec';
  const signature = cryptoSign('sha256', data, isEc ? { key: privateKey, dsaEncoding: 'der' } : privateKey);
  return { signature, algorithm: isEc ? oid.ecdsaWithSha256 : oid.sha256WithRSAEncryption };
}
