/** Tenders: creation by a host (with the opening key ceremony) and the public view of a tender. */

import { randomUUID } from 'node:crypto';
import {
  type CreateTenderRequest,
  type DetailKey,
  type OpeningKeyAlgorithm,
  onlineVenue,
  type SummaryField,
  type TenderView,
} from '@bidhall/shared';
import { asc, eq, inArray } from 'drizzle-orm';
import { type AuditInput, appendInTx } from '../audit/audit-log.ts';
import type { Clock } from '../clock.ts';
import type { Signer } from '../cms/signed-data.ts';
import type { Database, Executor } from '../db/client.ts';
import { actors, type Tender, tenderCustodians, tenders } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { parseCertificate } from '../pki/certificate.ts';
import type { IssuerKeys } from '../pki/issuer.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import { serverSeedCommitmentFor } from './draw-seed.ts';
import { createOpeningKey, type OpeningKeyMaterial } from './opening-key.ts';

const minuteMs = 60_000;
/** The opening certificate outlives the opening by this much, for late remedy and archive checks. */
const openingCertificateMarginMs = 365 * 24 * 60 * minuteMs;

export interface TenderServiceDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly trust: TrustStore;
  readonly openingCa: IssuerKeys;
  readonly platformSigner: Signer;
  readonly platformName: string;
  /** Derives each tender's draw seed (draw-seed.ts). */
  readonly drawSecret: string;
}

/** A tender definition's first problem, at its field (the form shows it there). */
export function tenderProblem(key: DetailKey, field: string): never {
  throw new AppError('TENDER_INVALID', { key, params: { field } });
}

/** The opening summary's fields, at creation and when they change: each key once. */
export function checkSummaryFields(fields: readonly SummaryField[]): void {
  const keys = fields.map((f) => f.key);
  if (new Set(keys).size !== keys.length) tenderProblem('summaryKeysUnique', '/summaryFields');
}

export class TenderService {
  readonly #deps: TenderServiceDeps;

  constructor(deps: TenderServiceDeps) {
    this.#deps = deps;
  }

  async create(
    request: CreateTenderRequest,
    audit: Omit<AuditInput, 'action' | 'outcome'> & { actorId: string },
  ): Promise<TenderView> {
    const { db, clock } = this.#deps;
    const now = clock.now();
    const deadline = new Date(request.deadline);
    if (Number.isNaN(deadline.getTime()) || deadline.getTime() < now.getTime() + minuteMs)
      tenderProblem('deadlineTooSoon', '/deadline');
    if (request.minBidders < 3) tenderProblem('minBiddersLegal', '/minBidders');
    checkSummaryFields(request.summaryFields);
    const custodianIds = [...new Set(request.custodianIds)];
    const tenderId = randomUUID();
    const [creator] = await db.select().from(actors).where(eq(actors.id, audit.actorId));
    const material = await this.openingKey({
      tenderId,
      tenderCode: request.code,
      algorithm: request.openingKeyAlgorithm,
      custodianIds: request.custodianIds,
      quorum: request.quorum,
      deadline,
    });
    await db.transaction(async (tx) => {
      const existing = await tx
        .select({ id: tenders.id })
        .from(tenders)
        .where(eq(tenders.code, request.code));
      if (existing.length)
        throw new AppError('TENDER_INVALID', {
          key: 'tenderCodeTaken',
          params: { code: request.code, field: '/code' },
        });
      await tx.insert(tenders).values({
        id: tenderId,
        code: request.code,
        title: request.title,
        deadline,
        decryptionWindowMinutes: request.decryptionWindowMinutes,
        summaryFields: request.summaryFields,
        minBidders: request.minBidders,
        quorum: request.quorum,
        remedyPolicy: request.remedyPolicy,
        openingKeyAlgorithm: request.openingKeyAlgorithm,
        openingCertificate: material.certificatePem,
        createdBy: audit.actorId,
        agency: creator?.organization ?? null,
        tenderee: request.tenderee ?? null,
        lot: request.lot ?? null,
        ceilingPrice: request.ceilingPrice ?? null,
        venue: request.venue ?? null,
        checkInOpensAt: new Date(deadline.getTime() - request.checkInMinutes * minuteMs),
        nextCheckAt: new Date(
          Math.max(now.getTime(), deadline.getTime() - request.checkInMinutes * minuteMs),
        ),
        drawOptions: request.draw?.options ?? null,
        drawLabel: request.draw?.label ?? null,
        // The platform's draw seed is fixed (and committed to) now, before any bid exists; only the
        // commitment is stored (draw-seed.ts).
        serverSeed: null,
        serverSeedCommitment: request.draw ? serverSeedCommitmentFor(this.#deps.drawSecret, tenderId) : null,
      });
      await tx.insert(tenderCustodians).values(
        material.sealedShares.map((s) => ({
          tenderId,
          custodianId: s.custodianId,
          shareIndex: s.index,
          sealedShare: s.sealed,
        })),
      );
      await appendInTx(tx, [
        {
          ...audit,
          action: 'tender.create',
          outcome: 'ok',
          tenderId,
          target: request.code,
          detail: {
            deadline: deadline.toISOString(),
            quorum: request.quorum,
            custodians: custodianIds.length,
            minBidders: request.minBidders,
            remedyPolicy: request.remedyPolicy,
            openingKeyAlgorithm: request.openingKeyAlgorithm,
          },
        },
      ]);
    });
    return this.view(tenderId);
  }

  /**
   * The opening key of a tender, shared among its custodians (k = `quorum` of them open it): each
   * custodian registered with an encryption certificate the CAs trust. For a new tender and for one
   * whose custodians change before the deadline; generated outside any transaction (it takes a while).
   */
  async openingKey(input: {
    tenderId: string;
    tenderCode: string;
    algorithm: OpeningKeyAlgorithm;
    custodianIds: readonly string[];
    quorum: number;
    deadline: Date;
  }): Promise<OpeningKeyMaterial> {
    const now = this.#deps.clock.now();
    const custodianIds = [...new Set(input.custodianIds)];
    if (custodianIds.length !== input.custodianIds.length) tenderProblem('custodianTwice', '/custodianIds');
    // 至少两人共同开启 (EU practice, Catalonia's Sobre Digital): one custodian alone may never open bids.
    if (input.quorum < 2) tenderProblem('quorumAtLeastTwo', '/quorum');
    if (input.quorum > custodianIds.length) tenderProblem('quorumAboveCustodians', '/quorum');
    const custodianRows = await this.#deps.db.select().from(actors).where(inArray(actors.id, custodianIds));
    const custodians = custodianIds.map((id) => {
      const row = custodianRows.find((r) => r.id === id && r.role === 'custodian');
      if (!row)
        throw new AppError('CUSTODIAN_UNKNOWN', {
          key: 'custodianNotRegistered',
          params: { id, field: '/custodianIds' },
        });
      if (!row.encryptionCertificate)
        throw new AppError('CUSTODIAN_NO_ENCRYPTION_CERT', {
          key: 'custodianWithoutEncryption',
          params: { name: row.name, field: '/custodianIds' },
        });
      const certificate = parseCertificate(row.encryptionCertificate);
      this.#deps.trust.verify([certificate], { at: now, anyUsage: ['keyEncipherment', 'keyAgreement'] });
      return { id, name: row.name, encryptionCertificate: certificate };
    });
    return createOpeningKey({
      tenderId: input.tenderId,
      tenderCode: input.tenderCode,
      algorithm: input.algorithm,
      custodians,
      quorum: input.quorum,
      openingCa: this.#deps.openingCa,
      platformSigner: this.#deps.platformSigner,
      platformName: this.#deps.platformName,
      notBefore: new Date(now.getTime() - 5 * minuteMs),
      notAfter: new Date(input.deadline.getTime() + openingCertificateMarginMs),
    });
  }

  async view(tenderId: string): Promise<TenderView> {
    const tender = await findTender(this.#deps.db, tenderId);
    const custodians = await this.#deps.db
      .select({ id: actors.id, name: actors.name, shareIndex: tenderCustodians.shareIndex })
      .from(tenderCustodians)
      .innerJoin(actors, eq(actors.id, tenderCustodians.custodianId))
      .where(eq(tenderCustodians.tenderId, tenderId))
      .orderBy(asc(tenderCustodians.shareIndex));
    return toView(tender, custodians);
  }

  async list(): Promise<TenderView[]> {
    const rows = await this.#deps.db.select().from(tenders).orderBy(asc(tenders.deadline));
    return rows.map((t) => toView(t, []));
  }
}

/**
 * Whether `actor` may drive the tender (or read what only its hosts read): a host acts only on the tenders
 * of its own agency. Other roles' reach is decided by their grants (supervisors oversee every tender).
 */
export function requireTenderAccess(
  actor: { readonly role: string | null; readonly org?: string | null },
  tender: Pick<Tender, 'agency'>,
): void {
  if (actor.role === 'host' && (actor.org ?? null) !== tender.agency) {
    throw new AppError('FORBIDDEN_TENDER', {
      key: 'otherAgencysTender',
      params: { agency: tender.agency ?? '—', org: actor.org ?? '—' },
    });
  }
}

/** The tender with this id, or TENDER_NOT_FOUND (also for ids that are not UUIDs). */
export async function findTender(db: Executor, tenderId: string): Promise<Tender> {
  if (!/^[0-9a-f-]{36}$/i.test(tenderId)) throw new AppError('TENDER_NOT_FOUND');
  const [tender] = await db.select().from(tenders).where(eq(tenders.id, tenderId));
  if (!tender) throw new AppError('TENDER_NOT_FOUND');
  return tender;
}

function toView(tender: Tender, custodians: TenderView['custodians']): TenderView {
  return {
    id: tender.id,
    code: tender.code,
    title: tender.title,
    status: tender.status,
    deadline: tender.deadline.toISOString(),
    decryptionWindowMinutes: tender.decryptionWindowMinutes,
    summaryFields: tender.summaryFields,
    minBidders: tender.minBidders,
    agency: tender.agency,
    tenderee: tender.tenderee,
    lot: tender.lot,
    ceilingPrice: tender.ceilingPrice,
    venue: tender.venue ?? onlineVenue,
    cancelReason: tender.cancelReason,
    quorum: tender.quorum,
    custodians,
    remedyPolicy: tender.remedyPolicy,
    openingCertificate: tender.openingCertificate,
    createdAt: tender.createdAt.toISOString(),
    checkInOpensAt: tender.checkInOpensAt.toISOString(),
    draw:
      tender.drawOptions && tender.drawLabel && tender.serverSeedCommitment
        ? {
            label: tender.drawLabel,
            options: tender.drawOptions,
            serverSeedCommitment: tender.serverSeedCommitment,
          }
        : null,
  };
}
