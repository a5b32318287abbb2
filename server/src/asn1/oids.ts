/** Object identifiers of the CMS profile bidhall reads and writes (docs/bid-format.md). */
export const oid = {
  // Content types (RFC 5652, RFC 5083)
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',
  // Signed attributes
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  // Digests
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  // Signatures
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  // Key transport and agreement
  rsaesOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  dhSinglePassStdDhSha1Kdf: '1.3.133.16.840.63.0.2',
  dhSinglePassStdDhSha224Kdf: '1.3.132.1.11.0',
  dhSinglePassStdDhSha256Kdf: '1.3.132.1.11.1',
  dhSinglePassStdDhSha384Kdf: '1.3.132.1.11.2',
  dhSinglePassStdDhSha512Kdf: '1.3.132.1.11.3',
  aes128Wrap: '2.16.840.1.101.3.4.1.5',
  aes192Wrap: '2.16.840.1.101.3.4.1.25',
  aes256Wrap: '2.16.840.1.101.3.4.1.45',
  // Content encryption
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  aes256Gcm: '2.16.840.1.101.3.4.1.46',
  // Certificate fields
  subjectSerialNumber: '2.5.4.5',
} as const;

/** node:crypto hash names for the digest OIDs we accept. */
export const digestNames: Readonly<Record<string, string>> = {
  [oid.sha1]: 'sha1',
  [oid.sha224]: 'sha224',
  [oid.sha256]: 'sha256',
  [oid.sha384]: 'sha384',
  [oid.sha512]: 'sha512',
};

/** ECDH key-agreement schemes (RFC 5753) and the KDF hash each one names. */
export const ecdhKdfHashes: Readonly<Record<string, string>> = {
  [oid.dhSinglePassStdDhSha1Kdf]: 'sha1',
  [oid.dhSinglePassStdDhSha224Kdf]: 'sha224',
  [oid.dhSinglePassStdDhSha256Kdf]: 'sha256',
  [oid.dhSinglePassStdDhSha384Kdf]: 'sha384',
  [oid.dhSinglePassStdDhSha512Kdf]: 'sha512',
};

/** AES key-wrap algorithms (RFC 3394) by OID: node:crypto cipher name and key length. */
export const keyWraps: Readonly<Record<string, { cipher: string; keyBytes: number }>> = {
  [oid.aes128Wrap]: { cipher: 'id-aes128-wrap', keyBytes: 16 },
  [oid.aes192Wrap]: { cipher: 'id-aes192-wrap', keyBytes: 24 },
  [oid.aes256Wrap]: { cipher: 'id-aes256-wrap', keyBytes: 32 },
};
