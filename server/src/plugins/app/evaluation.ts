/**
 * The evaluation module's HTTP side: the expert pool and the seat catalogue (administrators import
 * experts from CSV and add seats; supervisors read both), and the committee — the host's specification,
 * the tenderee's representatives, the supervisor's seed for the draw, sign-in at the seat, the signed
 * declarations, the leader's election, and the bid documents and opening record for the members at
 * their seats (docs/evaluation.md). Every committee step is audited by the step kernel; a refused
 * request by the error handler, under the route's action.
 */
import {
  AskRequest,
  AssessmentQuery,
  AssessmentRequest,
  type BidderClarification,
  type CandidatesView,
  ClarificationAnswerRequest,
  type CommitteeBidDocuments,
  type CommitteeClarification,
  type CommitteeDrawView,
  type CommitteeEvent,
  type CommitteeView,
  ConfirmSheetRequest,
  CreateCommitteeRequest,
  DecisionRequest,
  DeclarationRequest,
  DissentRequest,
  DrawRequest,
  type EvaluationClientEvents,
  type EvaluationRequests,
  type EvaluationServerEvents,
  type ExpertImportResult,
  evaluationRequests,
  FaultRequest,
  hallLimits,
  NameLeaderRequest,
  type PoolExpert,
  PublishRequest,
  RatingForms,
  RatingRequest,
  type RatingSummary,
  ReopenRequest,
  ReplaceMemberRequest,
  ReportSignatureRequest,
  type ReportView,
  RepresentativesRequest,
  ReturnSheetRequest,
  ReviewPlan,
  type ReviewView,
  SeatRequest,
  type SeatView,
  SheetDraftRequest,
  SheetRequest,
  type SocketData,
  TextRequest,
  TimeVoteRequest,
  type TokenClaims,
  VoteRequest,
} from '@bidhall/shared';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Namespace, Socket } from 'socket.io';
import { Type } from 'typebox';
import { clientAddress, type TrustProxy } from '../../client-address.ts';
import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import { AssessmentService, assessmentsCsv } from '../../evaluation/assessment.ts';
import { ClarificationService } from '../../evaluation/clarifications.ts';
import { type CommitteeContext, committeeAggregate } from '../../evaluation/committee-aggregate.ts';
import { findCommittee } from '../../evaluation/committee-members.ts';
import { type CommitteeActor, CommitteeService } from '../../evaluation/committee-service.ts';
import { committeeDocuments, decryptedPackages, packageFile } from '../../evaluation/documents.ts';
import { ExpertPool } from '../../evaluation/pool.ts';
import { PublicityService } from '../../evaluation/publicity.ts';
import { RatingService, ratingsCsv } from '../../evaluation/ratings.ts';
import { buildReportBundle } from '../../evaluation/report-bundle.ts';
import { ReportService } from '../../evaluation/report-service.ts';
import { ReviewService } from '../../evaluation/review-service.ts';
import { type Handlers, serveGranted } from '../../realtime/serve.ts';
import { socketSessions } from '../../realtime/sessions.ts';
import { timed } from '../../steps/scheduler.ts';
import { eventsAfter } from '../../steps/step.ts';
import { findTender } from '../../tenders/tender-service.ts';
import { TenderParams } from './tenders.ts';

type EvaluationNamespace = Namespace<EvaluationClientEvents, EvaluationServerEvents, never, SocketData>;
type EvaluationSocket = Socket<EvaluationClientEvents, EvaluationServerEvents, never, SocketData>;

const committeeRoom = (committeeId: string) => `committee:${committeeId}`;
/** A bidder's own room: what reaches it there reaches nobody else. */
const bidderRoom = (actorId: string) => `bidder:${actorId}`;

declare module 'fastify' {
  interface FastifyInstance {
    pool: ExpertPool;
    committees: CommitteeService;
  }
}

const CommitteeParams = Type.Object({ committeeId: Type.String({ maxLength: 64 }) });
const ClarificationParams = Type.Object({
  committeeId: Type.String({ maxLength: 64 }),
  clarificationId: Type.String({ maxLength: 64 }),
});
const ClarificationFileParams = Type.Object({
  committeeId: Type.String({ maxLength: 64 }),
  clarificationId: Type.String({ maxLength: 64 }),
  index: Type.Integer({ minimum: 0, maximum: 100 }),
});
const RatingQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date' })),
    to: Type.Optional(Type.String({ format: 'date' })),
    expert: Type.Optional(Type.String({ maxLength: 40 })),
    format: Type.Optional(Type.Enum(['json', 'csv'])),
  },
  { additionalProperties: false },
);
const ObjectionParams = Type.Object({
  committeeId: Type.String({ maxLength: 64 }),
  objectionId: Type.String({ maxLength: 64 }),
});
const AnswerParams = Type.Object({ clarificationId: Type.String({ maxLength: 64 }) });
const DocumentParams = Type.Object({
  committeeId: Type.String({ maxLength: 64 }),
  bidId: Type.String({ maxLength: 64 }),
  index: Type.Integer({ minimum: 0, maximum: 100_000 }),
});

/** Who is asking, as committee steps take it: the login's claims and the address the request came from. */
function actorOf(request: FastifyRequest): CommitteeActor {
  const claims = request.actor!;
  return {
    actorId: claims.sub,
    role: claims.role,
    ip: request.ip,
    name: claims.name,
    identity: claims.identity,
    org: claims.org ?? null,
  };
}

export interface EvaluationOptions {
  readonly clock: Clock;
  readonly trustProxy?: TrustProxy;
  readonly sessionRecheckSeconds?: number;
}

export default fp<EvaluationOptions>(
  async (app, options) => {
    // The evaluation's live channel: its own namespace, with the same login sessions as the hall's.
    const live = app.io.of('/evaluation') as unknown as EvaluationNamespace;
    const pool = new ExpertPool(app.db);
    app.decorate('pool', pool);
    // Every committee step's context: its events go to the committee's room on /evaluation (all processes).
    const context: CommitteeContext = {
      db: app.db,
      clock: options.clock,
      publish: (events: readonly CommitteeEvent[]) => {
        for (const event of events) live.to(committeeRoom(event.committeeId)).emit('eval:event', event);
      },
      poke: (reason) => app.scheduler.poke(reason),
    };
    const committees = new CommitteeService({
      ...context,
      drawSecret: app.drawSecret,
      trust: app.trust,
    });
    app.decorate('committees', committees);
    const review = new ReviewService(context);
    app.scheduler.register(timed(committeeAggregate, (id) => committees.runDueStep(id)));
    const reports = new ReportService({
      ...context,
      trust: app.trust,
    });
    const publicity = new PublicityService(context);
    const assessments = new AssessmentService(context);
    const rating = new RatingService(context);
    const clarifying = new ClarificationService({
      ...context,
      trust: app.trust,
      notifyBidder: (bidderId, clarification) =>
        live.to(bidderRoom(bidderId)).emit('eval:clarification', clarification),
    });
    serveLiveChannel(app, live, committees, clarifying, options);
    const api = app.withTypeProvider<TypeBoxTypeProvider>();

    api.register(async (scope) => {
      scope.addContentTypeParser(
        'text/csv',
        { parseAs: 'string', bodyLimit: 8 * 1024 * 1024 },
        (_r, body, done) => done(null, body),
      );
      scope.post(
        '/api/experts/import',
        { onRequest: app.requireGrant('pool:manage'), config: { auditAction: 'expert.import' } },
        async (request, reply): Promise<ExpertImportResult> => {
          if (typeof request.body !== 'string') throw new AppError('VALIDATION_FAILED', { key: 'sendAsCsv' });
          const result = await pool.importCsv(request.body, request.auditActor(), options.clock.now());
          reply.code(201);
          return result;
        },
      );
    });
    api.get(
      '/api/experts',
      { onRequest: app.requireGrant('pool:read') },
      (): Promise<PoolExpert[]> => pool.list(),
    );
    api.post(
      '/api/seats',
      {
        onRequest: app.requireGrant('pool:manage'),
        config: { auditAction: 'seat.add' },
        schema: { body: SeatRequest },
      },
      async (request, reply): Promise<SeatView> => {
        const seat = await pool.addSeat(request.body, request.auditActor(), options.clock.now());
        reply.code(201);
        return seat;
      },
    );
    api.get(
      '/api/seats',
      // Hosts choose a committee's seats from the catalogue; the pool (people) stays unreadable to them.
      { onRequest: app.requireGrant('seat:read') },
      (): Promise<SeatView[]> => pool.seats(),
    );

    api.post(
      '/api/committees',
      {
        onRequest: app.requireGrant('committee:create'),
        config: { auditAction: 'committee.create' },
        schema: { body: CreateCommitteeRequest },
      },
      async (request, reply): Promise<CommitteeView> => {
        const view = await committees.create(request.body, actorOf(request));
        reply.code(201);
        return view;
      },
    );
    api.get('/api/committees', { onRequest: app.requireGrant('committee:read') }, (request) =>
      committees.list(actorOf(request)),
    );
    api.get(
      '/api/committees/:committeeId',
      { onRequest: app.requireGrant('committee:read'), schema: { params: CommitteeParams } },
      (request): Promise<CommitteeView> => committees.view(request.params.committeeId, actorOf(request)),
    );
    api.post(
      '/api/committees/:committeeId/representatives',
      {
        onRequest: app.requireGrant('committee:name-representatives'),
        config: { auditAction: 'committee.representatives' },
        schema: { params: CommitteeParams, body: RepresentativesRequest },
      },
      (request) => committees.nameRepresentatives(request.params.committeeId, request.body, actorOf(request)),
    );
    api.post(
      '/api/committees/:committeeId/draw',
      {
        onRequest: app.requireGrant('committee:draw'),
        config: { auditAction: 'committee.draw' },
        schema: { params: CommitteeParams, body: DrawRequest },
      },
      (request): Promise<CommitteeDrawView> =>
        committees.draw(request.params.committeeId, request.body.seed, actorOf(request)),
    );
    api.get(
      '/api/committees/:committeeId/draw',
      { onRequest: app.requireGrant('committee:read-draw'), schema: { params: CommitteeParams } },
      (request): Promise<CommitteeDrawView> => committees.drawInputs(request.params.committeeId),
    );
    api.post(
      '/api/committees/:committeeId/sign-in',
      {
        onRequest: app.requireGrant('committee:sign-in'),
        config: { auditAction: 'committee.sign-in' },
        schema: { params: CommitteeParams },
      },
      (request) => committees.signIn(request.params.committeeId, actorOf(request)),
    );
    api.post(
      '/api/committees/:committeeId/declaration',
      {
        onRequest: app.requireGrant('committee:declare'),
        config: { auditAction: 'committee.declare' },
        schema: { params: CommitteeParams, body: DeclarationRequest },
      },
      (request) => committees.declare(request.params.committeeId, request.body, actorOf(request)),
    );
    api.post(
      '/api/committees/:committeeId/vote',
      {
        onRequest: app.requireGrant('committee:vote'),
        config: { auditAction: 'committee.vote' },
        schema: { params: CommitteeParams, body: VoteRequest },
      },
      (request) =>
        committees.vote(
          request.params.committeeId,
          request.body.round,
          request.body.candidateId,
          actorOf(request),
        ),
    );
    api.post(
      '/api/committees/:committeeId/leader',
      {
        onRequest: app.requireGrant('committee:name-leader'),
        config: { auditAction: 'committee.name-leader' },
        schema: { params: CommitteeParams, body: NameLeaderRequest },
      },
      (request) => committees.nameLeader(request.params.committeeId, request.body.memberId, actorOf(request)),
    );
    api.put(
      '/api/committees/:committeeId/plan',
      {
        onRequest: app.requireGrant('committee:plan'),
        config: { auditAction: 'committee.plan' },
        schema: { params: CommitteeParams, body: ReviewPlan },
      },
      (request) => review.setPlan(request.params.committeeId, request.body, actorOf(request)),
    );
    api.get(
      '/api/committees/:committeeId/review',
      { onRequest: app.requireGrant('committee:read'), schema: { params: CommitteeParams } },
      (request): Promise<ReviewView> => review.view(request.params.committeeId, actorOf(request)),
    );
    api.post(
      '/api/committees/:committeeId/sheets',
      {
        onRequest: app.requireGrant('committee:review'),
        config: { auditAction: 'committee.sheet' },
        schema: { params: CommitteeParams, body: SheetRequest },
      },
      (request) =>
        review.submitSheet(
          request.params.committeeId,
          request.body.stage,
          request.body.marks,
          actorOf(request),
        ),
    );
    api.put(
      '/api/committees/:committeeId/sheets/draft',
      {
        onRequest: app.requireGrant('committee:review'),
        // Refusals are audited; a saved draft is not (it is no decision: the submitted sheet is).
        config: { auditAction: 'committee.save-draft' },
        schema: { params: CommitteeParams, body: SheetDraftRequest },
      },
      (request) =>
        review.saveDraft(
          request.params.committeeId,
          request.body.stage,
          request.body.marks,
          actorOf(request),
        ),
    );
    api.post(
      '/api/committees/:committeeId/sheets/return',
      {
        onRequest: app.requireGrant('committee:review'),
        config: { auditAction: 'committee.return-sheet' },
        schema: { params: CommitteeParams, body: ReturnSheetRequest },
      },
      (request) =>
        review.returnSheet(
          request.params.committeeId,
          request.body.memberId,
          request.body.note,
          actorOf(request),
        ),
    );
    api.post(
      '/api/committees/:committeeId/sheets/confirm',
      {
        onRequest: app.requireGrant('committee:review'),
        config: { auditAction: 'committee.confirm-sheet' },
        schema: { params: CommitteeParams, body: ConfirmSheetRequest },
      },
      (request) => review.confirmSheet(request.params.committeeId, request.body.reason, actorOf(request)),
    );
    api.post(
      '/api/committees/:committeeId/reopen',
      {
        onRequest: app.requireGrant('committee:review'),
        config: { auditAction: 'committee.reopen' },
        schema: { params: CommitteeParams, body: ReopenRequest },
      },
      (request) =>
        review.requestReopen(
          request.params.committeeId,
          request.body.stage,
          request.body.reason,
          actorOf(request),
        ),
    );
    api.post(
      '/api/committees/:committeeId/reopen/decision',
      {
        onRequest: app.requireGrant('committee:approve'),
        config: { auditAction: 'committee.reopen-decision' },
        schema: { params: CommitteeParams, body: DecisionRequest },
      },
      (request) =>
        review.decideReopen(
          request.params.committeeId,
          request.body.approve,
          request.body.reason,
          actorOf(request),
        ),
    );
    api.post(
      '/api/committees/:committeeId/clarifications',
      {
        onRequest: app.requireGrant('committee:review'),
        config: { auditAction: 'committee.ask' },
        schema: { params: CommitteeParams, body: AskRequest },
      },
      async (request, reply) => {
        const created = await clarifying.ask(request.params.committeeId, request.body, actorOf(request));
        reply.code(201);
        return created;
      },
    );
    api.post(
      '/api/committees/:committeeId/clarifications/:clarificationId/decision',
      {
        onRequest: app.requireGrant('committee:approve'),
        config: { auditAction: 'committee.clarification-decision' },
        schema: { params: ClarificationParams, body: DecisionRequest },
      },
      (request) =>
        clarifying.decide(
          request.params.committeeId,
          request.params.clarificationId,
          request.body.approve,
          request.body.reason,
          actorOf(request),
        ),
    );
    api.get(
      '/api/committees/:committeeId/clarifications',
      { onRequest: app.requireGrant('committee:read'), schema: { params: CommitteeParams } },
      (request): Promise<CommitteeClarification[]> =>
        clarifying.forCommittee(request.params.committeeId, actorOf(request)),
    );
    api.get(
      '/api/committees/:committeeId/clarifications/:clarificationId/files/:index',
      { onRequest: app.requireGrant('committee:read'), schema: { params: ClarificationFileParams } },
      async (request, reply) => {
        const { committeeId, clarificationId, index } = request.params;
        const file = await clarifying.file(committeeId, clarificationId, index, actorOf(request));
        return reply
          .header('content-type', 'application/octet-stream')
          .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`)
          .header('cache-control', 'no-store')
          .send(file.content);
      },
    );
    api.get(
      '/api/tenders/:tenderId/clarifications',
      { onRequest: app.requireGrant('clarification:answer'), schema: { params: TenderParams } },
      (request): Promise<BidderClarification[]> =>
        clarifying.forBidder(request.params.tenderId, actorOf(request)),
    );
    api.post(
      '/api/clarifications/:clarificationId/answer',
      {
        onRequest: app.requireGrant('clarification:answer'),
        config: { auditAction: 'committee.clarification-answer' },
        // The answer's files travel in the JSON (base64): 4 MB of files is about 5.4 MB of body.
        bodyLimit: 6 * 1024 * 1024,
        schema: { params: AnswerParams, body: ClarificationAnswerRequest },
      },
      (request) => clarifying.answer(request.params.clarificationId, request.body, actorOf(request)),
    );
    api.post(
      '/api/committees/:committeeId/time-votes',
      {
        onRequest: app.requireGrant('committee:review'),
        config: { auditAction: 'committee.time-vote-open' },
        schema: { params: CommitteeParams },
      },
      (request) => review.openTimeVote(request.params.committeeId, actorOf(request)),
    );
    api.post(
      '/api/committees/:committeeId/time-votes/answer',
      {
        onRequest: app.requireGrant('committee:review'),
        config: { auditAction: 'committee.time-vote' },
        schema: { params: CommitteeParams, body: TimeVoteRequest },
      },
      (request) =>
        review.timeVote(
          request.params.committeeId,
          request.body.round,
          request.body.tooShort,
          actorOf(request),
        ),
    );
    api.post(
      '/api/committees/:committeeId/replace',
      {
        onRequest: app.requireGrant('committee:approve'),
        config: { auditAction: 'committee.replace' },
        schema: { params: CommitteeParams, body: ReplaceMemberRequest },
      },
      (request) =>
        committees.replaceMember(
          request.params.committeeId,
          request.body.memberId,
          request.body.reason,
          actorOf(request),
        ),
    );
    api.post(
      '/api/committees/:committeeId/report',
      {
        onRequest: app.requireGrant('committee:review'),
        config: { auditAction: 'committee.report' },
        schema: { params: CommitteeParams },
      },
      (request) => reports.build(request.params.committeeId, actorOf(request)),
    );
    api.get(
      '/api/committees/:committeeId/report',
      { onRequest: app.requireGrant('committee:read'), schema: { params: CommitteeParams } },
      (request): Promise<ReportView> => reports.view(request.params.committeeId, actorOf(request)),
    );
    api.get(
      '/api/committees/:committeeId/report-bundle',
      {
        onRequest: app.requireGrant('committee:export'),
        config: { auditAction: 'committee.export-report' },
        schema: { params: CommitteeParams },
      },
      async (request, reply) => {
        const now = options.clock.now();
        const bundle = await buildReportBundle(app.db, request.params.committeeId, app.platformSigner, now);
        const row = await findCommittee(app.db, request.params.committeeId);
        await app.audit.append({
          ...request.auditActor(),
          action: 'committee.export-report',
          tenderId: row.tenderId,
          target: `committee:${row.id}`,
          outcome: 'ok',
          detail: { reportSha256: row.reportSha256 ?? '', bytes: bundle.length },
        });
        return reply
          .header('content-type', 'application/x-tar')
          .header('content-disposition', `attachment; filename="report-${row.id}.tar"`)
          .send(bundle);
      },
    );
    api.post(
      '/api/committees/:committeeId/publish',
      {
        onRequest: app.requireGrant('committee:publish'),
        config: { auditAction: 'committee.publish' },
        schema: { params: CommitteeParams, body: PublishRequest },
      },
      (request) => publicity.publish(request.params.committeeId, request.body.days, actorOf(request)),
    );
    api.post(
      '/api/committees/:committeeId/candidate-objections/:objectionId/answer',
      {
        onRequest: app.requireGrant('committee:publish'),
        config: { auditAction: 'committee.candidate-answer' },
        schema: { params: ObjectionParams, body: TextRequest },
      },
      (request) =>
        publicity.answer(
          request.params.committeeId,
          request.params.objectionId,
          request.body.text,
          actorOf(request),
        ),
    );
    api.get(
      '/api/tenders/:tenderId/candidates',
      { onRequest: app.requireGrant('tender:read'), schema: { params: TenderParams } },
      (request): Promise<CandidatesView | null> => publicity.view(request.params.tenderId, actorOf(request)),
    );
    api.post(
      '/api/tenders/:tenderId/candidate-objections',
      {
        onRequest: app.requireGrant('candidate:object'),
        config: { auditAction: 'committee.candidate-objection' },
        schema: { params: TenderParams, body: TextRequest },
      },
      async (request, reply) => {
        const created = await publicity.object(request.params.tenderId, request.body.text, actorOf(request));
        reply.code(201);
        return created;
      },
    );
    api.post(
      '/api/committees/:committeeId/assessments',
      {
        onRequest: app.requireGrant('committee:assess'),
        config: { auditAction: 'committee.assess' },
        schema: { params: CommitteeParams, body: AssessmentRequest },
      },
      (request) => assessments.assess(request.params.committeeId, request.body, actorOf(request)),
    );
    api.get(
      '/api/committees/:committeeId/assessments',
      { onRequest: app.requireGrant('committee:assess'), schema: { params: CommitteeParams } },
      (request) => assessments.mine(request.params.committeeId, actorOf(request)),
    );
    api.get(
      '/api/assessments',
      { onRequest: app.requireGrant('pool:read'), schema: { querystring: AssessmentQuery } },
      async (request, reply) => {
        const rows = await assessments.report(request.query);
        if (request.query.format !== 'csv') return rows;
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="assessments.csv"')
          .send(assessmentsCsv(rows));
      },
    );
    api.put(
      '/api/committees/:committeeId/rating-forms',
      {
        onRequest: app.requireGrant('committee:publish'),
        config: { auditAction: 'committee.rating-forms' },
        schema: { params: CommitteeParams, body: RatingForms },
      },
      (request) => rating.setForms(request.params.committeeId, request.body, actorOf(request)),
    );
    api.post(
      '/api/committees/:committeeId/ratings',
      {
        onRequest: app.requireGrant('committee:rate'),
        config: { auditAction: 'committee.rate' },
        schema: { params: CommitteeParams, body: RatingRequest },
      },
      async (request, reply) => {
        const done = await rating.rate(request.params.committeeId, request.body, actorOf(request));
        reply.code(201);
        return done;
      },
    );
    api.get(
      '/api/tenders/:tenderId/rating-form',
      { onRequest: app.requireGrant('committee:rate'), schema: { params: TenderParams } },
      (request) => rating.form(request.params.tenderId, actorOf(request)),
    );
    api.get(
      '/api/ratings',
      { onRequest: app.requireGrant('pool:read'), schema: { querystring: RatingQuery } },
      async (request, reply) => {
        const rows: RatingSummary[] = await rating.report(request.query);
        if (request.query.format !== 'csv') return rows;
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="ratings.csv"')
          .send(ratingsCsv(rows));
      },
    );
    api.post(
      '/api/committees/:committeeId/report/sign',
      {
        onRequest: app.requireGrant('committee:review'),
        config: { auditAction: 'committee.sign-report' },
        schema: { params: CommitteeParams, body: ReportSignatureRequest },
      },
      (request) =>
        reports.sign(
          request.params.committeeId,
          Buffer.from(request.body.signature, 'base64'),
          actorOf(request),
        ),
    );
    api.post(
      '/api/committees/:committeeId/report/dissent',
      {
        onRequest: app.requireGrant('committee:review'),
        config: { auditAction: 'committee.dissent' },
        schema: { params: CommitteeParams, body: DissentRequest },
      },
      (request) =>
        reports.dissent(
          request.params.committeeId,
          request.body.statement,
          Buffer.from(request.body.signature, 'base64'),
          actorOf(request),
        ),
    );
    api.post(
      '/api/committees/:committeeId/fault',
      {
        onRequest: app.requireGrant('committee:record-fault'),
        config: { auditAction: 'committee.fault' },
        schema: { params: CommitteeParams, body: FaultRequest },
      },
      (request) => committees.recordFault(request.params.committeeId, request.body.reason, actorOf(request)),
    );
    api.post(
      '/api/committees/:committeeId/resume',
      {
        onRequest: app.requireGrant('committee:record-fault'),
        config: { auditAction: 'committee.resume' },
        schema: { params: CommitteeParams, body: FaultRequest },
      },
      (request) => committees.resume(request.params.committeeId, request.body.reason, actorOf(request)),
    );
    api.get(
      '/api/committees/:committeeId/documents',
      {
        onRequest: app.requireGrant('committee:read-documents'),
        config: { auditAction: 'committee.read-document' },
        schema: { params: CommitteeParams },
      },
      async (request): Promise<CommitteeBidDocuments[]> => {
        const { row } = await committees.requireReadingMember(request.params.committeeId, actorOf(request));
        return committeeDocuments(app.db, app.blobs, row.tenderId);
      },
    );
    api.get(
      '/api/committees/:committeeId/documents/:bidId/files/:index',
      {
        onRequest: app.requireGrant('committee:read-documents'),
        config: { auditAction: 'committee.read-document' },
        schema: { params: DocumentParams },
      },
      async (request, reply) => {
        const who = actorOf(request);
        const { row, member } = await committees.requireReadingMember(request.params.committeeId, who);
        const bid = (await decryptedPackages(app.db, app.blobs, row.tenderId)).find(
          (p) => p.bidId === request.params.bidId,
        );
        if (!bid) throw new AppError('DOCUMENT_NOT_FOUND');
        const found = await packageFile(bid.path, request.params.index);
        if (!found)
          throw new AppError('DOCUMENT_NOT_FOUND', {
            key: 'documentFileUnknown',
            params: { index: request.params.index },
          });
        // Who opened which file of which bid, and when: audited before a byte leaves.
        await app.audit.append({
          actorId: who.actorId,
          role: who.role,
          ip: who.ip,
          action: 'committee.read-document',
          tenderId: row.tenderId,
          target: `committee:${row.id}`,
          outcome: 'ok',
          detail: {
            member: member.id,
            bidId: bid.bidId,
            bidder: bid.bidder,
            file: found.file.path,
            bytes: found.file.bytes,
          },
        });
        reply
          .header('content-type', 'application/octet-stream')
          .header('content-length', found.file.bytes)
          .header(
            'content-disposition',
            `attachment; filename*=UTF-8''${encodeURIComponent(found.file.path.split('/').pop() ?? 'file')}`,
          )
          .header('cache-control', 'no-store');
        return reply.send(found.stream);
      },
    );
    api.get(
      '/api/committees/:committeeId/opening-record',
      {
        onRequest: app.requireGrant('committee:read-documents'),
        config: { auditAction: 'committee.read-document' },
        schema: { params: CommitteeParams },
      },
      async (request) => {
        const { row } = await committees.requireReadingMember(request.params.committeeId, actorOf(request));
        const tender = await findTender(app.db, row.tenderId);
        if (!tender.recordText) throw new AppError('DOCUMENT_NOT_FOUND');
        // The tender's summary columns come along so the record reads as the hall shows it.
        return { sha256: tender.recordSha256, text: tender.recordText, summaryFields: tender.summaryFields };
      },
    );
  },
  { name: 'evaluation', dependencies: ['database', 'audit', 'auth', 'steps', 'socket-io', 'jwt'] },
);

/**
 * `/evaluation` over Socket.IO: a reader joins a committee it may read (the same rule as the HTTP view)
 * and follows its sealed events; refusals are audited as the hall's are.
 */
function serveLiveChannel(
  app: FastifyInstance,
  live: EvaluationNamespace,
  committees: CommitteeService,
  clarifying: ClarificationService,
  options: EvaluationOptions,
): void {
  const sessions = socketSessions({
    db: app.db,
    verify: (token) => app.jwt.verify<TokenClaims & { exp: number }>(token),
    recheckSeconds: options.sessionRecheckSeconds,
  });
  const asSession = (socket: EvaluationSocket) =>
    socket as unknown as Parameters<typeof sessions.armExpiry>[0];
  const whoOf = (socket: EvaluationSocket): CommitteeActor => ({
    actorId: socket.data.actor.sub,
    role: socket.data.actor.role,
    ip: clientAddress(socket.request, options.trustProxy ?? false),
    name: socket.data.actor.name,
    identity: socket.data.actor.identity,
    org: socket.data.actor.org,
  });
  const handlers: Handlers<EvaluationRequests, EvaluationSocket> = {
    'eval:join': async ({ committeeId, afterSeq }, socket) => {
      const view = await committees.view(committeeId, whoOf(socket));
      await socket.join(committeeRoom(committeeId));
      const events = await eventsAfter(app.db, committeeAggregate, committeeId, afterSeq ?? 0);
      return { view, events, serverTime: options.clock.now().getTime() };
    },
    'eval:clarifications': async ({ tenderId }, socket) => {
      const clarifications = await clarifying.forBidder(tenderId, whoOf(socket));
      await socket.join(bidderRoom(socket.data.actor.sub));
      return { clarifications, serverTime: options.clock.now().getTime() };
    },
    'eval:renew': async ({ token }, socket) => sessions.renew(asSession(socket), token),
  };
  const attach = serveGranted<EvaluationRequests, EvaluationSocket, EvaluationSocket>({
    table: evaluationRequests,
    handlers,
    limits: hallLimits,
    roleOf: (socket) => socket.data.actor.role,
    checkSession: (socket) => sessions.checkSession(asSession(socket)),
    callOf: (socket) => socket,
    refusal: (socket) => ({
      actorId: socket.data.actor.sub,
      role: socket.data.actor.role,
      ip: clientAddress(socket.request, options.trustProxy ?? false),
      action: 'committee.read',
    }),
    audit: app.audit,
    log: app.log,
  });
  live.use((socket, next) => sessions.handshake(asSession(socket), next));
  live.on('connection', (socket) => {
    sessions.armExpiry(asSession(socket));
    socket.once('disconnect', () => sessions.disarm(asSession(socket)));
    attach(socket);
  });
}
