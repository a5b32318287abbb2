import { type ErrorCode, errorCatalogue } from '@bidhall/shared';

/**
 * The one error class of the domain: a stable code from the shared catalogue plus a specific message.
 * The HTTP error handler and socket acks turn it into `{ code, message }`; anything else is a 500 whose
 * message is never sent to the client.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message?: string, options?: ErrorOptions) {
    super(message ?? errorCatalogue[code].en, options);
    this.name = 'AppError';
    this.code = code;
    this.status = errorCatalogue[code].status;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
