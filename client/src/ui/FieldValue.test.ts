/** A bid's reason as each language's page shows it. */
import { describe, expect, it } from 'vitest';
import { bidReason } from './FieldValue.tsx';

describe('a bid’s reason', () => {
  it('is told in the reader’s language, the technical detail only in English', () => {
    const invalid = {
      reason: 'documents: the signer is not the bidder',
      because: {
        key: 'bidContentInvalid' as const,
        params: { reason: 'documents: the signer is not the bidder' },
      },
    };
    expect(bidReason(invalid, 'zh')).toBe('投标文件内容未通过校验（签名、加密对象或一览表与文件不符）');
    expect(bidReason(invalid, 'en')).toBe(
      'the bid’s content failed its checks: documents: the signer is not the bidder',
    );
    const revoked = { reason: '投标人未在解密时间内完成解密', because: { key: 'bidNotDecrypted' as const } };
    expect(bidReason(revoked, 'en')).toBe('the bidder did not decrypt its bid within the window');
    // Rows from before reasons had words show their text as it is.
    expect(bidReason({ reason: '旧记录', because: null }, 'en')).toBe('旧记录');
  });
});
