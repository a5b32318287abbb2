/**
 * Live audio/video routes: evaluations, media tickets, the supervisor's list of venues,
 * recorded segments handed over by SFUs, and playback (range requests) with the audit timeline.
 */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CreateEvaluationRequest,
  EvaluationView,
  MediaTicketRequest,
  MediaTicketResponse,
  PlaybackQuery,
  PlaybackView,
  RecordedRoom,
  WatchableVenue,
} from '@bidhall/shared';
import { recordingStateVerifier, segmentUploadVerifier } from '@bidhall/shared/tokens';
import send from '@fastify/send';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import { MediaService, type SfuEntry } from '../../media/media-service.ts';
import { checkSegmentDescription, RecordingStore } from '../../media/recordings.ts';
import { configuredOrStoredSecret } from '../../secrets.ts';

declare module 'fastify' {
  interface FastifyInstance {
    media: MediaService;
    recordings: RecordingStore;
    /** The secret media tickets are signed with (an in-process SFU verifies with it). */
    mediaSecret: string;
  }
}

export interface MediaOptions {
  readonly clock: Clock;
  readonly dataDir: string;
  readonly mediaTicketSecret: string | undefined;
  readonly sfus: readonly SfuEntry[];
  /**
   * Whether a host may fill a video room with experts by hand (POST /api/evaluations), without a draw:
   * on the development PKI only (the demo and the media tests). A real installation forms committees by
   * draw (the evaluation module), whose venues are these same rooms.
   */
  readonly handPickedRooms: boolean;
}

const EvaluationParams = Type.Object({ evaluationId: Type.String({ maxLength: 64 }) });
const SegmentParams = Type.Object({ segmentId: Type.String({ format: 'uuid' }) });
const PlaybackAccess = Type.Object({ access: Type.Optional(Type.String({ maxLength: 2048 })) });

export default fp<MediaOptions>(
  async (app, options) => {
    const secret = await configuredOrStoredSecret(
      options.mediaTicketSecret,
      options.dataDir,
      'media-ticket-secret',
    );
    const media = new MediaService({
      db: app.db,
      audit: app.audit,
      clock: options.clock,
      secret,
      sfus: options.sfus,
    });
    const recordings = new RecordingStore(app.db, join(options.dataDir, 'recordings'));
    await recordings.init();
    app.decorate('media', media);
    app.decorate('recordings', recordings);
    app.decorate('mediaSecret', secret);
    const api = app.withTypeProvider<TypeBoxTypeProvider>();
    // Every route below runs after requireGrant, which has set the actor.
    const who = (request: FastifyRequest) => ({ ...request.actor!, ip: request.ip });

    if (options.handPickedRooms)
      api.post(
        '/api/evaluations',
        {
          onRequest: app.requireGrant('evaluation:create'),
          schema: { body: CreateEvaluationRequest, response: { 201: EvaluationView } },
        },
        async (request, reply) => {
          const created = await media.createEvaluation(request.body, who(request));
          return reply.code(201).send(created);
        },
      );
    api.get(
      '/api/evaluations',
      {
        onRequest: app.requireGrant('evaluation:read'),
        schema: { response: { 200: Type.Array(EvaluationView) } },
      },
      (request) => media.list(who(request)),
    );
    api.get(
      '/api/evaluations/:evaluationId',
      {
        onRequest: app.requireGrant('evaluation:read'),
        schema: { params: EvaluationParams, response: { 200: EvaluationView } },
      },
      (request) => media.view(request.params.evaluationId, who(request)),
    );

    api.post(
      '/api/media/tickets',
      {
        onRequest: app.requireGrant('media:ticket'),
        schema: { body: MediaTicketRequest, response: { 200: MediaTicketResponse } },
        config: { rateLimit: { max: 120, timeWindow: '1 minute' } },
      },
      (request) => media.ticket(request.body.venue, who(request)),
    );
    api.get(
      '/api/media/venues',
      {
        onRequest: app.requireGrant('recording:read'),
        schema: { response: { 200: Type.Array(WatchableVenue) } },
      },
      () => media.watchable(),
    );

    // An SFU hands over a finished segment. Authenticated by a token signed with the media secret (SFUs
    // have no login); the body is streamed to disk, never buffered.
    const verifyUpload = segmentUploadVerifier(secret);
    app.register(async (scope) => {
      const uploads = scope.withTypeProvider<TypeBoxTypeProvider>();
      uploads.addContentTypeParser('video/webm', (_request, payload, done) => done(null, payload));
      uploads.put(
        '/api/media/segments/:segmentId',
        { schema: { params: SegmentParams } },
        async (request, reply) => {
          const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
          const upload = verifyUpload(token);
          const { segmentId } = request.params;
          // The body is the request stream itself (the parser above): streamed to disk, never buffered.
          const body: unknown = request.body;
          if (!upload || upload.segment !== segmentId) {
            if (body instanceof Readable) body.resume();
            throw new AppError('UNAUTHENTICATED', 'a valid SFU upload token is required');
          }
          if (!(body instanceof Readable))
            throw new AppError('VALIDATION_FAILED', 'send the segment as video/webm');
          let description: unknown;
          try {
            description = JSON.parse(
              Buffer.from(String(request.headers['x-bidhall-segment'] ?? ''), 'base64url').toString('utf8'),
            );
          } catch {
            description = null;
          }
          const claims = checkSegmentDescription(description);
          if (
            claims.id !== segmentId ||
            claims.sha256 !== upload.sha256 ||
            claims.recordedBy !== upload.recordedBy
          )
            throw new AppError('RECORDING_REJECTED', 'the description does not match the upload token');
          const stored = await recordings.ingest(claims, body, request.ip);
          return reply.code(201).send(stored);
        },
      );
    });

    // An SFU says a venue started or stopped being recorded; the whole report is in the signed token.
    const verifyRecordingState = recordingStateVerifier(secret);
    api.post('/api/media/recording-state', async (request, reply) => {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const report = verifyRecordingState(token);
      if (!report) throw new AppError('UNAUTHENTICATED', 'a valid SFU recording-state token is required');
      await app.hall.reportRecording(report);
      return reply.code(204).send();
    });

    // A <video> element cannot send the login token, so each segment's URL carries its own short-lived
    // playback token (bound to that segment, useless as a login).
    api.get(
      '/api/recordings',
      {
        onRequest: app.requireGrant('recording:read'),
        schema: { querystring: PlaybackQuery, response: { 200: PlaybackView } },
      },
      async (request): Promise<PlaybackView> => {
        const view = await recordings.playback(request.query.room);
        const segments = await Promise.all(
          view.segments.map(async (segment) => {
            const access = await app.jwt.sign(
              { purpose: 'playback', segment: segment.id, sub: request.actor?.sub },
              { expiresIn: '2h' },
            );
            return { ...segment, mediaUrl: `${segment.mediaUrl}?access=${access}` };
          }),
        );
        return { ...view, segments };
      },
    );
    api.get(
      '/api/recordings/rooms',
      {
        onRequest: app.requireGrant('recording:read'),
        schema: { response: { 200: Type.Array(RecordedRoom) } },
      },
      () => recordings.rooms(),
    );
    const requirePlayback = app.requireGrant('recording:read');
    api.get(
      '/api/recordings/:segmentId/media',
      {
        schema: { params: SegmentParams, querystring: PlaybackAccess },
        onRequest: async function (request, reply) {
          const { access } = request.query;
          if (access === undefined) return requirePlayback.call(this, request, reply);
          const claims = await Promise.resolve()
            .then(() => app.jwt.verify<{ purpose?: string; segment?: string }>(access))
            .catch(() => null);
          if (claims?.purpose !== 'playback' || claims.segment !== request.params.segmentId)
            throw new AppError('UNAUTHENTICATED', 'the playback link is invalid or expired');
        },
      },
      async (request, reply) => {
        const { path } = await recordings.segment(request.params.segmentId);
        // @fastify/send answers Range requests (206, Content-Range, 416) from the stored file.
        const sent = await send(request.raw, path.slice(recordings.blobs.root.length), {
          root: recordings.blobs.root,
          acceptRanges: true,
          cacheControl: false,
        });
        if (sent.type !== 'file' && sent.statusCode === 404)
          throw new AppError('RECORDING_NOT_FOUND', 'the segment file is missing');
        const headers =
          sent.type === 'file' ? { ...sent.headers, 'content-type': 'video/webm' } : sent.headers;
        return reply.code(sent.statusCode).headers(headers).send(sent.stream);
      },
    );
  },
  { name: 'media', dependencies: ['database', 'audit', 'auth', 'hall'] },
);
