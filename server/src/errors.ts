import { detailText, type ErrorCode, type ErrorDetail, errorCatalogue } from '@bidhall/shared';

/**
 * The one error class of the domain: a stable code from the shared catalogue plus what exactly went
 * wrong — a detail from the shared catalogue of details (both languages, with parameters), or, where none
 * is written yet, an English message for logs and tools only. The HTTP error handler and socket acks turn
 * it into `{ code, message, detail? }`; anything else is a 500 whose message is never sent to the client.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: ErrorDetail | undefined;

  constructor(code: ErrorCode, reason?: string | ErrorDetail, options?: ErrorOptions) {
    super(
      reason === undefined
        ? errorCatalogue[code].en
        : typeof reason === 'string'
          ? reason
          : detailText(reason, 'en'),
      options,
    );
    this.name = 'AppError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.detail = typeof reason === 'object' ? reason : undefined;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * Connection failures of PostgreSQL (refused, reset, terminated, shutting down, too many clients),
 * however deep the driver and the ORM wrapped them: the request did nothing, and may be tried again.
 * A socket error counts only when it came through a query (an upload's own connection resetting is
 * the client's doing, not the database's).
 */
const sqlStates = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
export function isDatabaseDown(error: unknown): boolean {
  let throughQuery = false;
  let socket = false;
  type Link = { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
  for (let e = error as Link | undefined; e; e = e.cause as Link | undefined) {
    if (typeof e.code === 'string' && sqlStates.has(e.code)) return true;
    const message = typeof e.message === 'string' ? e.message : '';
    if (message.includes('Connection terminated')) return true;
    if (e.name === 'DrizzleQueryError' || message.startsWith('Failed query')) throughQuery = true;
    if (typeof e.code === 'string' && socketCodes.has(e.code)) socket = true;
  }
  return throughQuery && socket;
}
