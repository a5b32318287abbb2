/**
 * Money as an opening record writes it: the decimal string of a summary field (never a float) with
 * thousands separators, and the amount in Chinese capitals (大写金额) as the People's Bank of China's
 * rules for filling in vouchers set it out: 壹拾 for a leading ten, one 零 for any run of zeros between
 * digits, 整 after 元 when there are no 角 or 分, none after 分.
 */

const digits = '零壹贰叁肆伍陆柒捌玖';
export const moneyPattern = /^(0|[1-9]\d{0,14})(?:\.(\d{1,2}))?$/;

/** Whether `value` is a money amount as summary fields hold it ("1234567.89", up to 15 digits). */
export function isMoney(value: string): boolean {
  return moneyPattern.test(value);
}

/** "12860000.5" → "12,860,000.50": grouped by thousands, always two decimals. */
export function groupThousands(value: string): string {
  const match = moneyPattern.exec(value);
  if (!match) throw new RangeError(`not a money amount: ${value}`);
  const whole = match[1]!.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${whole}.${(match[2] ?? '').padEnd(2, '0')}`;
}

/** Words for 0 < n < 10000, with no leading 零 (the caller decides whether a 零 joins it to a higher part). */
function section(n: number): string {
  const units = ['', '拾', '佰', '仟'];
  let out = '';
  let zero = false;
  for (let place = 3; place >= 0; place--) {
    const digit = Math.floor(n / 10 ** place) % 10;
    if (digit === 0) {
      zero = out !== '';
      continue;
    }
    if (zero) out += '零';
    out += digits[digit]! + units[place]!;
    zero = false;
  }
  return out;
}

/** Words for a whole number 0 < n < 10^15, split at 亿 and 万. */
function whole(n: bigint): string {
  // The lower part gets a 零 when its own leading digit is a zero (壹万零壹, 壹亿零壹万).
  const split = (unit: bigint, name: string): string => {
    const low = n % unit;
    const lowWords = low === 0n ? '' : (low < unit / 10n ? '零' : '') + whole(low);
    return whole(n / unit) + name + lowWords;
  };
  if (n >= 100_000_000n) return split(100_000_000n, '亿');
  if (n >= 10_000n) return split(10_000n, '万');
  return section(Number(n));
}

/** "12860000" → "壹仟贰佰捌拾陆万元整"; "325.04" → "叁佰贰拾伍元零肆分"; "0.5" → "伍角". */
export function amountInWords(value: string): string {
  const match = moneyPattern.exec(value);
  if (!match) throw new RangeError(`not a money amount: ${value}`);
  const yuan = BigInt(match[1]!);
  const cents = (match[2] ?? '').padEnd(2, '0');
  const jiao = Number(cents[0]);
  const fen = Number(cents[1]);
  if (yuan === 0n && jiao === 0 && fen === 0) return '零元整';
  let out = yuan > 0n ? `${whole(yuan)}元` : '';
  if (jiao === 0 && fen === 0) return `${out}整`;
  if (jiao > 0) out += `${digits[jiao]}角`;
  else if (yuan > 0n) out += '零';
  if (fen > 0) out += `${digits[fen]}分`;
  return out;
}
