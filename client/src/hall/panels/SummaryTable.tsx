/** The opening summary (开标一览表) as read out: one row per opened bid, the tender's own columns. */
import type { TenderView } from '@bidhall/shared';
import type { HallView } from '../../hall-state.ts';
import { useI18n } from '../../i18n.tsx';
import { FieldValue } from '../../ui/FieldValue.tsx';
import { Section } from '../../ui/Section.tsx';

export function SummaryTableView({ view, tender }: { view: HallView; tender: TenderView | null }) {
  const { t, language } = useI18n();
  if (!view.summaryTable) return null;
  const fields = tender?.summaryFields ?? [];
  return (
    <Section title={t('summaryTable')}>
      <div className="table-wrap">
        <table data-testid="summary-table">
          <thead>
            <tr>
              <th scope="col">{t('bidder')}</th>
              {fields.map((f) => (
                <th scope="col" key={f.key}>
                  {f.label[language]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {view.summaryTable.map((row) => (
              <tr key={row.bidderName}>
                <td>{row.bidderName}</td>
                {fields.map((f) => (
                  <td key={f.key} className={f.type === 'text' ? '' : 'number'}>
                    <FieldValue field={f} value={row.fields[f.key]} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}
