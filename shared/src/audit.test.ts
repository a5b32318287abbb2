import { randomBytes, randomInt } from 'node:crypto';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { type AuditEntry, canonicalAuditEntry } from './audit.ts';

const randomText = () =>
  [randomBytes(randomInt(0, 12)).toString('base64'), '引号"与\\反斜杠', '\u2028\n\t', '😀', '']
    .slice(0, randomInt(1, 5))
    .join(randomInt(2) ? ' ' : '');
const maybe = <T>(value: T) => (randomInt(3) === 0 ? null : value);

describe('canonical audit encoding', () => {
  it('equals RFC 8785 canonicalisation of the whole entry, for random entries', () => {
    for (let i = 0; i < 2000; i++) {
      const entry: AuditEntry = {
        seq: randomInt(1, 2 ** 47),
        at: new Date(randomInt(0, 2 ** 42)).toISOString(),
        actorId: maybe(randomText()),
        role: maybe(randomText()),
        ip: maybe(randomText()),
        action: randomText(),
        tenderId: maybe(randomText()),
        target: maybe(randomText()),
        outcome: randomText(),
        detail: {
          [randomText()]: randomText(),
          z: randomInt(-1000, 1000),
          a: [true, null, randomText()],
          é: false,
        },
      };
      expect(canonicalAuditEntry(entry)).toBe(canonicalize(entry));
    }
  });

  it('refuses entries that JSON cannot represent exactly', () => {
    const entry = {
      seq: 2 ** 60,
      at: '',
      actorId: null,
      role: null,
      ip: null,
      action: 'x',
      tenderId: null,
      target: null,
      outcome: 'ok',
      detail: {},
    };
    expect(() => canonicalAuditEntry(entry)).toThrow(TypeError);
  });
});
