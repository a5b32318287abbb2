/** The draw (抽取): its inputs, its result, and a button that recomputes it in this page. */
import { drawIndexOf, drawInput, type TenderView } from '@bidhall/shared';
import { useState } from 'react';
import { sha256Hex } from '../../api.ts';
import type { HallView } from '../../hall-state.ts';
import { useI18n } from '../../i18n.tsx';
import { Section } from '../../ui/Section.tsx';

/** The draw recomputed in this page from its published inputs (the formula: shared/src/draw.ts). */
export async function recomputeDraw(serverSeed: string, bidderSeeds: readonly string[], options: number) {
  return drawIndexOf(await sha256Hex(drawInput(serverSeed, bidderSeeds)), options);
}

export function DrawPanel({ view, tender }: { view: HallView; tender: TenderView | null }) {
  const { t, language } = useI18n();
  const [check, setCheck] = useState<boolean | null>(null);
  const draw = view.draw;
  if (!draw) return null;
  const recompute = async () => {
    if (!draw.serverSeed || !draw.result) return;
    const seeds = draw.seeds.filter((s) => s.seed).map((s) => s.seed!);
    const index = await recomputeDraw(draw.serverSeed, seeds, draw.options.length);
    setCheck(index === draw.result.index);
  };
  return (
    <Section title={`${t('draw')}${tender?.draw ? ` · ${tender.draw.label[language]}` : ''}`}>
      {draw.result ? (
        <p className="draw-result">
          {t('drawResult')}: <strong data-testid="draw-result">{draw.result.value}</strong>
        </p>
      ) : (
        <p className="muted">{t('drawPending')}</p>
      )}
      <details>
        <summary>{t('drawInputs')}</summary>
        <dl className="draw-inputs">
          <dt>{t('drawOptions')}</dt>
          <dd>{draw.options.join(' · ')}</dd>
          <dt>{t('serverSeedCommitment')}</dt>
          <dd className="mono">{draw.serverSeedCommitment}</dd>
          <dt>{t('serverSeed')}</dt>
          <dd className="mono">{draw.serverSeed ?? '—'}</dd>
          {draw.seeds.map((s) => (
            <div key={s.bidderName}>
              <dt>{s.bidderName}</dt>
              <dd className="mono">
                {t('commitment')} {s.commitment}
                <br />
                {t('seed')} {s.seed ?? t('notRevealed')}
              </dd>
            </div>
          ))}
        </dl>
        <p className="muted">{t('drawFormula')}</p>
      </details>
      {draw.result && draw.serverSeed && (
        <p>
          <button type="button" onClick={() => void recompute()}>
            {t('recompute')}
          </button>{' '}
          {check !== null && (
            <span role="status" className={check ? 'ok' : 'error'} data-testid="draw-check">
              {check ? t('recomputedSame') : t('recomputedDiffers')}
            </span>
          )}
        </p>
      )}
    </Section>
  );
}
