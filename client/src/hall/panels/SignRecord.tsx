/**
 * Signing the opening record in the page, with the person's own certificate (the key never leaves the
 * page): bidders while the record is out, the host and supervisors also once the opening has ended.
 * A bidder signs after the objections raised so far are answered, or says it signs with them open.
 */
import type { HallClient } from '@bidhall/shared/hall-client';
import { signDetached, toBase64 } from '../../crypto.ts';
import type { HallView } from '../../hall-state.ts';
import { useI18n } from '../../i18n.tsx';
import type { Session } from '../../session.ts';
import { Outcome, useAction } from '../../ui/action.tsx';

export function SignRecord({
  view,
  client,
  session,
}: {
  view: HallView;
  client: HallClient;
  session: Session;
}) {
  const { t } = useI18n();
  const action = useAction();
  if (!view.record) return null;
  const record = view.record;
  const open = view.objections.filter((o) => !o.answer).length;
  const bidder = session.actor.role === 'bidder';
  const sign = (withOpenObjections: boolean) =>
    action.run(async () => {
      const signature = signDetached(session.identity, new TextEncoder().encode(record.text));
      await client.request('hall:sign-record', {
        tenderId: view.tenderId,
        signature: toBase64(signature),
        ...(withOpenObjections ? { withOpenObjections } : {}),
      });
      return t('recordSigned');
    });
  if (record.signedBy.includes(session.actor.name))
    return (
      <p className="ok" data-testid="record-signed">
        ✓ {t('signed')}
      </p>
    );
  return (
    <div className="step">
      {bidder && open > 0 ? (
        <>
          <p className="notice" data-testid="sign-waits">
            {t('signWaitsForAnswers', { count: open })}
          </p>
          <button type="button" onClick={() => void sign(true)} disabled={action.busy}>
            {t('signWithOpenObjections')}
          </button>
        </>
      ) : (
        <button type="button" className="primary" onClick={() => void sign(false)} disabled={action.busy}>
          {t('signRecord')}
        </button>
      )}
      <Outcome message={action.message} />
    </div>
  );
}
