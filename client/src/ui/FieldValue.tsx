import {
  amountInWords,
  detailText,
  type ErrorDetail,
  groupThousands,
  isMoney,
  type SummaryField,
  type SummaryValue,
} from '@bidhall/shared';
import type { Language } from '../i18n.tsx';

/** A summary value as the record shows it: money grouped by thousands, with its 大写金额 below. */
export function FieldValue({ field, value }: { field: SummaryField; value: SummaryValue | undefined }) {
  if (value === undefined || value === '') return <>—</>;
  if (field.type === 'money' && typeof value === 'string' && isMoney(value))
    return (
      <>
        {groupThousands(value)}
        <br />
        <span className="small amount-words">{amountInWords(value)}</span>
      </>
    );
  return <>{String(value)}</>;
}

/** Why a bid ended as it did, in the reader's language (older records carry only the technical reason). */
export function bidReason(
  bid: { readonly reason: string | null; readonly because?: ErrorDetail | null },
  language: Language,
): string | null {
  return bid.because ? detailText(bid.because, language) : bid.reason;
}
