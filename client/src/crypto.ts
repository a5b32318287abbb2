/**
 * The page's own cryptography: the certificate holder's private keys are loaded from a PKCS#12 file
 * into this page and never leave it. node-forge for PKCS#12, RSA and CMS structure (small objects only);
 * WebCrypto for AES (content decryption) and ECDH. Nothing here is bulk work: the documents are
 * decrypted by the server once the bidder has handed over the content key.
 */
import type * as Forge from 'node-forge';
import forge from './forge.ts';

const { asn1, pki, util } = forge;

export class KeyError extends Error {
  readonly reason:
    | 'wrong-pin'
    | 'not-pkcs12'
    | 'no-key'
    | 'not-rsa'
    | 'no-signing-usage'
    | 'not-recipient'
    | 'decrypt-failed'
    | 'not-own-bid'
    | 'unbound-bid';
  constructor(reason: KeyError['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

/** A certificate and its private key, as loaded from a PKCS#12 file. */
export interface Identity {
  readonly certificate: Forge.pki.Certificate;
  /** The certificate's exact DER (re-encoding through forge would alter UTF-8 names). */
  readonly certificateDer: string;
  readonly chainPem: string;
  readonly privateKey: Forge.pki.rsa.PrivateKey;
  readonly commonName: string;
  readonly organization: string;
  readonly identity: string;
  readonly notAfter: Date;
  readonly usages: { readonly signing: boolean; readonly encryption: boolean };
}

const toBinary = (bytes: Uint8Array) => {
  let out = '';
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return out;
};
const fromBinary = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
export const toBase64 = (bytes: Uint8Array) => util.encode64(toBinary(bytes));
export const fromBase64 = (text: string) => fromBinary(util.decode64(text));

function exactDer(certificate: Forge.pki.Certificate): string {
  const tbs = (certificate as unknown as { tbsCertificate: Forge.asn1.Asn1 }).tbsCertificate;
  const signatureAlgorithm = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(
      asn1.Class.UNIVERSAL,
      asn1.Type.OID,
      false,
      asn1.oidToDer(certificate.signatureOid).getBytes(),
    ),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
  ]);
  const signature = asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.BITSTRING,
    false,
    `\0${certificate.signature as string}`,
  );
  return asn1
    .toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [tbs, signatureAlgorithm, signature]))
    .getBytes();
}

function field(certificate: Forge.pki.Certificate, type: string): string {
  const attribute = certificate.subject.attributes.find((a) => a.type === type);
  const value = (attribute?.value as string | undefined) ?? '';
  // forge keeps UTF8String values as raw bytes.
  return attribute?.valueTagClass === (asn1.Type.UTF8 as unknown) ? util.decodeUtf8(value) : value;
}

/** Opens a PKCS#12 file with its PIN; the first certificate that matches the key is the holder's. */
export function loadPkcs12(bytes: Uint8Array, pin: string): Identity {
  let p12: Forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1.fromDer(util.createBuffer(toBinary(bytes))), pin);
  } catch (error) {
    const message = (error as Error).message ?? '';
    if (/MAC could not be verified|Invalid password/i.test(message)) throw new KeyError('wrong-pin', message);
    throw new KeyError('not-pkcs12', message);
  }
  const keyBags = [
    ...(p12.getBags({ bagType: pki.oids.pkcs8ShroudedKeyBag! })[pki.oids.pkcs8ShroudedKeyBag!] ?? []),
    ...(p12.getBags({ bagType: pki.oids.keyBag! })[pki.oids.keyBag!] ?? []),
  ];
  const key = keyBags[0]?.key as Forge.pki.rsa.PrivateKey | undefined;
  if (!key) throw new KeyError('no-key', 'the file holds no private key');
  if (!('n' in key)) throw new KeyError('not-rsa', 'only RSA keys are supported in the browser');
  const certificates = (p12.getBags({ bagType: pki.oids.certBag! })[pki.oids.certBag!] ?? [])
    .map((bag) => bag.cert)
    .filter((c): c is Forge.pki.Certificate => !!c);
  const own = certificates.find((c) => (c.publicKey as Forge.pki.rsa.PublicKey).n?.equals(key.n));
  if (!own) throw new KeyError('no-key', 'no certificate in the file matches its key');
  const others = certificates.filter((c) => c !== own && !c.isIssuer(c));
  const keyUsage = own.getExtension('keyUsage') as
    | { digitalSignature?: boolean; nonRepudiation?: boolean; keyEncipherment?: boolean }
    | undefined;
  const der = exactDer(own);
  return {
    certificate: own,
    certificateDer: der,
    chainPem: [der, ...others.map(exactDer)]
      .map((d) => forge.pem.encode({ type: 'CERTIFICATE', body: d }))
      .join(''),
    privateKey: key,
    commonName: field(own, '2.5.4.3'),
    organization: field(own, '2.5.4.10'),
    identity: field(own, '2.5.4.5'),
    notAfter: own.validity.notAfter,
    usages: {
      signing: !keyUsage || !!keyUsage.digitalSignature || !!keyUsage.nonRepudiation,
      encryption: !keyUsage || !!keyUsage.keyEncipherment,
    },
  };
}

/** RSASSA-PKCS1-v1_5 with SHA-256 over the UTF-8 text, base64: the login challenge signature. */
export function signText(identity: Identity, text: string): string {
  const md = forge.md.sha256.create();
  md.update(text, 'utf8');
  return util.encode64(identity.privateKey.sign(md));
}

/**
 * A detached CMS signature (DER) over `content`: SHA-256, RSA, signed attributes (content type, signing
 * time, message digest). Assembled from forge's ASN.1 primitives rather than forge.pkcs7, which would
 * re-encode the certificate (and alter UTF-8 names in it).
 */
export function signDetached(identity: Identity, content: Uint8Array): Uint8Array {
  const { Class, Type } = asn1;
  const seq = (...items: Node[]) => asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
  const oid = (dotted: string) =>
    asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(dotted).getBytes());
  const algorithm = (dotted: string) => seq(oid(dotted), asn1.create(Class.UNIVERSAL, Type.NULL, false, ''));
  const setOf = (items: Node[], tagClass: number = Class.UNIVERSAL, type: number = Type.SET) =>
    // DER orders the elements of a SET OF by their encodings.
    asn1.create(
      tagClass as never,
      type,
      true,
      [...items].sort((a, b) => (der(a) < der(b) ? -1 : der(a) > der(b) ? 1 : 0)),
    );
  const attribute = (type: string, value: Node) => seq(oid(type), setOf([value]));
  const digest = forge.md.sha256.create();
  digest.update(toBinary(content));
  const attributes = [
    attribute(pki.oids.contentType!, oid(pki.oids.data!)),
    attribute(
      pki.oids.signingTime!,
      asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, asn1.dateToUtcTime(new Date())),
    ),
    attribute(
      pki.oids.messageDigest!,
      asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, digest.digest().getBytes()),
    ),
  ];
  const toSign = forge.md.sha256.create();
  toSign.update(der(setOf(attributes)));
  const signature = identity.privateKey.sign(toSign);
  const certificate = asn1.fromDer(identity.certificateDer);
  const tbs = children(children(certificate)[0]!);
  const offset = tbs[0]!.tagClass === Class.CONTEXT_SPECIFIC ? 1 : 0;
  const signerInfo = seq(
    asn1.create(Class.UNIVERSAL, Type.INTEGER, false, asn1.integerToDer(1).getBytes()),
    seq(tbs[offset + 2]!, tbs[offset]!),
    algorithm(pki.oids.sha256!),
    setOf(attributes, Class.CONTEXT_SPECIFIC, 0),
    algorithm(pki.oids.rsaEncryption!),
    asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, signature),
  );
  const signedData = seq(
    asn1.create(Class.UNIVERSAL, Type.INTEGER, false, asn1.integerToDer(1).getBytes()),
    asn1.create(Class.UNIVERSAL, Type.SET, true, [algorithm(pki.oids.sha256!)]),
    seq(oid(pki.oids.data!)),
    asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [certificate]),
    asn1.create(Class.UNIVERSAL, Type.SET, true, [signerInfo]),
  );
  return fromBinary(
    der(seq(oid(pki.oids.signedData!), asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [signedData]))),
  );
}

type Node = Forge.asn1.Asn1;
const children = (node: Node) => node.value as Node[];
const oidOf = (node: Node) => asn1.derToOid(node.value as string);
const der = (node: Node) => asn1.toDer(node).getBytes();

/** The issuer and serial of a certificate, byte-exact, for finding its RecipientInfo. */
function issuerAndSerial(certificateDer: string): { issuer: string; serial: string } {
  const tbs = children(children(asn1.fromDer(certificateDer))[0]!);
  const offset = tbs[0]!.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  return { issuer: der(tbs[offset + 2]!), serial: (tbs[offset]!.value as string).replace(/^\0+/, '') };
}

/** Unwraps the content-encryption key from RecipientInfos (DER) with the holder's RSA key. */
export function unwrapContentKey(recipientInfosDer: Uint8Array, identity: Identity): Uint8Array {
  const infos = asn1.fromDer(util.createBuffer(toBinary(recipientInfosDer)), { strict: false } as never);
  return unwrapFrom(children(infos), identity);
}

function unwrapFrom(recipientInfos: Node[], identity: Identity): Uint8Array {
  const mine = issuerAndSerial(identity.certificateDer);
  for (const info of recipientInfos) {
    // KeyTransRecipientInfo: SEQUENCE { version, rid (IssuerAndSerialNumber), algorithm, encryptedKey }
    if (info.tagClass !== asn1.Class.UNIVERSAL || info.type !== asn1.Type.SEQUENCE) continue;
    const [, rid, algorithm, encryptedKey] = children(info);
    if (!rid || rid.type !== asn1.Type.SEQUENCE || !algorithm || !encryptedKey) continue;
    const [issuer, serial] = children(rid);
    if (der(issuer!) !== mine.issuer || (serial!.value as string).replace(/^\0+/, '') !== mine.serial)
      continue;
    const algorithmOid = oidOf(children(algorithm)[0]!);
    try {
      if (algorithmOid === pki.oids.rsaEncryption) {
        return fromBinary(identity.privateKey.decrypt(encryptedKey.value as string, 'RSAES-PKCS1-V1_5'));
      }
      // RSAES-OAEP: bidhall writes SHA-256 (with MGF1-SHA-256); OpenSSL's default is SHA-1.
      const params = children(algorithm)[1];
      const hashOid =
        params && children(params)[0]
          ? oidOf(children(children(children(params)[0]!)[0]!)[0]!)
          : pki.oids.sha1!;
      const md = hashOid === pki.oids.sha256 ? forge.md.sha256.create() : forge.md.sha1.create();
      const mgf = hashOid === pki.oids.sha256 ? forge.md.sha256.create() : forge.md.sha1.create();
      return fromBinary(
        identity.privateKey.decrypt(encryptedKey.value as string, 'RSA-OAEP', { md, mgf1: { md: mgf } }),
      );
    } catch (error) {
      throw new KeyError('decrypt-failed', `this key cannot open the bid: ${(error as Error).message}`);
    }
  }
  throw new KeyError('not-recipient', 'the bid is not encrypted to this certificate');
}

/** The concatenated content octets of a (possibly constructed) OCTET STRING node. */
function octets(node: Node): string {
  return node.constructed ? children(node).map(octets).join('') : (node.value as string);
}

/**
 * Opens a small CMS (Auth)EnvelopedData (DER or BER) addressed to the holder: unwraps the key here,
 * decrypts with WebCrypto (AES-256-GCM or AES-256-CBC). Returns the plaintext.
 */
export async function openEnvelope(envelope: Uint8Array, identity: Identity): Promise<Uint8Array> {
  const contentInfo = asn1.fromDer(util.createBuffer(toBinary(envelope)), { strict: false } as never);
  const [typeNode, explicit] = children(contentInfo);
  const authenticated = oidOf(typeNode!) === '1.2.840.113549.1.9.16.1.23';
  const fields = children(children(explicit!)[0]!);
  const at = fields[1]!.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 2 : 1;
  const recipientInfos = children(fields[at]!);
  const encryptedContentInfo = children(fields[at + 1]!);
  const key = unwrapFrom(recipientInfos, identity);
  const [, algorithm, content] = encryptedContentInfo;
  const [algorithmOid, params] = children(algorithm!);
  const ciphertext = fromBinary(octets(content!));
  const rawKey = await crypto.subtle.importKey(
    'raw',
    key as BufferSource,
    authenticated ? 'AES-GCM' : 'AES-CBC',
    false,
    ['decrypt'],
  );
  try {
    if (authenticated) {
      const [nonce, tagLength] = children(params!);
      const mac = fromBinary(
        fields.find((f, i) => i > at + 1 && f.type === asn1.Type.OCTETSTRING)!.value as string,
      );
      const data = new Uint8Array(ciphertext.length + mac.length);
      data.set(ciphertext);
      data.set(mac, ciphertext.length);
      const tagBits = tagLength ? asn1.derToInteger(tagLength.value as string) * 8 : 96;
      return new Uint8Array(
        await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: fromBinary(nonce!.value as string) as BufferSource, tagLength: tagBits },
          rawKey,
          data as BufferSource,
        ),
      );
    }
    if (oidOf(algorithmOid!) !== '2.16.840.1.101.3.4.1.42') throw new Error('unsupported cipher');
    return new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-CBC', iv: fromBinary(params!.value as string) as BufferSource },
        rawKey,
        ciphertext as BufferSource,
      ),
    );
  } catch (error) {
    throw new KeyError('decrypt-failed', `decryption failed: ${(error as Error).message}`);
  }
}

/** Whether `bytes` is a CMS SignedData ContentInfo (what a bid's plaintext must be). */
export function isSignedData(bytes: Uint8Array): boolean {
  try {
    const node = asn1.fromDer(util.createBuffer(toBinary(bytes)), { strict: false } as never);
    return oidOf(children(node)[0]!) === pki.oids.signedData;
  } catch {
    return false;
  }
}

const bytesOf = (node: Node) => fromBinary(der(node));
export async function sha256Bytes(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Checks that `signatureDer` is a detached CMS signature over exactly `content` by a certificate of the
 * same holder as `identity` (same subject identity), with RSA and SHA-256 as the page signs. Throws
 * KeyError('not-own-bid') otherwise. forge cannot verify CMS signatures, so the signed attributes are
 * checked here by hand, and the RSA signature by WebCrypto.
 */
export async function verifyOwnSignature(content: Uint8Array, signatureDer: Uint8Array, identity: Identity) {
  const refuse = (why: string): never => {
    throw new KeyError('not-own-bid', why);
  };
  const contentInfo = asn1.fromDer(util.createBuffer(toBinary(signatureDer)), { strict: false } as never);
  const [typeNode, explicit] = children(contentInfo);
  if (oidOf(typeNode!) !== pki.oids.signedData) refuse('not a CMS signature');
  const fields = children(children(explicit!)[0]!);
  const encapsulated = fields[2]!;
  if (children(encapsulated).length > 1) refuse('the signature carries content of its own');
  const certificates = fields.find((f) => f.tagClass === asn1.Class.CONTEXT_SPECIFIC && f.type === 0);
  const signerInfos = fields[fields.length - 1]!;
  const [info] = children(signerInfos);
  const [, sid, , signedAttributes, , signature] = children(info!);
  if (!signedAttributes || signedAttributes.tagClass !== asn1.Class.CONTEXT_SPECIFIC)
    refuse('no signed attributes');
  const [issuer, serial] = children(sid!);
  const signerCert = children(certificates ?? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, []))
    .map((node) => forge.pki.certificateFromAsn1(node))
    .find((cert) => {
      const ids = issuerAndSerial(exactDer(cert));
      return ids.issuer === der(issuer!) && ids.serial === (serial!.value as string).replace(/^\0+/, '');
    });
  if (!signerCert) refuse('the signer certificate is not in the signature');
  if (field(signerCert!, '2.5.4.5') !== identity.identity) refuse('signed by someone else');
  const digestAttribute = children(signedAttributes!).find(
    (a) => oidOf(children(a)[0]!) === pki.oids.messageDigest,
  );
  const digest = digestAttribute ? (children(children(digestAttribute)[1]!)[0]!.value as string) : '';
  if (util.bytesToHex(digest) !== (await sha256Bytes(content))) refuse('the signature is over other content');
  // The signature covers the signed attributes re-tagged as a SET (RFC 5652 §5.4).
  const asSet = bytesOf(signedAttributes!);
  asSet[0] = 0x31;
  const key = await crypto.subtle.importKey(
    'spki',
    fromBinary(asn1.toDer(pki.publicKeyToAsn1(signerCert!.publicKey)).getBytes()) as BufferSource,
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const ok = await crypto.subtle.verify(
    'RSASSA-PKCS1-v1_5',
    key,
    fromBinary(signature!.value as string) as BufferSource,
    asSet as BufferSource,
  );
  if (!ok) refuse('the signature does not verify');
}

/** What the hall sends a bidder to decrypt its bid (shared/src/hall.ts RecipientPackage). */
interface RecipientPackageLike {
  readonly summary: string;
  readonly documents: string;
  readonly sealedSummary: string;
  readonly manifest: string;
  readonly manifestSignature: string;
}

/**
 * The RecipientInfos of the bidder's own two parts, checked against its own signed manifest (never taken
 * on the server's word): signed by this bidder, for this tender and this encryption certificate; the
 * summary's hash and each part's recipientInfosSha256 as signed. A bid sealed without recipient hashes is
 * decrypted with `bidhall hall join --sealed` instead (KeyError 'unbound-bid').
 */
export async function ownRecipients(
  recipient: RecipientPackageLike,
  tenderId: string,
  signing: Identity,
  encryption: Identity,
): Promise<{ summary: Uint8Array; documents: Uint8Array }> {
  const manifestBytes = fromBase64(recipient.manifest);
  await verifyOwnSignature(manifestBytes, fromBase64(recipient.manifestSignature), signing);
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as {
    tenderId: string;
    encryptionCertificate: string;
    parts: Record<'summary' | 'documents', { sha256: string; recipientInfosSha256?: string }>;
  };
  const notOwn = (why: string) => new KeyError('not-own-bid', why);
  if (manifest.tenderId !== tenderId) throw notOwn('the manifest is for another tender');
  const pemBody = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');
  if (pemBody(manifest.encryptionCertificate) !== util.encode64(encryption.certificateDer))
    throw notOwn('the manifest names another encryption certificate');
  if ((await sha256Bytes(fromBase64(recipient.sealedSummary))) !== manifest.parts.summary.sha256)
    throw notOwn('the sealed summary is not the one signed');
  const parts = { summary: fromBase64(recipient.summary), documents: fromBase64(recipient.documents) };
  for (const part of ['summary', 'documents'] as const) {
    const bound = manifest.parts[part].recipientInfosSha256;
    if (!bound) throw new KeyError('unbound-bid', 'sealed without recipient hashes');
    if ((await sha256Bytes(parts[part])) !== bound)
      throw notOwn(`the ${part} recipients are not those signed`);
  }
  return parts;
}

/** The self-test answer: the SHA-256 of exactly 32 decrypted bytes, or nothing (never the plaintext). */
export async function selfTestAnswer(secret: Uint8Array): Promise<Uint8Array> {
  if (secret.length !== 32) return new Uint8Array(0);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', secret as BufferSource));
}
