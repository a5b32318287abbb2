/**
 * What every committee page starts with — the evaluation's title, tender, status and connection, and the
 * fault banner — and the fault controls of supervisors and the tender's host: a fault suspends the
 * evaluation with its reason, resuming (with a reason) goes back where it was.
 */
import type { CommitteeView } from '@bidhall/shared';
import { api } from '../api.ts';
import type { Connection } from '../hall/useHall.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { useFormat } from '../ui/format.ts';
import { ReasonAction } from '../ui/ReasonAction.tsx';
import { Section } from '../ui/Section.tsx';

export function CommitteeHeader({
  view,
  connection,
  onBack,
}: {
  view: CommitteeView;
  connection: Connection;
  onBack: () => void;
}) {
  const { t } = useI18n();
  const format = useFormat();
  return (
    <>
      <button type="button" className="link back" onClick={onBack}>
        ← {t('back')}
      </button>
      <header className="hall-header">
        <div>
          <h1 className="tender-title">{view.title}</h1>
          <p className="muted">
            {view.tenderCode} ·{' '}
            {t('committeeSize', { size: view.size, representatives: view.representatives })} ·{' '}
            {view.venues.map((v) => `${v.main ? t('mainVenue') : t('subVenue')} ${v.centre}`).join('，')}
          </p>
        </div>
        <div className="hall-clocks">
          <span className="badge" data-testid="committee-status">
            {t(`committeeStatus_${view.status}`)}
          </span>
          <span className={`connection ${connection}`} role="status">
            {connection === 'reconnecting'
              ? t('reconnecting')
              : connection === 'online'
                ? t('connected')
                : t('loading')}
          </span>
        </div>
      </header>
      {view.fault && (
        <p className="notice" role="alert" data-testid="fault">
          {t('committeeSuspended', { reason: view.fault.reason, since: format.time(view.fault.since) })}{' '}
          {t('reformedAt', { at: format.time(view.fault.limitAt) })}
        </p>
      )}
    </>
  );
}

export function FaultControls({
  session,
  view,
  reload,
}: {
  session: Session;
  view: CommitteeView;
  reload: () => Promise<void>;
}) {
  const { t } = useI18n();
  const ended = ['re-formed', 'closed', 'published'].includes(view.status);
  if (ended) return null;
  const post = (path: 'fault' | 'resume', reason: string, done: string) =>
    api('POST', `/api/committees/${view.id}/${path}`, { token: session.token, body: { reason } }).then(
      async () => {
        await reload();
        return done;
      },
    );
  return (
    <Section title={t('faults')} id="faults">
      {view.status === 'suspended' ? (
        <ReasonAction
          label={t('resumeEvaluation')}
          onSubmit={(reason) => post('resume', reason, t('resumed'))}
        />
      ) : (
        <ReasonAction
          label={t('recordFault')}
          danger
          onSubmit={(reason) => post('fault', reason, t('faultRecorded'))}
        />
      )}
    </Section>
  );
}
