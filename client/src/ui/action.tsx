/** One user action at a time, and what came of it, as every form on every page shows it. */
import { useState } from 'react';
import { useI18n } from '../i18n.tsx';

/**
 * Runs one user action at a time, keeping its busy state and its outcome for display. `fields` are the
 * form's labels for request fields: a refusal names the field in the reader's words, and `field` says
 * which one it was, for the form to show the message there.
 */
export function useAction(fields?: Readonly<Record<string, string>>) {
  const { error: describe } = useI18n();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [field, setField] = useState<string | null>(null);
  const run = async (action: () => Promise<string | undefined | undefined>) => {
    setBusy(true);
    setMessage(null);
    setField(null);
    try {
      const done = await action();
      if (done) setMessage({ kind: 'ok', text: done });
    } catch (error) {
      setMessage({ kind: 'error', text: describe(error, fields) });
      const path = (error as { detail?: { params?: { field?: unknown } } }).detail?.params?.field;
      setField(typeof path === 'string' ? path : null);
    } finally {
      setBusy(false);
    }
  };
  /** The refusal's message if it was about `path` (or a field inside it), for showing at that field. */
  const problemAt = (path: string) =>
    message?.kind === 'error' && field !== null && (field === path || field.startsWith(`${path}/`))
      ? message.text
      : null;
  return { busy, message, run, setMessage, problemAt };
}

/** A refusal shown at the field it is about. */
export function FieldProblem({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <span className="field-problem" role="alert">
      {text}
    </span>
  );
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
