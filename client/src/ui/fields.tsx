/** Labelled inputs as every form here lays them out: the label, the input, and a refusal about it. */
import type { InputHTMLAttributes } from 'react';
import { FieldProblem } from './action.tsx';

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type'>;

interface FieldProps<T> extends InputProps {
  readonly label: string;
  readonly value: T;
  readonly onChange: (value: T) => void;
  /** The server's refusal about this field, if the last one was (useAction().problemAt). */
  readonly problem?: string | null;
}

export function TextField({ label, value, onChange, problem, ...input }: FieldProps<string>) {
  return (
    <label>
      {label}
      <input {...input} value={value} onChange={(e) => onChange(e.target.value)} />
      <FieldProblem text={problem ?? null} />
    </label>
  );
}

export function NumberField({ label, value, onChange, problem, ...input }: FieldProps<number>) {
  return (
    <label>
      {label}
      <input {...input} type="number" value={value} onChange={(e) => onChange(Number(e.target.value))} />
      <FieldProblem text={problem ?? null} />
    </label>
  );
}

/** A local date and time to the minute (<input type="datetime-local">). */
export function DateTimeField({ label, value, onChange, problem, ...input }: FieldProps<string>) {
  return (
    <label>
      {label}
      <input {...input} type="datetime-local" value={value} onChange={(e) => onChange(e.target.value)} />
      <FieldProblem text={problem ?? null} />
    </label>
  );
}
