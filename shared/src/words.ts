/**
 * Words both the page and the server's documents use (the printed record names each bid's outcome as
 * the hall does), in zh-CN and English. The page's other words are in client/src/i18n.tsx.
 */
import type { OpeningStatus } from './enums.ts';

export interface Phrase {
  readonly zh: string;
  readonly en: string;
}

export const openingStatusWords: Readonly<Record<OpeningStatus, Phrase>> = {
  sealed: { zh: '未解密', en: 'Sealed' },
  'summary-decrypted': { zh: '一览表已解密', en: 'Summary open' },
  decrypted: { zh: '解密完成', en: 'Decrypted' },
  revoked: { zh: '撤销（投标人原因未解密）', en: 'Revoked (not decrypted, bidder at fault)' },
  'withdrawn-platform': { zh: '撤回（平台原因未解密）', en: 'Withdrawn (not decrypted, platform at fault)' },
  'remedy-pending': { zh: '等待补救解密', en: 'Awaiting the remedy' },
  invalid: { zh: '内容无效', en: 'Invalid content' },
};
