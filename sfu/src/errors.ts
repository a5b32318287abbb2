import type { ErrorCode } from '@bidhall/shared';

/** A refusal with a code from the shared catalogue; the signaling layer sends it as the ack's error. */
export class MediaError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
