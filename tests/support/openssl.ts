/** The OpenSSL command line, as a bidder or auditor without bidhall would use it. */
import { execFileSync } from 'node:child_process';
import { caPath, certPath, keyPath } from './pki.ts';

export const openssl = (...args: string[]): Buffer =>
  execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });

/** `openssl cms -verify` of a DER file against a dev CA; returns the signed content. */
export const cmsVerify = (file: string, ca: Parameters<typeof caPath>[0], ...extra: string[]): Buffer =>
  openssl('cms', '-verify', '-binary', '-inform', 'DER', '-in', file, '-CAfile', caPath(ca), ...extra);

/** `openssl cms -decrypt` of a DER file with a dev actor's encryption key. */
export const cmsDecrypt = (file: string, actor: string): Buffer =>
  openssl(
    'cms',
    '-decrypt',
    '-binary',
    '-inform',
    'DER',
    '-in',
    file,
    '-recip',
    certPath(actor, 'enc'),
    '-inkey',
    keyPath(actor, 'enc'),
  );
