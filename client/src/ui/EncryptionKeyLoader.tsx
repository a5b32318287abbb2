import { useState } from 'react';
import { type Identity, KeyError } from '../crypto.ts';
import { useI18n } from '../i18n.tsx';
import { readIdentity } from '../session.ts';
import { Outcome, useAction } from './action.tsx';
import { CertificateFields } from './CertificateFields.tsx';
import { keyErrorText } from './key-error.ts';

/**
 * Loads the holder's encryption certificate (PKCS#12) into the page, to unwrap its own content keys. It
 * must be the logged-in holder's own (same identity as the signing certificate), and can be swapped for
 * another file at any time (a renewed certificate, a wrong file picked).
 */
export function EncryptionKeyLoader({
  identity,
  owner,
  onLoad,
}: {
  identity: Identity | null;
  /** The certificate the person logged in with. */
  owner: Identity;
  onLoad: (identity: Identity | null) => void;
}) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [pin, setPin] = useState('');
  const action = useAction();
  if (identity) {
    return (
      <p className="ok" data-testid="encryption-loaded">
        ✓ {t('encryptionLoaded')}: {identity.commonName}{' '}
        <button type="button" className="link" onClick={() => onLoad(null)}>
          {t('changeEncryptionKey')}
        </button>
      </p>
    );
  }
  return (
    <form
      className="step"
      onSubmit={(event) => {
        event.preventDefault();
        if (!file) return;
        void action.run(async () => {
          try {
            const loaded = await readIdentity(file, pin);
            if (!loaded.usages.encryption) throw new Error(t('notEncryption'));
            if (loaded.identity && owner.identity && loaded.identity !== owner.identity)
              throw new Error(
                t('notOwnEncryption', {
                  name: loaded.commonName,
                  owner: owner.organization || owner.commonName,
                }),
              );
            onLoad(loaded);
          } catch (error) {
            throw error instanceof KeyError ? new Error(t(keyErrorText(error))) : error;
          } finally {
            setPin('');
          }
        });
      }}
    >
      <h3>{t('encryptionKey')}</h3>
      <CertificateFields
        label={t('encryptionFile')}
        names={{ file: 'encryption-certificate', pin: 'encryption-pin' }}
        pin={pin}
        onFile={setFile}
        onPin={setPin}
      />
      <button type="submit" disabled={action.busy || !file || !pin}>
        {t('loadEncryptionKey')}
      </button>
      <Outcome message={action.message} />
    </form>
  );
}
