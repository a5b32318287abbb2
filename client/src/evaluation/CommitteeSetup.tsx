/**
 * The agency's (host's) committee set-up for a tender whose bids have been read out: the committee's
 * size, the tenderee's representatives, the specialties to draw, the reserves, the exclusion rules, the
 * venues and their seats from the centre's seat catalogue (the first city chosen is the main venue), the
 * leader rule, the sign-in window and the fault limits. The server checks it whole and names the rule a
 * refusal breaks. The experts are drawn later with the supervisor; nobody here picks them.
 */
import type { CommitteeView, CreateCommitteeRequest, SeatView } from '@bidhall/shared';
import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { Outcome, useAction } from '../ui/action.tsx';
import { DateTimeField, NumberField, TextField } from '../ui/fields.tsx';
import { localInput } from '../ui/format.ts';
import { rowId } from '../ui/ScrollText.tsx';
import { Section } from '../ui/Section.tsx';

export function CommitteeSetup({
  session,
  tenderId,
  onCreated,
}: {
  session: Session;
  tenderId: string;
  onCreated: (view: CommitteeView) => void;
}) {
  const { t } = useI18n();
  const fields = {
    '/size': t('committeeSizeField'),
    '/representatives': t('representativesField'),
    '/quotas': t('quotas'),
    '/venues': t('venuesAndSeats'),
    '/tendereeCreditCode': t('tendereeCreditCode'),
    '/signInOpensAt': t('signInOpens'),
    '/signInClosesAt': t('signInCloses'),
  };
  const action = useAction(fields);
  const [seats, setSeats] = useState<SeatView[]>([]);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [mainCity, setMainCity] = useState('');
  const [size, setSize] = useState(5);
  const [representatives, setRepresentatives] = useState(0);
  const [quotas, setQuotas] = useState([{ uid: rowId(), specialty: '', seats: 5 }]);
  const [reserves, setReserves] = useState(3);
  const [creditCode, setCreditCode] = useState('');
  const [maxServices, setMaxServices] = useState(3);
  const [periodMonths, setPeriodMonths] = useState(12);
  const [leader, setLeader] = useState<'vote' | 'tenderee'>('vote');
  const [opensAt, setOpensAt] = useState(() => localInput(5));
  const [closesAt, setClosesAt] = useState(() => localInput(35));
  const [reserveMinutes, setReserveMinutes] = useState(30);
  const [suspensionDays, setSuspensionDays] = useState(180);
  const [faultBefore, setFaultBefore] = useState(120);
  const [faultDuring, setFaultDuring] = useState(240);
  useEffect(() => {
    api<SeatView[]>('GET', '/api/seats', { token: session.token }).then(setSeats, () => setSeats([]));
  }, [session.token]);
  const cities = [...new Set(seats.map((s) => s.city))].sort();
  const chosenCities = cities.filter((c) => seats.some((s) => s.city === c && chosen.has(s.id)));
  const main = chosenCities.includes(mainCity) ? mainCity : (chosenCities[0] ?? '');
  const toggle = (id: string) =>
    setChosen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const venues = [main, ...chosenCities.filter((c) => c !== main)].map((city) => ({
        city,
        seatIds: seats.filter((s) => s.city === city && chosen.has(s.id)).map((s) => s.id),
      }));
      const body: CreateCommitteeRequest = {
        tenderId,
        size,
        representatives,
        quotas: quotas.map(({ specialty, seats }) => ({ specialty: specialty.trim(), seats })),
        venues,
        reserves,
        tendereeCreditCode: creditCode.trim(),
        maxServicesForTenderee: maxServices,
        servicePeriodMonths: periodMonths,
        leader,
        signInOpensAt: new Date(opensAt).toISOString(),
        signInClosesAt: new Date(closesAt).toISOString(),
        reserveSignInMinutes: reserveMinutes,
        suspensionDaysForIncompetent: suspensionDays,
        faultLimitBeforeReviewMinutes: faultBefore,
        faultLimitDuringReviewMinutes: faultDuring,
      };
      onCreated(await api<CommitteeView>('POST', '/api/committees', { token: session.token, body }));
      return t('committeeCreated');
    });
  };

  return (
    <Section title={t('committeeSetup')} id="committee-setup">
      <form className="grid-form" onSubmit={submit} data-testid="committee-setup">
        <p className="muted small wide">{t('committeeSetupHint')}</p>
        <NumberField
          label={t('committeeSizeField')}
          value={size}
          min={5}
          step={2}
          onChange={setSize}
          problem={action.problemAt('/size')}
        />
        <NumberField
          label={t('representativesField')}
          value={representatives}
          min={0}
          onChange={setRepresentatives}
          problem={action.problemAt('/representatives')}
        />
        <fieldset className="wide">
          <legend>{t('quotas')}</legend>
          {quotas.map((q, i) => (
            <div className="field-row" key={q.uid}>
              <TextField
                label={t('specialtyCode')}
                value={q.specialty}
                onChange={(specialty) => setQuotas(quotas.map((x, j) => (j === i ? { ...x, specialty } : x)))}
              />
              <NumberField
                label={t('quotaSeats')}
                value={q.seats}
                min={1}
                onChange={(n) => setQuotas(quotas.map((x, j) => (j === i ? { ...x, seats: n } : x)))}
              />
              {quotas.length > 1 && (
                <button type="button" onClick={() => setQuotas(quotas.filter((_, j) => j !== i))}>
                  {t('removeQuota')}
                </button>
              )}
            </div>
          ))}
          <button
            type="button"
            onClick={() => setQuotas([...quotas, { uid: rowId(), specialty: '', seats: 1 }])}
          >
            {t('addQuota')}
          </button>
        </fieldset>
        <fieldset className="wide" data-testid="seat-catalogue">
          <legend>{t('venuesAndSeats')}</legend>
          {cities.length === 0 && <p className="muted">{t('noSeats')}</p>}
          {cities.map((city) => (
            <fieldset key={city}>
              <legend>
                {city}
                {city === main
                  ? ` · ${t('mainVenue')}`
                  : chosenCities.includes(city)
                    ? ` · ${t('subVenue')}`
                    : ''}
              </legend>
              {seats
                .filter((s) => s.city === city)
                .map((s) => (
                  <label className="check" key={s.id}>
                    <input type="checkbox" checked={chosen.has(s.id)} onChange={() => toggle(s.id)} />
                    {s.centre} {s.room} {s.seat}
                  </label>
                ))}
            </fieldset>
          ))}
          {chosenCities.length > 1 && (
            <label>
              {t('mainVenueCity')}
              <select value={main} onChange={(e) => setMainCity(e.target.value)}>
                {chosenCities.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
          )}
        </fieldset>
        <NumberField label={t('reservesField')} value={reserves} min={0} onChange={setReserves} />
        <TextField
          label={t('tendereeCreditCode')}
          value={creditCode}
          onChange={setCreditCode}
          problem={action.problemAt('/tendereeCreditCode')}
        />
        <NumberField
          label={t('maxServicesForTenderee')}
          value={maxServices}
          min={0}
          onChange={setMaxServices}
        />
        <NumberField
          label={t('servicePeriodMonths')}
          value={periodMonths}
          min={1}
          onChange={setPeriodMonths}
        />
        <label>
          {t('leaderRule')}
          <select value={leader} onChange={(e) => setLeader(e.target.value as 'vote' | 'tenderee')}>
            <option value="vote">{t('leaderByVote')}</option>
            <option value="tenderee">{t('leaderByTenderee')}</option>
          </select>
        </label>
        <DateTimeField
          label={t('signInOpens')}
          value={opensAt}
          onChange={setOpensAt}
          problem={action.problemAt('/signInOpensAt')}
        />
        <DateTimeField
          label={t('signInCloses')}
          value={closesAt}
          onChange={setClosesAt}
          problem={action.problemAt('/signInClosesAt')}
        />
        <NumberField
          label={t('reserveSignInMinutes')}
          value={reserveMinutes}
          min={5}
          onChange={setReserveMinutes}
        />
        <NumberField
          label={t('suspensionDays')}
          value={suspensionDays}
          min={1}
          onChange={setSuspensionDays}
        />
        <NumberField label={t('faultLimitBefore')} value={faultBefore} min={10} onChange={setFaultBefore} />
        <NumberField label={t('faultLimitDuring')} value={faultDuring} min={10} onChange={setFaultDuring} />
        <div className="wide">
          <button type="submit" className="primary" disabled={action.busy}>
            {t('createCommittee')}
          </button>
          <Outcome message={action.message} />
        </div>
      </form>
    </Section>
  );
}
