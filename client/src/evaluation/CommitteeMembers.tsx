/**
 * The committee's places as the reader may see them: to hosts and tenderees each place is its sealed
 * commitment with specialty, venue, seat and state; supervisors (and the member itself) see the name and
 * pool number too, and where each member signed in from.
 */
import type { CommitteeView } from '@bidhall/shared';
import { useI18n } from '../i18n.tsx';
import { useFormat } from '../ui/format.ts';

export function CommitteeMembers({ view }: { view: CommitteeView }) {
  const { t } = useI18n();
  const format = useFormat();
  const named = view.members.some((m) => m.name !== undefined && m.id !== view.you);
  return (
    <div className="table-wrap">
      <table data-testid="committee-members">
        <caption className="muted small">{named ? t('membersNamed') : t('membersSealed')}</caption>
        <thead>
          <tr>
            <th scope="col">{named ? t('memberName') : t('commitment')}</th>
            <th scope="col">{t('memberKind')}</th>
            <th scope="col">{t('specialty')}</th>
            <th scope="col">{t('venue')}</th>
            <th scope="col">{t('seat')}</th>
            <th scope="col">{t('memberStateColumn')}</th>
          </tr>
        </thead>
        <tbody>
          {view.members.map((m) => (
            <tr key={m.id} data-state={m.state}>
              <td>
                {named ? (
                  <>
                    <span>{m.name ?? '—'}</span> {m.code && <span className="muted small">{m.code}</span>}
                  </>
                ) : (
                  <span className="mono small" title={m.commitment}>
                    {m.commitment.slice(0, 16)}…
                  </span>
                )}
                {m.leader && <span className="badge ok">{t('leader')}</span>}
              </td>
              <td>{t(`memberKind_${m.kind}`)}</td>
              <td>{m.specialty ?? '—'}</td>
              <td>{view.venues.find((v) => v.city === m.venue)?.centre ?? m.venue ?? '—'}</td>
              <td>{m.seat ?? '—'}</td>
              <td>
                {t(`memberState_${m.state}`)}
                {m.signedInAt && <span className="muted small"> {format.time(m.signedInAt)}</span>}
                {m.signedInAddress && <span className="muted small mono"> {m.signedInAddress}</span>}
                {m.conflict && <span className="small error"> {m.conflict}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
