/**
 * The opening summary's fields (开标一览表): what each bidder fills in when sealing, and the reading of
 * bids shows. Used by the tender's creation and its changes (a change asks bidders who have bid to seal
 * again). The field codes and English labels are what bidders' files and other systems read: kept in an
 * "advanced" part, explained in words.
 */
import { type SummaryField, type SummaryFieldType, summaryFieldTypes } from '@bidhall/shared';
import { useState } from 'react';
import { useI18n } from '../i18n.tsx';

type FieldRow = SummaryField & { readonly uid: number };
let nextUid = 0;
const row = (field: SummaryField): FieldRow => ({ ...field, uid: nextUid++ });

export function SummaryFieldsEditor({
  fields,
  onChange,
}: {
  /** The fields to start from (later changes come back through `onChange`). */
  fields: readonly SummaryField[];
  onChange: (fields: SummaryField[]) => void;
}) {
  const { t } = useI18n();
  // Rows keep a key of their own, so that editing one does not remount the others.
  const [rows, setRows] = useState<FieldRow[]>(() => fields.map(row));
  const update = (next: FieldRow[]) => {
    setRows(next);
    onChange(next.map(({ uid: _uid, ...field }) => field));
  };
  const setField = (index: number, change: Partial<SummaryField>) =>
    update(rows.map((f, i) => (i === index ? { ...f, ...change } : f)));
  return (
    <fieldset className="wide">
      <legend>{t('fields')}</legend>
      {rows.map((field, index) => (
        <div className="field-row" key={field.uid}>
          <label>
            {t('labelZh')}
            <input
              value={field.label.zh}
              onChange={(e) => setField(index, { label: { ...field.label, zh: e.target.value } })}
              required
              maxLength={60}
            />
          </label>
          {/* What bidders' files and other systems read: kept out of the way, explained in words. */}
          <details className="advanced">
            <summary>{t('advanced')}</summary>
            <label>
              {t('fieldKey')}
              <input
                value={field.key}
                onChange={(e) => setField(index, { key: e.target.value })}
                required
                pattern="[a-z][a-zA-Z0-9_]{0,39}"
              />
              <span className="muted small">{t('fieldKeyHint')}</span>
            </label>
            <label>
              {t('labelEn')}
              <input
                value={field.label.en}
                onChange={(e) => setField(index, { label: { ...field.label, en: e.target.value } })}
                required
                maxLength={60}
              />
            </label>
          </details>
          <label>
            {t('fieldType')}
            <select
              value={field.type}
              onChange={(e) => setField(index, { type: e.target.value as SummaryFieldType })}
            >
              {summaryFieldTypes.map((type) => (
                <option key={type} value={type}>
                  {t(`fieldType_${type}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={field.required}
              onChange={(e) => setField(index, { required: e.target.checked })}
            />
            {t('required')}
          </label>
          <button
            type="button"
            onClick={() => update(rows.filter((_, i) => i !== index))}
            disabled={rows.length === 1}
          >
            {t('remove')}
          </button>
        </div>
      ))}
      <button
        type="button"
        onClick={() =>
          update([
            ...rows,
            row({
              key: `field${rows.length + 1}`,
              label: { zh: '', en: '' },
              type: 'text',
              required: false,
            }),
          ])
        }
      >
        {t('addField')}
      </button>
    </fieldset>
  );
}
