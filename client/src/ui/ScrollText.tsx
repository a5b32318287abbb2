/** A long exact text (a record, a report, a document) in a scrolling box that the keyboard can scroll. */
export function ScrollText({ text, label, testId }: { text: string; label: string; testId?: string }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box must take focus to be scrolled without a mouse (WCAG 2.1.1)
    <section className="scroll-text" aria-label={label} tabIndex={0} data-testid={testId}>
      <pre className="record-text">{text}</pre>
    </section>
  );
}

let lastRowId = 0;
/** A key for a row the user adds to a list (React needs one that stays with the row, not its index). */
export const rowId = (): number => ++lastRowId;
