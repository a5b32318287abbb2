import type { Role } from '@bidhall/shared';
import { type FormEvent, useId, useState } from 'react';
import { KeyError } from '../crypto.ts';
import { useI18n } from '../i18n.tsx';
import { logIn, readIdentity, type Session } from '../session.ts';
import { Outcome, useAction } from '../ui/action.tsx';
import { CertificateFields } from '../ui/CertificateFields.tsx';
import { keyErrorText } from '../ui/key-error.ts';

const loginRoles: readonly Role[] = ['bidder', 'host', 'supervisor', 'expert', 'custodian', 'tenderee'];

export function Login({ onLogin }: { onLogin: (session: Session) => void }) {
  const { t } = useI18n();
  const id = useId();
  const [role, setRole] = useState<Role>('bidder');
  const [file, setFile] = useState<File | null>(null);
  const [pin, setPin] = useState('');
  const action = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    void action.run(async () => {
      try {
        const identity = await readIdentity(file, pin);
        onLogin(await logIn(identity, role));
      } catch (error) {
        if (error instanceof KeyError) throw new Error(t(keyErrorText(error)));
        throw error;
      } finally {
        setPin('');
      }
    });
  };

  return (
    <main className="login">
      <form className="card" onSubmit={submit} aria-describedby={`${id}-hint`}>
        <h1>{t('loginTitle')}</h1>
        <p id={`${id}-hint`} className="muted">
          {t('loginHint')}
        </p>
        <label>
          {t('role')}
          <select value={role} onChange={(e) => setRole(e.target.value as Role)} name="role">
            {loginRoles.map((r) => (
              <option key={r} value={r}>
                {t(`roles_${r}`)}
              </option>
            ))}
          </select>
        </label>
        <CertificateFields
          label={t('certificateFile')}
          names={{ file: 'certificate', pin: 'pin' }}
          pin={pin}
          onFile={setFile}
          onPin={setPin}
        />
        <button type="submit" className="primary" disabled={action.busy || !file || !pin}>
          {action.busy ? t('loggingIn') : t('logIn')}
        </button>
        <Outcome message={action.message} />
        <p className="muted small">{t('demoHint')}</p>
      </form>
    </main>
  );
}
