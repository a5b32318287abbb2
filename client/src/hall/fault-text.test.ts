import { describe, expect, it } from 'vitest';
import { faultText } from './fault-text.ts';

describe('a platform fault in the hall', () => {
  it('reads as its Chinese heading on Chinese pages and as its technical reason on English ones', () => {
    const message = '平台故障，非投标人责任：the stored bid cannot be read (ENOENT)';
    expect(faultText(message, 'zh')).toBe('平台故障，非投标人责任');
    expect(faultText(message, 'en')).toBe('the stored bid cannot be read (ENOENT)');
    expect(faultText('磁盘故障', 'en')).toBe('磁盘故障');
  });
});
