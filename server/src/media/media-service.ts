/**
 * The server's side of live audio/video: evaluations (venues by city, experts by venue), which SFU serves
 * which venue, and media tickets. A ticket is issued only after the role grant and the assignment are
 * checked here; the SFU trusts nothing else (docs/media.md).
 *
 * Which SFU serves a venue: `SFU_URLS` lists one SFU per city. An evaluation's main venue is served by
 * its city's SFU and is the "home" of the room; a sub venue is served by its own city's SFU, which
 * cascades the room with the home SFU (the ticket carries `homeSfu`). A city without an SFU, and every
 * opening hall, is served by the first SFU listed.
 */

import {
  allowedIn,
  type CreateEvaluationRequest,
  type EvaluationView,
  type MediaTicket,
  type MediaTicketResponse,
  mediaPermissions,
  openingGuards,
  parseVenue,
  phraseParams,
  type Role,
  roleWords,
  roomName,
  type TokenClaims,
  tenderStatusWords,
  venueOf,
  type WatchableVenue,
} from '@bidhall/shared';
import { ticketLifetimeSeconds, ticketSigner } from '@bidhall/shared/tokens';
import { and, asc, eq, inArray, notInArray } from 'drizzle-orm';
import type { AuditLog } from '../audit/audit-log.ts';
import { appendInTx } from '../audit/audit-log.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/client.ts';
import {
  actors,
  bids,
  committeeMembers,
  committees,
  evaluationExperts,
  evaluations,
  evaluationVenues,
  seats,
  tenders,
} from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { fromSeat, parseCidr } from '../networks.ts';
import { requireTenderAccess } from '../tenders/tender-service.ts';

export interface SfuEntry {
  readonly city: string;
  readonly url: string;
}

type Who = TokenClaims & { ip: string | null };

export class MediaService {
  readonly #db: Database;
  readonly #audit: AuditLog;
  readonly #clock: Clock;
  readonly #sign: (ticket: MediaTicket) => string;
  #sfus: readonly SfuEntry[];

  constructor(deps: {
    db: Database;
    audit: AuditLog;
    clock: Clock;
    secret: string;
    sfus: readonly SfuEntry[];
  }) {
    this.#db = deps.db;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#sign = ticketSigner(deps.secret);
    this.#sfus = deps.sfus;
  }

  /** Set once an in-process SFU is listening (`bidhall start` without SFU_URLS). */
  useSfus(sfus: readonly SfuEntry[]): void {
    this.#sfus = sfus;
  }

  get sfus(): readonly SfuEntry[] {
    return this.#sfus;
  }

  #sfuFor(city: string | null): string {
    const entry = (city && this.#sfus.find((sfu) => sfu.city === city)) || this.#sfus[0];
    if (!entry) throw new AppError('MEDIA_UNAVAILABLE', { key: 'noSfu' });
    return entry.url;
  }

  async createEvaluation(request: CreateEvaluationRequest, who: Who): Promise<EvaluationView> {
    const cities = [request.mainCity, ...request.subCities];
    if (new Set(cities).size !== cities.length)
      throw new AppError('EVALUATION_INVALID', { key: 'mainCityAlsoSub', params: { field: '/subCities' } });
    const unplaced = request.experts.find((e) => !cities.includes(e.city));
    if (unplaced)
      throw new AppError('EVALUATION_INVALID', {
        key: 'noVenueForExpert',
        params: { city: unplaced.city, field: '/experts' },
      });
    const expertIds = request.experts.map((e) => e.expertId);
    if (new Set(expertIds).size !== expertIds.length)
      throw new AppError('EVALUATION_INVALID', { key: 'expertTwice', params: { field: '/experts' } });
    const found = await this.#db
      .select({ id: actors.id })
      .from(actors)
      .where(and(inArray(actors.id, expertIds), eq(actors.role, 'expert')));
    if (found.length !== expertIds.length)
      throw new AppError('EVALUATION_INVALID', { key: 'notAllExperts', params: { field: '/experts' } });
    if (request.tenderId) {
      const [tender] = await this.#db
        .select({ id: tenders.id, agency: tenders.agency })
        .from(tenders)
        .where(eq(tenders.id, request.tenderId));
      if (!tender) throw new AppError('TENDER_NOT_FOUND');
      requireTenderAccess(who, tender);
    }
    const seatNetworks = request.seatNetworks ?? [];
    for (const { city, cidr } of seatNetworks) {
      if (!cities.includes(city))
        throw new AppError('EVALUATION_INVALID', {
          key: 'noVenueForSeat',
          params: { city, field: '/seatNetworks' },
        });
      if (!parseCidr(cidr))
        throw new AppError('EVALUATION_INVALID', {
          key: 'notANetwork',
          params: { cidr, field: '/seatNetworks' },
        });
    }
    const id = await this.#db.transaction(async (tx) => {
      const [created] = await tx
        .insert(evaluations)
        .values({
          tenderId: request.tenderId ?? null,
          title: request.title,
          mainCity: request.mainCity,
          createdBy: who.sub,
          createdAt: this.#clock.now(),
        })
        .returning({ id: evaluations.id });
      const evaluationId = created?.id as string;
      await tx.insert(evaluationVenues).values(
        cities.map((city) => ({
          evaluationId,
          city,
          seatNetworks: seatNetworks.filter((n) => n.city === city).map((n) => n.cidr),
        })),
      );
      await tx
        .insert(evaluationExperts)
        .values(request.experts.map((e) => ({ evaluationId, expertId: e.expertId, city: e.city })));
      await appendInTx(tx, [
        {
          actorId: who.sub,
          role: who.role,
          ip: who.ip,
          action: 'evaluation.create',
          tenderId: request.tenderId ?? null,
          target: roomName({ kind: 'eval', id: evaluationId }),
          outcome: 'ok',
          detail: {
            mainCity: request.mainCity,
            subCities: request.subCities.join(','),
            experts: expertIds.length,
          },
        },
      ]);
      return evaluationId;
    });
    return this.view(id, who);
  }

  /** An evaluation as `who` may see it: experts only of one assigned to it. */
  async view(evaluationId: string, who: Pick<TokenClaims, 'sub' | 'role'>): Promise<EvaluationView> {
    const [evaluation] = /^[0-9a-f-]{36}$/.test(evaluationId)
      ? await this.#db.select().from(evaluations).where(eq(evaluations.id, evaluationId))
      : [];
    if (!evaluation) throw new AppError('EVALUATION_NOT_FOUND');
    const seated = await this.#db
      .select({ id: actors.id, name: actors.name, city: evaluationExperts.city })
      .from(evaluationExperts)
      .innerJoin(actors, eq(actors.id, evaluationExperts.expertId))
      .where(eq(evaluationExperts.evaluationId, evaluationId))
      .orderBy(asc(actors.name));
    if (who.role === 'expert' && !seated.some((s) => s.id === who.sub))
      throw new AppError('EVALUATION_NOT_FOUND');
    // A committee's members are named to supervisors and to each other only, until the result is
    // published (招标投标法 Art 37); the host reads the committee's sealed places instead.
    const [committee] = await this.#db
      .select({ id: committees.id })
      .from(committees)
      .where(eq(committees.evaluationId, evaluationId));
    const named = !committee || who.role === 'supervisor' || who.role === 'expert';
    const venues = await this.#db
      .select()
      .from(evaluationVenues)
      .where(eq(evaluationVenues.evaluationId, evaluationId));
    const main = evaluation.mainCity;
    return {
      id: evaluation.id,
      tenderId: evaluation.tenderId,
      title: evaluation.title,
      createdAt: evaluation.createdAt.toISOString(),
      venues: venues
        .sort((a, b) => (a.city === main ? -1 : b.city === main ? 1 : a.city.localeCompare(b.city)))
        .map((v) => ({
          venue: venueOf(
            v.city === main
              ? { kind: 'main', evaluationId: evaluation.id }
              : { kind: 'sub', evaluationId: evaluation.id, city: v.city },
          ),
          city: v.city,
          main: v.city === main,
          experts: named ? seated.filter((s) => s.city === v.city).map(({ id, name }) => ({ id, name })) : [],
          seatNetworks: v.seatNetworks,
        })),
    };
  }

  /** Experts see the evaluations they sit in; hosts and supervisors all of them. */
  async list(who: Pick<TokenClaims, 'sub' | 'role'>): Promise<EvaluationView[]> {
    const rows =
      who.role === 'expert'
        ? await this.#db
            .select({ id: evaluationExperts.evaluationId })
            .from(evaluationExperts)
            .where(eq(evaluationExperts.expertId, who.sub))
        : await this.#db.select({ id: evaluations.id }).from(evaluations).orderBy(asc(evaluations.createdAt));
    return Promise.all(rows.map((row) => this.view(row.id, who)));
  }

  /** Every venue a supervisor may watch now: the halls of tenders not yet closed, and every evaluation venue. */
  async watchable(): Promise<WatchableVenue[]> {
    const halls = await this.#db
      .select({ id: tenders.id, code: tenders.code, title: tenders.title })
      .from(tenders)
      .where(notInArray(tenders.status, [...openingGuards.ended]))
      .orderBy(asc(tenders.deadline));
    const supervisor = { sub: '', role: 'supervisor' as Role };
    const all = await this.list(supervisor);
    return [
      ...halls.map((t) => ({
        venue: venueOf({ kind: 'hall', tenderId: t.id }),
        label: `${t.code} ${t.title}`,
        kind: 'hall' as const,
      })),
      ...all.flatMap((evaluation) =>
        evaluation.venues.map((v) => ({
          venue: v.venue,
          label: `${evaluation.title} · ${v.city}`,
          kind: v.main ? ('main' as const) : ('sub' as const),
        })),
      ),
    ];
  }

  /** The network of the seat a committee member signed in at, for the committee's video room. */
  async #committeeSeat(evaluationId: string, actorId: string): Promise<string[] | null> {
    const [row] = await this.#db
      .select({ cidr: seats.cidr })
      .from(committeeMembers)
      .innerJoin(committees, eq(committees.id, committeeMembers.committeeId))
      .innerJoin(seats, eq(seats.id, committeeMembers.seatId))
      .where(and(eq(committees.evaluationId, evaluationId), eq(committeeMembers.signedInActorId, actorId)));
    return row ? [row.cidr] : null;
  }

  /** A ticket for `venue`, after checking the role's grant and the assignment. */
  async ticket(venue: string, who: Who): Promise<MediaTicketResponse> {
    const place = parseVenue(venue);
    if (!place) throw new AppError('VALIDATION_FAILED', { key: 'fieldFormat', params: { field: '/venue' } });
    const permissions = mediaPermissions(who.role, venue);
    if (!permissions)
      throw new AppError('MEDIA_FORBIDDEN', {
        key: 'noPlaceInVenue',
        params: phraseParams('role', roleWords[who.role]),
      });
    let url: string;
    let homeSfu: string | undefined;
    if (place.kind === 'hall') {
      const id = place.tenderId;
      const [tender] = await this.#db
        .select({ id: tenders.id, status: tenders.status, agency: tenders.agency })
        .from(tenders)
        .where(eq(tenders.id, id));
      if (!tender) throw new AppError('TENDER_NOT_FOUND');
      requireTenderAccess(who, tender);
      if (who.role === 'bidder') {
        // A bidder watches only the openings it has bid in, and only while they are under way: a ticket
        // to any hall would tell a company which tenders are opening, and ticket requests who watches.
        const [own] = await this.#db
          .select({ id: bids.id })
          .from(bids)
          .where(and(eq(bids.tenderId, id), eq(bids.bidderId, who.sub), eq(bids.status, 'submitted')));
        if (!own) throw new AppError('HALL_NO_BID');
        if (!allowedIn('live', tender.status))
          throw new AppError('HALL_WRONG_STATE', {
            key: 'hallNotLive',
            params: phraseParams('status', tenderStatusWords[tender.status]),
          });
      }
      url = this.#sfuFor(null);
    } else {
      const evaluation = await this.view(place.evaluationId, who);
      const seat = evaluation.venues.find((v) => v.venue === venue);
      if (!seat) throw new AppError('EVALUATION_NOT_FOUND', { key: 'noSuchVenue' });
      if (who.role === 'expert' && !seat.experts.some((e) => e.id === who.sub))
        throw new AppError('MEDIA_NOT_ASSIGNED');
      // A committee's member joins from its own seat's network, not merely one of its venue's.
      const networks =
        who.role === 'expert'
          ? ((await this.#committeeSeat(place.evaluationId, who.sub)) ?? seat.seatNetworks)
          : [];
      if (who.role === 'expert' && !fromSeat(networks, who.ip))
        throw new AppError('MEDIA_NOT_AT_SEAT', {
          key: 'notAtSeat',
          params: { ip: who.ip ?? '—', city: seat.city },
        });
      const mainCity = evaluation.venues.find((v) => v.main)?.city ?? null;
      url = this.#sfuFor(place.kind === 'main' ? mainCity : place.city);
      const home = this.#sfuFor(mainCity);
      if (home !== url) homeSfu = home;
    }
    const ticket: MediaTicket = {
      sub: who.sub,
      role: who.role,
      name: who.name,
      venue,
      wholeRoom: who.role === 'supervisor',
      ...permissions,
      ...(homeSfu ? { homeSfu } : {}),
    };
    await this.#audit.append({
      actorId: who.sub,
      role: who.role,
      ip: who.ip,
      action: 'media.ticket',
      tenderId: place.kind === 'hall' ? place.tenderId : null,
      target: venue,
      outcome: 'ok',
      detail: { publish: permissions.publish, hidden: permissions.hidden },
    });
    return {
      ticket: this.#sign(ticket),
      url,
      venue,
      permissions,
      expiresAt: new Date(this.#clock.now().getTime() + ticketLifetimeSeconds * 1000).toISOString(),
    };
  }
}
