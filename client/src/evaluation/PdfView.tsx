/**
 * A PDF rendered in the page with pdf.js (no plug-in): each page onto a canvas, labelled with its number.
 * Loaded on demand (React.lazy) with its worker, so only the expert room's document reader carries it.
 * Long documents render 20 pages at a time.
 */
import { GlobalWorkerOptions, getDocument, type PDFDocumentProxy } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n.tsx';

GlobalWorkerOptions.workerSrc = workerUrl;

const pagesPerStep = 20;

function PdfPage({ pdf, number }: { pdf: PDFDocumentProxy; number: number }) {
  const { t } = useI18n();
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let cancelled = false;
    let task: { cancel(): void } | null = null;
    void pdf.getPage(number).then((page) => {
      const canvas = ref.current;
      if (cancelled || !canvas) return;
      const viewport = page.getViewport({ scale: 1.25 });
      canvas.width = viewport.width;
      canvas.height = viewport.height;
      const render = page.render({ canvas, viewport });
      task = render;
      render.promise.catch(() => undefined);
    });
    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [pdf, number]);
  return <canvas ref={ref} className="pdf-page" role="img" aria-label={t('pdfPage', { page: number })} />;
}

export default function PdfView({ bytes }: { bytes: Uint8Array }) {
  const { t } = useI18n();
  const [pdf, setPdf] = useState<PDFDocumentProxy | null>(null);
  const [problem, setProblem] = useState(false);
  const [shown, setShown] = useState(pagesPerStep);
  useEffect(() => {
    // pdf.js takes ownership of the buffer it is given: a copy keeps the caller's intact.
    const loading = getDocument({ data: bytes.slice() });
    loading.promise.then(setPdf, () => setProblem(true));
    return () => void loading.destroy();
  }, [bytes]);
  if (problem)
    return (
      <p role="alert" className="outcome error">
        {t('pdfUnreadable')}
      </p>
    );
  if (!pdf) return <p className="muted">{t('loading')}</p>;
  const pages = Array.from({ length: Math.min(shown, pdf.numPages) }, (_, i) => i + 1);
  return (
    <div className="pdf-view" data-testid="pdf-view" data-pages={pdf.numPages}>
      {pages.map((n) => (
        <PdfPage key={n} pdf={pdf} number={n} />
      ))}
      {shown < pdf.numPages && (
        <button type="button" onClick={() => setShown((s) => s + pagesPerStep)}>
          {t('pdfMorePages', { left: pdf.numPages - shown })}
        </button>
      )}
    </div>
  );
}
