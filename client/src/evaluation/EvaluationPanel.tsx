/**
 * The host's evaluation set-up for a tender: a main venue city, sub venue cities, and which expert sits
 * where. The server checks it (every expert registered, every city a venue) and answers with the venues
 * the experts will join from their own page.
 */
import type { CreateEvaluationRequest, EvaluationView } from '@bidhall/shared';
import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { Outcome, useAction } from '../ui/action.tsx';
import { Section } from '../ui/Section.tsx';
import { venueLabel } from '../video/venue.ts';

interface Expert {
  readonly id: string;
  readonly name: string;
  readonly organization: string | null;
}

const cityPattern = /^[a-z][a-z0-9-]{0,31}$/;

export function EvaluationPanel({
  session,
  tenderId,
  tenderTitle,
}: {
  session: Session;
  tenderId: string;
  tenderTitle: string;
}) {
  const { t, error: describe } = useI18n();
  const [experts, setExperts] = useState<Expert[]>([]);
  const [evaluations, setEvaluations] = useState<EvaluationView[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [title, setTitle] = useState(`${tenderTitle} · 评标`);
  const [mainCity, setMainCity] = useState('beijing');
  const [subCities, setSubCities] = useState('shanghai');
  const [seats, setSeats] = useState<Record<string, string>>({});
  const [networks, setNetworks] = useState('');
  const action = useAction();

  useEffect(() => {
    Promise.all([
      api<Expert[]>('GET', '/api/actors?role=expert', { token: session.token }),
      api<EvaluationView[]>('GET', '/api/evaluations', { token: session.token }),
    ]).then(
      ([list, existing]) => {
        setExperts(list);
        setEvaluations(existing.filter((e) => e.tenderId === tenderId));
      },
      (error: unknown) => setProblem(describe(error)),
    );
  }, [session.token, tenderId, describe]);

  const subs = subCities
    .split(/[,，\s]+/)
    .map((c) => c.trim().toLowerCase())
    .filter(Boolean);
  const cities = [mainCity.trim().toLowerCase(), ...subs];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const bad = cities.find((c) => !cityPattern.test(c));
      if (bad !== undefined) throw new Error(`${t('cityFormat')}: ${bad}`);
      const seatNetworks = networks
        .split(/[,，\s]+/)
        .filter(Boolean)
        .map((entry) => {
          const [city = '', cidr = ''] = entry.split('=');
          if (!city || !cidr) throw new Error(`${t('seatNetworksFormat')}: ${entry}`);
          return { city: city.trim().toLowerCase(), cidr: cidr.trim() };
        });
      const request: CreateEvaluationRequest = {
        tenderId,
        title: title.trim(),
        mainCity: cities[0]!,
        subCities: subs,
        experts: Object.entries(seats)
          .filter(([, city]) => city)
          .map(([expertId, city]) => ({ expertId, city })),
        ...(seatNetworks.length ? { seatNetworks } : {}),
      };
      const created = await api<EvaluationView>('POST', '/api/evaluations', {
        token: session.token,
        body: request,
      });
      setEvaluations((list) => [...list, created]);
      return t('evaluationCreated');
    });
  };

  return (
    <Section title={t('evaluationSetup')}>
      {problem && (
        <p role="alert" className="outcome error">
          {problem}
        </p>
      )}
      {evaluations.map((e) => (
        <div key={e.id} className="evaluation" data-testid="evaluation">
          <p className="tender-name">{e.title}</p>
          <ul>
            {e.venues.map((v) => (
              <li key={v.venue}>
                {venueLabel(v.venue, t)} {v.main ? v.city : ''}:{' '}
                {v.experts.map((x) => x.name).join('、') || '—'}
                {v.seatNetworks.length ? ` · ${t('seatNetworks')} ${v.seatNetworks.join(', ')}` : ''}
              </li>
            ))}
          </ul>
        </div>
      ))}
      <form className="grid-form" onSubmit={submit} data-testid="create-evaluation">
        <label className="wide">
          {t('evaluationTitle')}
          <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
        </label>
        <label>
          {t('mainVenueCity')}
          <input value={mainCity} onChange={(e) => setMainCity(e.target.value)} required />
        </label>
        <label>
          {t('subVenueCities')}
          <input value={subCities} onChange={(e) => setSubCities(e.target.value)} />
        </label>
        <label className="wide">
          {t('seatNetworksInput')}
          <input
            value={networks}
            onChange={(e) => setNetworks(e.target.value)}
            placeholder="beijing=10.20.0.0/16, shanghai=10.30.0.0/16"
          />
        </label>
        <fieldset className="wide">
          <legend>{t('expertSeats')}</legend>
          {experts.map((expert) => (
            <label key={expert.id}>
              {expert.name}
              {expert.organization ? ` · ${expert.organization}` : ''}
              <select
                name={`seat-${expert.id}`}
                value={seats[expert.id] ?? ''}
                onChange={(e) => setSeats((all) => ({ ...all, [expert.id]: e.target.value }))}
              >
                <option value="">{t('notSeated')}</option>
                {cities
                  .filter((c) => cityPattern.test(c))
                  .map((city) => (
                    <option key={city} value={city}>
                      {city}
                    </option>
                  ))}
              </select>
            </label>
          ))}
        </fieldset>
        <button type="submit" className="primary" disabled={action.busy}>
          {t('createEvaluation')}
        </button>
        <Outcome message={action.message} />
      </form>
    </Section>
  );
}
