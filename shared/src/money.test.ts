/** 大写金额 and thousands separators against a table of cases written out by hand from the PBoC rules. */
import { describe, expect, it } from 'vitest';
import { amountInWords, groupThousands, isMoney } from './money.ts';

const cases: readonly (readonly [string, string])[] = [
  ['0', '零元整'],
  ['0.05', '伍分'],
  ['0.5', '伍角'],
  ['0.56', '伍角陆分'],
  ['1', '壹元整'],
  ['10', '壹拾元整'],
  ['15', '壹拾伍元整'],
  ['100', '壹佰元整'],
  ['101', '壹佰零壹元整'],
  ['110', '壹佰壹拾元整'],
  ['1001', '壹仟零壹元整'],
  ['1010', '壹仟零壹拾元整'],
  ['10000', '壹万元整'],
  ['10001', '壹万零壹元整'],
  ['10010', '壹万零壹拾元整'],
  ['100100', '壹拾万零壹佰元整'],
  ['107000.53', '壹拾万柒仟元伍角叁分'],
  ['1409.50', '壹仟肆佰零玖元伍角'],
  ['1680.32', '壹仟陆佰捌拾元叁角贰分'],
  ['6007.14', '陆仟零柒元壹角肆分'],
  ['325.04', '叁佰贰拾伍元零肆分'],
  ['12860000', '壹仟贰佰捌拾陆万元整'],
  ['12860000.00', '壹仟贰佰捌拾陆万元整'],
  ['100000000', '壹亿元整'],
  ['100000001', '壹亿零壹元整'],
  ['100010000', '壹亿零壹万元整'],
  ['1000010000', '壹拾亿零壹万元整'],
  ['1000000000000', '壹万亿元整'],
  ['123456789012345.67', '壹佰贰拾叁万肆仟伍佰陆拾柒亿捌仟玖佰零壹万贰仟叁佰肆拾伍元陆角柒分'],
];

describe('money in the opening record', () => {
  it.each(cases)('writes %s as %s', (value, words) => {
    expect(amountInWords(value)).toBe(words);
  });

  it('groups thousands and always shows two decimals', () => {
    expect(groupThousands('0')).toBe('0.00');
    expect(groupThousands('999')).toBe('999.00');
    expect(groupThousands('1000')).toBe('1,000.00');
    expect(groupThousands('12860000.5')).toBe('12,860,000.50');
    expect(groupThousands('123456789012345.67')).toBe('123,456,789,012,345.67');
  });

  it('refuses what is not a money amount rather than guessing', () => {
    for (const bad of ['', '-1', '1.234', '01', '1e5', '1,000', '1000000000000000', ' 1'])
      expect(isMoney(bad), bad).toBe(false);
    expect(() => amountInWords('1.234')).toThrow(RangeError);
    expect(() => groupThousands('abc')).toThrow(RangeError);
  });
});
