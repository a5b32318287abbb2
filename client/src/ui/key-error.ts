/** Why a certificate or a key could not be used, as words the holder of the certificate can act on. */
import type { KeyError } from '../crypto.ts';
import type { TextKey } from '../i18n.tsx';

export function keyErrorText(error: KeyError): TextKey {
  switch (error.reason) {
    case 'wrong-pin':
      return 'wrongPin';
    case 'not-pkcs12':
      return 'notPkcs12';
    case 'no-signing-usage':
      return 'notSigning';
    case 'not-rsa':
      return 'notRsa';
    case 'not-recipient':
      return 'notRecipient';
    case 'decrypt-failed':
      return 'decryptFailed';
    case 'not-own-bid':
      return 'notOwnBid';
    case 'unbound-bid':
      return 'unboundBid';
    default:
      return 'noKey';
  }
}
