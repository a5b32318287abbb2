import type { Language } from '../i18n.tsx';

/**
 * A platform fault as the hall records it: a Chinese heading ("平台故障，非投标人责任"), then after "："
 * the system's technical reason, in English. A Chinese page shows the heading; an English page the reason
 * (the record and the audit log keep both).
 */
export function faultText(message: string, language: Language): string {
  const at = message.indexOf('：');
  if (at < 0) return message;
  return language === 'zh' ? message.slice(0, at) : message.slice(at + 1).trim();
}
