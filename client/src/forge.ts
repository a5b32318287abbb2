/**
 * node-forge, only the parts the page uses (PKCS#12 with its PBE ciphers, X.509, RSA, ASN.1, PEM,
 * SHA-1/SHA-256). Importing 'node-forge' itself would also bundle TLS, SSH, Ed25519 and the rest: about
 * a third of the page's JavaScript.
 */
import type nodeForge from 'node-forge';
import forge from 'node-forge/lib/forge.js';
import 'node-forge/lib/pkcs12.js';
import 'node-forge/lib/pem.js';
import 'node-forge/lib/sha1.js';
import 'node-forge/lib/sha256.js';
import 'node-forge/lib/util.js';

export default forge as typeof nodeForge;
