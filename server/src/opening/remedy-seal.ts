/**
 * Seals a custodian's share to the remedy session's public key, so it can rest in the database and
 * travel between server processes without being readable: an ephemeral X25519 agreement with the
 * session's key, HKDF-SHA256, AES-256-GCM — node:crypto's primitives, composed here because the shares
 * are ours alone (no other program reads this format) and CMS would add nothing but size.
 *
 * Layout: ephemeral public key (SPKI DER, 44 bytes) ‖ IV (12) ‖ GCM tag (16) ‖ ciphertext.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';

const info = 'bidhall remedy share v1';
const spkiBytes = 44;

function keyFrom(secret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
}

/** A fresh session key pair: the private key stays in the holding process's memory. */
export function remedyKeyPair(): { publicKeyPem: string; privateKey: KeyObject } {
  const pair = generateKeyPairSync('x25519');
  return {
    publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey: pair.privateKey,
  };
}

export function sealShare(publicKeyPem: string, share: Uint8Array): Buffer {
  const ephemeral = generateKeyPairSync('x25519');
  const key = keyFrom(
    diffieHellman({ privateKey: ephemeral.privateKey, publicKey: createPublicKey(publicKeyPem) }),
  );
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(share), cipher.final()]);
  key.fill(0);
  return Buffer.concat([
    ephemeral.publicKey.export({ type: 'spki', format: 'der' }),
    iv,
    cipher.getAuthTag(),
    body,
  ]);
}

export function openShare(privateKey: KeyObject, sealed: Buffer): Uint8Array {
  const ephemeral = createPublicKey({ key: sealed.subarray(0, spkiBytes), format: 'der', type: 'spki' });
  const key = keyFrom(diffieHellman({ privateKey, publicKey: ephemeral }));
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(spkiBytes, spkiBytes + 12));
  decipher.setAuthTag(sealed.subarray(spkiBytes + 12, spkiBytes + 28));
  const plain = Buffer.concat([decipher.update(sealed.subarray(spkiBytes + 28)), decipher.final()]);
  key.fill(0);
  return new Uint8Array(plain);
}
