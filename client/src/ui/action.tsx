/** One user action at a time, and what came of it, as every form on every page shows it. */
import { useState } from 'react';
import { useI18n } from '../i18n.tsx';

/** Runs one user action at a time, keeping its busy state and its outcome for display. */
export function useAction() {
  const { error: describe } = useI18n();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const run = async (action: () => Promise<string | undefined | undefined>) => {
    setBusy(true);
    setMessage(null);
    try {
      const done = await action();
      if (done) setMessage({ kind: 'ok', text: done });
    } catch (error) {
      setMessage({ kind: 'error', text: describe(error) });
    } finally {
      setBusy(false);
    }
  };
  return { busy, message, run, setMessage };
}

export function Outcome({ message }: { message: { kind: 'ok' | 'error'; text: string } | null }) {
  if (!message) return null;
  return (
    <p
      className={message.kind === 'ok' ? 'outcome ok' : 'outcome error'}
      role={message.kind === 'ok' ? 'status' : 'alert'}
    >
      {message.text}
    </p>
  );
}
