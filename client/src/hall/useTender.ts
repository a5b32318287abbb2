import type { TenderView } from '@bidhall/shared';
import { useEffect, useState } from 'react';
import { api } from '../api.ts';

/** The tender's definition (field labels, draw label, custodians); fetched once per page. */
export function useTender(token: string, tenderId: string): TenderView | null {
  const [tender, setTender] = useState<TenderView | null>(null);
  useEffect(() => {
    // Not known yet (a page that learns the tender from another view first).
    if (!tenderId) return;
    api<TenderView>('GET', `/api/tenders/${tenderId}`, { token }).then(setTender, () => setTender(null));
  }, [token, tenderId]);
  return tender;
}
