/**
 * The host's review plan (评审办法) for a committee, before its review starts: the qualification and
 * compliance items (pass/fail), the method, the detailed review's criteria with their ranges, the price
 * formula on one of the opening summary's money fields, the abnormal-score threshold, how scores
 * combine, the times, the tie-break and how many candidates. Each label is written in Chinese and, if
 * wanted, English (the Chinese serves both otherwise). The server refuses a plan that does not add up.
 */
import type { ReviewPlan, SummaryField } from '@bidhall/shared';
import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { Outcome, useAction } from '../ui/action.tsx';
import { NumberField, TextField } from '../ui/fields.tsx';
import { rowId } from '../ui/ScrollText.tsx';
import { Section } from '../ui/Section.tsx';

interface Row {
  uid: number;
  zh: string;
  en: string;
}
interface CriterionRow extends Row {
  part: 'technical' | 'commercial';
  max: number;
}

const label = (row: Row) => ({ zh: row.zh.trim(), en: row.en.trim() || row.zh.trim() });

function ItemRows({
  legend,
  rows,
  onChange,
}: {
  legend: string;
  rows: Row[];
  onChange: (rows: Row[]) => void;
}) {
  const { t } = useI18n();
  return (
    <fieldset className="wide">
      <legend>{legend}</legend>
      {rows.map((row, i) => (
        <div className="field-row" key={row.uid}>
          <TextField
            label={t('itemNameZh', { n: i + 1 })}
            value={row.zh}
            onChange={(zh) => onChange(rows.map((r, j) => (j === i ? { ...r, zh } : r)))}
          />
          <TextField
            label={t('itemNameEn', { n: i + 1 })}
            value={row.en}
            onChange={(en) => onChange(rows.map((r, j) => (j === i ? { ...r, en } : r)))}
          />
          {rows.length > 1 && (
            <button type="button" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
              {t('removeRow')}
            </button>
          )}
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, { uid: rowId(), zh: '', en: '' }])}>
        {t('addRow')}
      </button>
    </fieldset>
  );
}

export function PlanEditor({
  session,
  committeeId,
  plan,
  moneyFields,
  onSaved,
}: {
  session: Session;
  committeeId: string;
  plan: ReviewPlan | null;
  moneyFields: readonly SummaryField[];
  onSaved: () => void;
}) {
  const { t, language } = useI18n();
  const action = useAction({ '/criteria': t('criteria'), '/price': t('priceFormula') });
  const rowsOf = (items: ReviewPlan['qualification'] | undefined, fallback: string) =>
    items?.map((i) => ({ uid: rowId(), zh: i.label.zh, en: i.label.en })) ?? [
      { uid: rowId(), zh: fallback, en: '' },
    ];
  const [qualification, setQualification] = useState<Row[]>(() => rowsOf(plan?.qualification, ''));
  const [compliance, setCompliance] = useState<Row[]>(() => rowsOf(plan?.compliance, ''));
  const [method, setMethod] = useState<ReviewPlan['method']>(plan?.method ?? 'comprehensive');
  const [criteria, setCriteria] = useState<CriterionRow[]>(
    () =>
      plan?.criteria.map((c) => ({
        uid: rowId(),
        zh: c.label.zh,
        en: c.label.en,
        part: c.part,
        max: c.max,
      })) ?? [{ uid: rowId(), zh: '', en: '', part: 'technical', max: 30 }],
  );
  const [price, setPrice] = useState<ReviewPlan['price']>(
    plan?.price ?? {
      field: moneyFields[0]?.key ?? 'price',
      maxPoints: 40,
      applyDrawnCoefficient: false,
      pointsPerPercentAbove: 1,
      pointsPerPercentBelow: 0.5,
    },
  );
  const [abnormal, setAbnormal] = useState(plan?.abnormalPercentOfRange ?? 30);
  const [aggregation, setAggregation] = useState<ReviewPlan['aggregation']>(plan?.aggregation ?? 'mean');
  const [signingMinutes, setSigningMinutes] = useState(plan?.signingMinutes ?? 60);
  const [reviewMinutes, setReviewMinutes] = useState(plan?.reviewMinutes ?? 240);
  const [extensionMinutes, setExtensionMinutes] = useState(plan?.extensionMinutes ?? 60);
  const [tieBreak, setTieBreak] = useState<ReviewPlan['tieBreak']>(plan?.tieBreak ?? 'lower-price');
  const [candidates, setCandidates] = useState(plan?.candidates ?? 3);
  const points = criteria.reduce((sum, c) => sum + c.max, 0) + price.maxPoints;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const body: ReviewPlan = {
        qualification: qualification.map((r, i) => ({ key: `q${i + 1}`, label: label(r) })),
        compliance: compliance.map((r, i) => ({ key: `c${i + 1}`, label: label(r) })),
        method,
        criteria:
          method === 'comprehensive'
            ? criteria.map((c, i) => ({ key: `k${i + 1}`, label: label(c), part: c.part, max: c.max }))
            : [],
        price,
        abnormalPercentOfRange: abnormal,
        aggregation,
        signingMinutes,
        reviewMinutes,
        extensionMinutes,
        tieBreak,
        candidates,
      };
      await api('PUT', `/api/committees/${committeeId}/plan`, { token: session.token, body });
      onSaved();
      return t('planSaved');
    });
  };

  return (
    <Section title={t('reviewPlan')} id="plan">
      <form className="grid-form" onSubmit={submit} data-testid="plan-editor">
        <ItemRows legend={t('qualificationItems')} rows={qualification} onChange={setQualification} />
        <ItemRows legend={t('complianceItems')} rows={compliance} onChange={setCompliance} />
        <label>
          {t('reviewMethod')}
          <select value={method} onChange={(e) => setMethod(e.target.value as ReviewPlan['method'])}>
            <option value="comprehensive">{t('method_comprehensive')}</option>
            <option value="lowest-price">{t('method_lowest-price')}</option>
          </select>
        </label>
        {method === 'comprehensive' && (
          <fieldset className="wide">
            <legend>
              {t('criteria')} · {t('pointsInAll', { points })}
            </legend>
            {criteria.map((c, i) => (
              <div className="field-row" key={c.uid}>
                <TextField
                  label={t('itemNameZh', { n: i + 1 })}
                  value={c.zh}
                  onChange={(zh) => setCriteria(criteria.map((x, j) => (j === i ? { ...x, zh } : x)))}
                />
                <TextField
                  label={t('itemNameEn', { n: i + 1 })}
                  value={c.en}
                  onChange={(en) => setCriteria(criteria.map((x, j) => (j === i ? { ...x, en } : x)))}
                />
                <label>
                  {t('criterionPart')}
                  <select
                    value={c.part}
                    onChange={(e) =>
                      setCriteria(
                        criteria.map((x, j) =>
                          j === i ? { ...x, part: e.target.value as CriterionRow['part'] } : x,
                        ),
                      )
                    }
                  >
                    <option value="technical">{t('part_technical')}</option>
                    <option value="commercial">{t('part_commercial')}</option>
                  </select>
                </label>
                <NumberField
                  label={t('criterionMax', { n: i + 1 })}
                  value={c.max}
                  min={0.5}
                  step={0.5}
                  onChange={(max) => setCriteria(criteria.map((x, j) => (j === i ? { ...x, max } : x)))}
                />
                {criteria.length > 1 && (
                  <button type="button" onClick={() => setCriteria(criteria.filter((_, j) => j !== i))}>
                    {t('removeRow')}
                  </button>
                )}
              </div>
            ))}
            <button
              type="button"
              onClick={() =>
                setCriteria([...criteria, { uid: rowId(), zh: '', en: '', part: 'technical', max: 10 }])
              }
            >
              {t('addRow')}
            </button>
          </fieldset>
        )}
        <fieldset className="wide">
          <legend>{t('priceFormula')}</legend>
          <label>
            {t('priceField')}
            <select value={price.field} onChange={(e) => setPrice({ ...price, field: e.target.value })}>
              {moneyFields.map((f) => (
                <option key={f.key} value={f.key}>
                  {f.label[language]}
                </option>
              ))}
            </select>
          </label>
          <NumberField
            label={t('priceMaxPoints')}
            value={price.maxPoints}
            min={0}
            onChange={(maxPoints) => setPrice({ ...price, maxPoints })}
          />
          <NumberField
            label={t('pointsPerPercentAbove')}
            value={price.pointsPerPercentAbove}
            min={0}
            step={0.1}
            onChange={(v) => setPrice({ ...price, pointsPerPercentAbove: v })}
          />
          <NumberField
            label={t('pointsPerPercentBelow')}
            value={price.pointsPerPercentBelow}
            min={0}
            step={0.1}
            onChange={(v) => setPrice({ ...price, pointsPerPercentBelow: v })}
          />
          <label className="check">
            <input
              type="checkbox"
              checked={price.applyDrawnCoefficient}
              onChange={(e) => setPrice({ ...price, applyDrawnCoefficient: e.target.checked })}
            />
            {t('applyDrawnCoefficient')}
          </label>
        </fieldset>
        <NumberField label={t('abnormalPercent')} value={abnormal} min={1} max={100} onChange={setAbnormal} />
        <label>
          {t('aggregation')}
          <select
            value={aggregation}
            onChange={(e) => setAggregation(e.target.value as ReviewPlan['aggregation'])}
          >
            <option value="mean">{t('aggregation_mean')}</option>
            <option value="trimmed-mean">{t('aggregation_trimmed-mean')}</option>
          </select>
        </label>
        <NumberField label={t('reviewMinutes')} value={reviewMinutes} min={30} onChange={setReviewMinutes} />
        <NumberField
          label={t('extensionMinutes')}
          value={extensionMinutes}
          min={10}
          onChange={setExtensionMinutes}
        />
        <NumberField
          label={t('signingMinutes')}
          value={signingMinutes}
          min={10}
          onChange={setSigningMinutes}
        />
        <label>
          {t('tieBreak')}
          <select value={tieBreak} onChange={(e) => setTieBreak(e.target.value as ReviewPlan['tieBreak'])}>
            <option value="lower-price">{t('tieBreak_lower-price')}</option>
            <option value="higher-technical">{t('tieBreak_higher-technical')}</option>
          </select>
        </label>
        <NumberField
          label={t('candidateCount')}
          value={candidates}
          min={1}
          max={3}
          onChange={setCandidates}
        />
        <div className="wide">
          <button type="submit" className="primary" disabled={action.busy}>
            {t('savePlan')}
          </button>
          <Outcome message={action.message} />
        </div>
      </form>
    </Section>
  );
}
