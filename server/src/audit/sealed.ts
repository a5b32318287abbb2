/**
 * Which audit entries stay sealed while a tender's bidders are (before the bids are opened): every entry
 * a bidder's action wrote (submissions, replacements, withdrawals, their refusals, check-ins, self-tests,
 * media tickets…) every bid entry whoever wrote it, and the platform's faults
 * met on a bid (they name it). They stay in the chain — verification works on
 * hashes over every entry — but no reader gets them until the opening: their actors, addresses, times
 * and messages would tell who bid, and their number how many (docs/audit-log.md).
 */
import { type AuditEntry, biddersSealed, type TenderStatus } from '@bidhall/shared';

export function sealedUntilOpening(entry: Pick<AuditEntry, 'role' | 'action'>): boolean {
  return entry.role === 'bidder' || entry.action.startsWith('bid.') || entry.action === 'hall.platform-fault';
}

/** The entries of a tender `status` lets anyone read, and how many were withheld. */
export function readableEntries<T extends { entry: Pick<AuditEntry, 'role' | 'action'> }>(
  status: TenderStatus,
  rows: readonly T[],
): { readable: T[]; sealed: number } {
  if (!biddersSealed(status)) return { readable: [...rows], sealed: 0 };
  const readable = rows.filter((row) => !sealedUntilOpening(row.entry));
  return { readable, sealed: rows.length - readable.length };
}
