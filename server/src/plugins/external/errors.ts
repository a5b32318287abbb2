import { type AuditAction, errorCatalogue, violationDetail, type WireError } from '@bidhall/shared';
import { fieldOf } from '@bidhall/shared/serve-requests';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, isAppError, isDatabaseDown } from '../../errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Audit action recorded for every failed request to this route (successes are audited by the route). */
    auditAction?: AuditAction;
  }
}

/** How long a client is told to wait when the database is away. */
const databaseRetryAfterSeconds = 5;

/** Maps framework errors onto the catalogue, so every failure has a stable code. */
function toAppError(error: FastifyError): AppError {
  if (isAppError(error)) return error;
  if (error.validation) return new AppError('VALIDATION_FAILED', violationDetail(error.validation[0]));
  if (error.statusCode === 429) return new AppError('RATE_LIMITED');
  if (error.statusCode === 413 || error.code === 'FST_REQ_FILE_TOO_LARGE')
    return new AppError('PAYLOAD_TOO_LARGE', error.message);
  if (
    error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ||
    error.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE'
  ) {
    return new AppError('VALIDATION_FAILED', error.message);
  }
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new AppError('VALIDATION_FAILED', { key: 'requestNotJson' });
  }
  if (
    error.code === 'ECONNRESET' ||
    error.message === 'aborted' ||
    error.code === 'ERR_STREAM_PREMATURE_CLOSE'
  ) {
    return new AppError('UPLOAD_ABORTED');
  }
  if (isDatabaseDown(error)) return new AppError('DATABASE_UNAVAILABLE', undefined, { cause: error });
  return new AppError('INTERNAL');
}

/**
 * One error shape on the wire: `{ code, message }`. 5xx messages are never sent (they are logged); every
 * failed request to an audited route is itself recorded in the audit log with its error code.
 */
export default fp(
  async (app) => {
    app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const appError = toAppError(error);
      if (appError.code === 'INTERNAL') request.log.error({ err: error }, 'request failed');
      else if (appError.code === 'DATABASE_UNAVAILABLE')
        request.log.warn({ err: error }, 'database unavailable');
      else request.log.info({ code: appError.code, reason: appError.message }, 'request refused');
      const action = request.routeOptions.config.auditAction;
      if (action) {
        await app.audit
          .append({
            ...request.auditActor(),
            action,
            tenderId: tenderIdOf(request),
            outcome: appError.code,
            detail: {
              message: appError.code === 'INTERNAL' ? 'internal error' : appError.message.slice(0, 500),
            },
          })
          .catch((auditError: unknown) =>
            request.log.error({ err: auditError }, 'could not audit a failure'),
          );
      }
      const body: WireError = {
        code: appError.code,
        message: appError.code === 'INTERNAL' ? errorCatalogue.INTERNAL.en : appError.message,
        ...(appError.detail ? { detail: appError.detail } : {}),
      };
      if (request.isMultipart()) lingerOnRefusedUpload(request);
      if (appError.code === 'DATABASE_UNAVAILABLE')
        reply.header('retry-after', String(databaseRetryAfterSeconds));
      return reply.status(appError.status).send(body);
    });
  },
  { name: 'errors', dependencies: ['audit'] },
);

/** How long a refused upload may go on streaming into the void before its connection is cut. */
const uploadLingerMs = 5_000;

/**
 * A refused upload may still be streaming. Closing at once would reset the connection before the client
 * reads the answer (browsers and fetch report a network error, not the error code), so what follows is
 * read and discarded for a short while, as nginx's lingering close does, and then the connection is cut.
 */
function lingerOnRefusedUpload(request: FastifyRequest): void {
  const raw = request.raw;
  if (raw.readableEnded) return;
  const socket = raw.socket;
  const cutOff = setTimeout(() => socket.destroy(), uploadLingerMs);
  cutOff.unref();
  raw.once('end', () => clearTimeout(cutOff));
  raw.once('close', () => clearTimeout(cutOff));
  raw.unpipe();
  raw.resume();
}

function tenderIdOf(request: FastifyRequest): string | null {
  const id = fieldOf(request.params, 'tenderId');
  return typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id) ? id : null;
}
