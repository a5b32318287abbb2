/** The two fields that open a certificate (PKCS#12) in the page: its file and its PIN, never uploaded. */
import { useI18n } from '../i18n.tsx';

export function CertificateFields({
  label,
  names,
  pin,
  onFile,
  onPin,
}: {
  /** What the file is, in the reader's language (a signing certificate, an encryption certificate…). */
  label: string;
  /** The fields' form names (the tests and password managers find them by these). */
  names: { readonly file: string; readonly pin: string };
  pin: string;
  onFile: (file: File | null) => void;
  onPin: (pin: string) => void;
}) {
  const { t } = useI18n();
  return (
    <>
      <label>
        {label}
        <input
          type="file"
          name={names.file}
          accept=".p12,.pfx,application/x-pkcs12"
          required
          onChange={(e) => onFile(e.target.files?.[0] ?? null)}
        />
      </label>
      <label>
        {t('pin')}
        <input
          type="password"
          name={names.pin}
          autoComplete="off"
          value={pin}
          onChange={(e) => onPin(e.target.value)}
          required
        />
      </label>
    </>
  );
}
