/**
 * What people read is in their language: the modules whose refusals reach the pages (the hall, the
 * tender forms, logins, the remedy, audio/video) give each refusal a detail from the shared catalogue,
 * never an English sentence only; and every detail reads in both languages with the same parameters.
 */
import { readFileSync } from 'node:fs';
import { errorDetails } from '@bidhall/shared';
import { describe, expect, it } from 'vitest';

const pageFacing = [
  'opening/opening-service.ts',
  'opening/decryption.ts',
  'opening/remedy.ts',
  'opening/proposals.ts',
  'opening/state-machine.ts',
  'tenders/tender-service.ts',
  'auth/actors.ts',
  'plugins/app/auth.ts',
  'plugins/app/hall.ts',
  'realtime/serve.ts',
  'media/media-service.ts',
  'bids/submission.ts',
  'plugins/app/bids.ts',
  'pki/trust-store.ts',
  'pki/certificate.ts',
  'opening/record-bundle.ts',
  'evaluation/pool.ts',
  'evaluation/committee-service.ts',
  'evaluation/committee-members.ts',
  'evaluation/committee-view.ts',
  'evaluation/review-service.ts',
  'evaluation/report-service.ts',
  'evaluation/clarifications.ts',
  'evaluation/state-machine.ts',
  'plugins/app/evaluation.ts',
];

/**
 * `new AppError('CODE', <a string or template literal>` — an English-only reason. INTERNAL is exempt: its
 * message goes to the logs, the page shows only the code's words.
 */
const englishOnly =
  /new AppError\(\s*(?:[^,()]+\?\s*)?'(?!INTERNAL')[A-Z_]+'(?:\s*:\s*'[A-Z_]+')?\s*,\s*[`'"]/g;

describe('refusals people read', () => {
  it('carry a detail in both languages wherever a page shows them', () => {
    const found: string[] = [];
    for (const file of pageFacing) {
      const source = readFileSync(new URL(file, import.meta.url), 'utf8');
      for (const match of source.matchAll(englishOnly)) {
        const line = source.slice(0, match.index).split('\n').length;
        found.push(`${file}:${line}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('name the same things in Chinese as in English (a {name} in one is a {name} or {nameEn} in the other)', () => {
    const placeholders = (text: string) =>
      new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => (m[1] as string).replace(/En$/, '')));
    for (const [key, { zh, en }] of Object.entries(errorDetails)) {
      // The Chinese may leave out a technical reason the English gives.
      const english = placeholders(en);
      for (const name of placeholders(zh)) expect(english, `${key}: {${name}}`).toContain(name);
      expect(/[\u4e00-\u9fff]/.test(zh), key).toBe(true);
    }
  });
});
