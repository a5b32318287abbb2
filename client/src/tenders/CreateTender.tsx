/** The host's form for a new tender: every field of CreateTenderRequest, with the server's checks shown. */
import {
  amountInWords,
  type CreateTenderRequest,
  isMoney,
  moneyPattern,
  onlineVenue,
  type RemedyPolicy,
  remedyPolicies,
  type SummaryField,
  type TenderView,
} from '@bidhall/shared';
import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { FieldProblem, Outcome, useAction } from '../ui/action.tsx';
import { DateTimeField, NumberField, TextField } from '../ui/fields.tsx';
import { localInput } from '../ui/format.ts';
import { Section } from '../ui/Section.tsx';
import { CustodianPicker } from './CustodianPicker.tsx';
import { SummaryFieldsEditor } from './SummaryFieldsEditor.tsx';

const defaultFields: SummaryField[] = [
  { key: 'price', label: { zh: '投标报价（元）', en: 'Price (CNY)' }, type: 'money', required: true },
  { key: 'duration', label: { zh: '工期（日历天）', en: 'Duration (days)' }, type: 'days', required: true },
];

/** 招标投标法 Art 24: the shortest bidding period for tenders the law requires. */
const statutoryBiddingDays = 20;

export function CreateTender({
  session,
  onCreated,
}: {
  session: Session;
  onCreated: (tender: TenderView) => void;
}) {
  const { t } = useI18n();
  const [problem, setProblem] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [title, setTitle] = useState('');
  const [tenderee, setTenderee] = useState('');
  const [lot, setLot] = useState('');
  const [ceilingPrice, setCeilingPrice] = useState('');
  const [venue, setVenue] = useState('');
  const [deadline, setDeadline] = useState(() => localInput(60));
  const [windowMinutes, setWindowMinutes] = useState(30);
  const [checkInMinutes, setCheckInMinutes] = useState(30);
  const [minBidders, setMinBidders] = useState(3);
  const [chosen, setChosen] = useState<string[]>([]);
  const [quorum, setQuorum] = useState(2);
  const [remedyPolicy, setRemedyPolicy] = useState<RemedyPolicy>('custodian-quorum');
  const [fields, setFields] = useState<SummaryField[]>(defaultFields);
  const [drawOptions, setDrawOptions] = useState('');
  const [drawLabel, setDrawLabel] = useState({ zh: '下浮系数', en: 'Discount coefficient' });
  // The request's fields as this form labels them, so a refusal names them in the reader's words.
  const labels: Record<string, string> = {
    '/code': t('code'),
    '/title': t('title'),
    '/tenderee': t('tenderee'),
    '/lot': t('lot'),
    '/ceilingPrice': t('ceilingPrice'),
    '/venue': t('openingVenue'),
    '/deadline': t('deadline'),
    '/decryptionWindowMinutes': t('windowMinutes'),
    '/checkInMinutes': t('checkInMinutes'),
    '/minBidders': t('minBidders'),
    '/custodianIds': t('custodians'),
    '/quorum': t('quorum'),
    '/remedyPolicy': t('remedyPolicy'),
    '/summaryFields': t('fields'),
    '/draw': t('draw'),
    '/draw/label': t('draw'),
    '/draw/options': t('drawOptions'),
  };
  const action = useAction(labels);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const options = drawOptions
      .split(/[,，\s]+/)
      .map((o) => o.trim())
      .filter(Boolean);
    const request: CreateTenderRequest = {
      code: code.trim(),
      title: title.trim(),
      ...(tenderee.trim() ? { tenderee: tenderee.trim() } : {}),
      ...(lot.trim() ? { lot: lot.trim() } : {}),
      ...(ceilingPrice.trim() ? { ceilingPrice: ceilingPrice.trim() } : {}),
      ...(venue.trim() ? { venue: venue.trim() } : {}),
      deadline: new Date(deadline).toISOString(),
      decryptionWindowMinutes: windowMinutes,
      checkInMinutes,
      summaryFields: fields,
      minBidders,
      custodianIds: chosen,
      quorum,
      remedyPolicy,
      openingKeyAlgorithm: 'rsa-2048',
      ...(options.length ? { draw: { label: drawLabel, options } } : {}),
    };
    // 招标投标法 Art 24: at least 20 days from the tender documents to the deadline for tenders the law
    // requires; a shorter period is possible for others, so the host confirms it rather than being stopped.
    const days = (new Date(deadline).getTime() - Date.now()) / 86_400_000;
    if (
      days < statutoryBiddingDays &&
      !window.confirm(t('shortBiddingPeriod', { days: Math.max(0, days).toFixed(1) }))
    )
      return;
    void action.run(async () => {
      const tender = await api<TenderView>('POST', '/api/tenders', { token: session.token, body: request });
      onCreated(tender);
      return t('created');
    });
  };

  return (
    <Section title={t('createTender')}>
      {problem && (
        <p role="alert" className="outcome error">
          {problem}
        </p>
      )}
      {/* A refusal is about what was sent: once the host edits the form, it no longer stands. */}
      <form
        className="grid-form"
        onSubmit={submit}
        onInput={() => action.message?.kind === 'error' && action.setMessage(null)}
        data-testid="create-tender"
      >
        <label>
          {t('code')}
          <input
            value={code}
            onChange={(e) => setCode(e.target.value)}
            required
            pattern="[A-Za-z0-9][A-Za-z0-9_.\-]{2,63}"
            name="code"
          />
          <FieldProblem text={action.problemAt('/code')} />
        </label>
        <TextField
          label={t('title')}
          value={title}
          onChange={setTitle}
          required
          maxLength={200}
          name="title"
          problem={action.problemAt('/title')}
        />
        <TextField
          label={t('tenderee')}
          value={tenderee}
          onChange={setTenderee}
          maxLength={200}
          name="tenderee"
        />
        <TextField label={t('lot')} value={lot} onChange={setLot} maxLength={100} name="lot" />
        <label>
          {t('ceilingPrice')}
          <input
            value={ceilingPrice}
            onChange={(e) => setCeilingPrice(e.target.value)}
            inputMode="decimal"
            pattern={moneyPattern.source}
            name="ceilingPrice"
            aria-describedby="ceiling-words"
          />
          <FieldProblem text={action.problemAt('/ceilingPrice')} />
          <span id="ceiling-words" className="muted small" data-testid="ceiling-words">
            {isMoney(ceilingPrice.trim()) ? amountInWords(ceilingPrice.trim()) : t('ceilingPriceHint')}
          </span>
        </label>
        <TextField
          label={t('openingVenue')}
          value={venue}
          onChange={setVenue}
          maxLength={200}
          placeholder={onlineVenue}
          name="venue"
        />
        <DateTimeField
          label={t('deadline')}
          value={deadline}
          onChange={setDeadline}
          required
          name="deadline"
          problem={action.problemAt('/deadline')}
        />
        <NumberField
          label={t('checkInMinutes')}
          value={checkInMinutes}
          onChange={setCheckInMinutes}
          min={0}
          max={1440}
        />
        <NumberField
          label={t('windowMinutes')}
          value={windowMinutes}
          onChange={setWindowMinutes}
          min={5}
          max={1440}
        />
        {/* 实施条例 Art 44: at least three (the server refuses fewer). */}
        <NumberField label={t('minBidders')} value={minBidders} onChange={setMinBidders} min={3} max={1000} />
        <CustodianPicker
          session={session}
          chosen={chosen}
          onChosen={setChosen}
          quorum={quorum}
          onQuorum={setQuorum}
          onLoaded={(list) => setChosen(list.filter((c) => c.hasEncryptionCertificate).map((c) => c.id))}
          onProblem={setProblem}
        />
        <label>
          {t('remedyPolicy')}
          <select value={remedyPolicy} onChange={(e) => setRemedyPolicy(e.target.value as RemedyPolicy)}>
            {remedyPolicies.map((p) => (
              <option key={p} value={p}>
                {t(`remedy_${p}`)}
              </option>
            ))}
          </select>
        </label>
        <SummaryFieldsEditor fields={fields} onChange={setFields} />
        <fieldset className="wide">
          <legend>{t('draw')}</legend>
          <label>
            {t('labelZh')}
            <input
              value={drawLabel.zh}
              onChange={(e) => setDrawLabel({ ...drawLabel, zh: e.target.value })}
              maxLength={60}
            />
          </label>
          <label>
            {t('labelEn')}
            <input
              value={drawLabel.en}
              onChange={(e) => setDrawLabel({ ...drawLabel, en: e.target.value })}
              maxLength={60}
            />
          </label>
          <label>
            {t('drawOptionsHint')}
            <input
              value={drawOptions}
              onChange={(e) => setDrawOptions(e.target.value)}
              placeholder="0.95, 0.96, 0.97"
              name="drawOptions"
              aria-invalid={action.problemAt('/draw') !== null}
            />
            <FieldProblem text={action.problemAt('/draw')} />
          </label>
        </fieldset>
        <div className="wide">
          <button type="submit" className="primary" disabled={action.busy}>
            {t('create')}
          </button>
          <Outcome message={action.message} />
        </div>
      </form>
    </Section>
  );
}
