/**
 * The tender's key custodians (密钥保管人) and how many of them open the key together: used by the tender's
 * creation and its change before the deadline (a change makes a new opening certificate, so bids already
 * received must be sealed again). Custodians without an encryption certificate cannot hold a share.
 */
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';

export interface Custodian {
  readonly id: string;
  readonly name: string;
  readonly organization: string | null;
  readonly hasEncryptionCertificate: boolean;
}

export function CustodianPicker({
  session,
  chosen,
  onChosen,
  quorum,
  onQuorum,
  onLoaded,
  onProblem,
}: {
  session: Session;
  chosen: readonly string[];
  onChosen: (ids: string[]) => void;
  quorum: number;
  onQuorum: (quorum: number) => void;
  /** The registered custodians, once loaded (a new tender starts with every one that can hold a share). */
  onLoaded?: (custodians: readonly Custodian[]) => void;
  onProblem: (problem: string) => void;
}) {
  const { t, error: describe } = useI18n();
  const [custodians, setCustodians] = useState<Custodian[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: loaded once per login; the callbacks are the caller's
  useEffect(() => {
    api<Custodian[]>('GET', '/api/actors?role=custodian', { token: session.token }).then(
      (list) => {
        setCustodians(list);
        onLoaded?.(list);
      },
      (error: unknown) => onProblem(describe(error)),
    );
  }, [session.token, describe]);
  return (
    <>
      <fieldset className="wide">
        <legend>{t('custodians')}</legend>
        {custodians.map((c) => (
          <label key={c.id} className="check">
            <input
              type="checkbox"
              checked={chosen.includes(c.id)}
              disabled={!c.hasEncryptionCertificate}
              onChange={(e) =>
                onChosen(e.target.checked ? [...chosen, c.id] : chosen.filter((id) => id !== c.id))
              }
            />
            {c.name}
            {c.organization ? ` · ${c.organization}` : ''}
          </label>
        ))}
      </fieldset>
      <label>
        {t('quorum')}
        <input
          type="number"
          min={1}
          max={16}
          value={quorum}
          onChange={(e) => onQuorum(Number(e.target.value))}
        />
      </label>
    </>
  );
}
