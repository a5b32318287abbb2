/** Dates, clocks and durations as the reader's language writes them. */
import { useI18n } from '../i18n.tsx';

export function useFormat() {
  const { language } = useI18n();
  const locale = language === 'zh' ? 'zh-CN' : 'en-GB';
  return {
    time: (iso: string | number) =>
      new Date(iso).toLocaleString(locale, { hour12: false, dateStyle: 'short', timeStyle: 'medium' }),
    clock: (ms: number) => new Date(ms).toLocaleTimeString(locale, { hour12: false }),
  };
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return hours ? `${hours}:${two(minutes)}:${two(seconds)}` : `${two(minutes)}:${two(seconds)}`;
}

/** A local date-time for <input type="datetime-local">, `minutesAhead` from now. */
export function localInput(minutesAhead: number): string {
  const at = new Date(Date.now() + minutesAhead * 60_000);
  at.setSeconds(0, 0);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}
