/**
 * Where a certificate carries its holder's identity (统一社会信用代码 or ID number), by issuing CA.
 * Chinese CAs do not agree (CA互认 means accepting them all): some use the subject serialNumber, some the
 * OU, some a pattern inside the CN (`041@Z91310000…@公司名@…`), some an extension under an OID of their
 * own. A deployment lists, per root CA, the places to look in order, each with the format expected; the
 * first that yields a value is the identity. Without a configuration the rule is the subject
 * serialNumber, for every CA (docs/bid-format.md says how a centre adds a CA).
 */
import { type Static, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { readBer, stringOctets } from '../asn1/der.ts';
import type { ParsedCertificate } from './certificate.ts';

const attributeNames: Readonly<Record<string, string>> = {
  serialNumber: '2.5.4.5',
  CN: '2.5.4.3',
  O: '2.5.4.10',
  OU: '2.5.4.11',
};

export const IdentityRule = Type.Union([
  Type.Object(
    {
      /** A subject attribute: serialNumber, CN, O, OU, or a dotted OID. */
      subject: Type.String({ minLength: 1, maxLength: 64 }),
      /** A regular expression the value must match; its first group (if any) is the identity. */
      pattern: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      /** An extension's OID; its value is a string (UTF8String, PrintableString, IA5String…). */
      extension: Type.String({ pattern: '^[0-9]+(\\.[0-9]+)+$' }),
      pattern: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    },
    { additionalProperties: false },
  ),
]);
export type IdentityRule = Static<typeof IdentityRule>;

export const IdentityRuleSets = Type.Array(
  Type.Object(
    {
      /** The root CA: its SHA-256 fingerprint (hex), its subject CN, or "*" for every other CA. */
      ca: Type.String({ minLength: 1, maxLength: 200 }),
      rules: Type.Array(IdentityRule, { minItems: 1, maxItems: 20 }),
    },
    { additionalProperties: false },
  ),
  { maxItems: 200 },
);
export type IdentityRuleSets = Static<typeof IdentityRuleSets>;

const validator = Compile(IdentityRuleSets);

export const defaultIdentityRules: IdentityRuleSets = [{ ca: '*', rules: [{ subject: 'serialNumber' }] }];

/** Parses and checks a rule file's content; throws with what is wrong. */
export function parseIdentityRules(text: string, name = 'identity rules'): IdentityRuleSets {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${name}: not JSON`);
  }
  if (!validator.Check(parsed)) {
    const first = [...validator.Errors(parsed)][0];
    throw new Error(`${name}: ${first?.instancePath || '/'} ${first?.message ?? 'invalid'}`);
  }
  for (const set of parsed)
    for (const rule of set.rules)
      if (rule.pattern) {
        try {
          new RegExp(rule.pattern, 'u');
        } catch (error) {
          throw new Error(`${name}: bad pattern ${rule.pattern}: ${(error as Error).message}`);
        }
      }
  return parsed;
}

const normaliseFingerprint = (text: string) => text.replaceAll(':', '').toLowerCase();

/** The rules for certificates that chain to `root`. */
export function rulesFor(sets: IdentityRuleSets, root: ParsedCertificate): readonly IdentityRule[] {
  const own = sets.find(
    (set) => normaliseFingerprint(set.ca) === root.fingerprint || set.ca === root.commonName,
  );
  return (own ?? sets.find((set) => set.ca === '*'))?.rules ?? defaultIdentityRules[0]!.rules;
}

/** The identity `rules` read from `cert`, or null when none of the places holds one. */
export function identityOf(cert: ParsedCertificate, rules: readonly IdentityRule[]): string | null {
  for (const rule of rules) {
    const values =
      'subject' in rule
        ? cert.subjectAttributes
            .filter((a) => a.type === (attributeNames[rule.subject] ?? rule.subject))
            .map((a) => a.value)
        : extensionText(cert, rule.extension);
    for (const value of values) {
      const identity = matchIdentity(value.trim(), rule.pattern);
      if (identity) return identity;
    }
  }
  return null;
}

function matchIdentity(value: string, pattern: string | undefined): string | null {
  if (!value) return null;
  if (!pattern) return value;
  const match = new RegExp(pattern, 'u').exec(value);
  if (!match) return null;
  return match[1] ?? match[0];
}

function extensionText(cert: ParsedCertificate, oid: string): string[] {
  const value = cert.extensions.get(oid);
  if (!value) return [];
  try {
    const node = readBer(value);
    // A string type; a BMPString is UTF-16 big-endian.
    if (node.tagByte === 0x1e) return [Buffer.from(stringOctets(node)).swap16().toString('utf16le')];
    return [stringOctets(node).toString('utf8')];
  } catch {
    return [value.toString('utf8')];
  }
}
