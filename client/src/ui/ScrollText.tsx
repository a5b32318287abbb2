import type { ReactNode } from 'react';

/** A long exact text (a record, a report, a document) in a scrolling box that the keyboard can scroll. */
export function ScrollText({ text, label, testId }: { text: string; label: string; testId?: string }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box must take focus to be scrolled without a mouse (WCAG 2.1.1)
    <section className="scroll-text" aria-label={label} tabIndex={0} data-testid={testId}>
      <pre className="record-text">{text}</pre>
    </section>
  );
}

/**
 * A list in a scrolling box (a timeline, an audit feed): focusable and named so the keyboard can scroll it
 * (WCAG 2.1.1) and a screen reader says what it is.
 */
export function ScrollList({
  ordered = true,
  label,
  className,
  testId,
  live,
  children,
}: {
  ordered?: boolean;
  label: string;
  className: string;
  testId?: string;
  live?: boolean;
  children: ReactNode;
}) {
  const props = {
    className,
    'aria-label': label,
    'data-testid': testId,
    'aria-live': live ? ('polite' as const) : undefined,
  };
  return ordered ? (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box must take focus to be scrolled without a mouse (WCAG 2.1.1)
    <ol {...props} tabIndex={0}>
      {children}
    </ol>
  ) : (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: as above
    <ul {...props} tabIndex={0}>
      {children}
    </ul>
  );
}

let lastRowId = 0;
/** A key for a row the user adds to a list (React needs one that stays with the row, not its index). */
export const rowId = (): number => ++lastRowId;
