/** Validation of opening-summary values against the fields a tender defines (used by sealer, server, browser). */
import { moneyPattern } from './money.ts';
import type { SummaryField } from './tender.ts';

export type SummaryValue = string | number | boolean;

const patterns: Record<string, RegExp> = {
  money: moneyPattern,
  decimal: /^-?(0|[1-9]\d{0,14})(\.\d{1,6})?$/,
};

/** Problems with `values` (empty when valid): unknown fields, missing required ones, wrong formats. */
export function summaryProblems(
  fields: readonly SummaryField[],
  values: Readonly<Record<string, SummaryValue>>,
): string[] {
  const problems: string[] = [];
  const known = new Map(fields.map((f) => [f.key, f]));
  for (const key of Object.keys(values))
    if (!known.has(key)) problems.push(`${key}: not a field of this tender`);
  for (const field of fields) {
    const value = values[field.key];
    if (value === undefined || value === '') {
      if (field.required) problems.push(`${field.key} (${field.label.zh}): required`);
      continue;
    }
    switch (field.type) {
      case 'money':
      case 'decimal':
        if (typeof value !== 'string' || !patterns[field.type]!.test(value)) {
          problems.push(
            `${field.key}: expected a decimal string such as "1234567.89" (no floating point numbers)`,
          );
        }
        break;
      case 'integer':
      case 'days':
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
          problems.push(`${field.key}: expected a non-negative whole number`);
        }
        break;
      case 'percent':
        if (typeof value !== 'number' || value < 0 || value > 100)
          problems.push(`${field.key}: expected 0 to 100`);
        break;
      case 'text':
        if (typeof value !== 'string' || value.length > 500)
          problems.push(`${field.key}: expected text up to 500 characters`);
        break;
    }
  }
  return problems;
}
