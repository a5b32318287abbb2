import {
  amountInWords,
  groupThousands,
  isMoney,
  type SummaryField,
  type SummaryValue,
} from '@bidhall/shared';

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
