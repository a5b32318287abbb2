/**
 * Recorded segments on the server side: an SFU hands over each finished WebM (over HTTP, or by a direct
 * call when it runs in this process); the bytes are hashed while they are stored, must match what the
 * SFU declared, and are committed with their row and an audit entry carrying the hash in one transaction.
 * Playback re-hashes the file and compares it with the audit entry, so an altered segment shows as
 * tampered, a deleted one as missing.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type AuditEntry,
  isVenue,
  type MediaRoom,
  type PlaybackView,
  parseRoom,
  type RecordedRoom,
  type RecordingSegmentView,
  roomName,
  roomOf,
  type SegmentDescription,
  type SegmentIntegrity,
} from '@bidhall/shared';
import { and, asc, count, desc, eq, inArray, like, max, min, notLike } from 'drizzle-orm';
import { appendInTx } from '../audit/audit-log.ts';
import { readableEntries } from '../audit/sealed.ts';
import type { Database } from '../db/client.ts';
import { auditLog, evaluations, recordingSegments, tenders } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { BlobStore } from '../storage/blob-store.ts';

export function checkSegmentDescription(value: unknown): SegmentDescription {
  const claims = value as Partial<SegmentDescription> | null;
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const valid =
    claims !== null &&
    typeof claims === 'object' &&
    typeof claims.id === 'string' &&
    uuid.test(claims.id) &&
    isVenue(claims.venue) &&
    typeof claims.peerId === 'string' &&
    claims.peerId.length <= 64 &&
    typeof claims.peerName === 'string' &&
    claims.peerName.length <= 200 &&
    Array.isArray(claims.kinds) &&
    claims.kinds.length <= 4 &&
    claims.kinds.every((k) => k === 'audio' || k === 'video') &&
    typeof claims.startedAt === 'string' &&
    !Number.isNaN(Date.parse(claims.startedAt)) &&
    typeof claims.endedAt === 'string' &&
    !Number.isNaN(Date.parse(claims.endedAt)) &&
    Number.isSafeInteger(claims.bytes) &&
    (claims.bytes as number) > 0 &&
    typeof claims.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(claims.sha256) &&
    typeof claims.recordedBy === 'string' &&
    claims.recordedBy.length <= 64;
  if (!valid) throw new AppError('VALIDATION_FAILED', 'the segment description is incomplete or malformed');
  return claims as SegmentDescription;
}

export class RecordingStore {
  readonly #db: Database;
  readonly blobs: BlobStore;
  /** Hashes of stored files already computed, by path + size + mtime (files are large; listing is often). */
  readonly #hashes = new Map<string, string>();

  constructor(db: Database, root: string) {
    this.#db = db;
    this.blobs = new BlobStore(root);
  }

  async init(): Promise<void> {
    await this.blobs.init();
    await this.blobs.sweepTemp(24 * 60 * 60 * 1000);
    await this.blobs.sweepOrphans(
      async (sha256) => {
        const [row] = await this.#db
          .select({ id: recordingSegments.id })
          .from(recordingSegments)
          .where(eq(recordingSegments.sha256, sha256))
          .limit(1);
        return row !== undefined;
      },
      60 * 60 * 1000,
    );
  }

  /**
   * Stores one segment from `body`. Idempotent by segment id: an SFU retrying after a lost answer gets the
   * same result. Nothing is kept when the bytes do not match the claims.
   */
  async ingest(claims: SegmentDescription, body: Readable, ip: string | null): Promise<{ auditSeq: number }> {
    const [existing] = await this.#db
      .select()
      .from(recordingSegments)
      .where(eq(recordingSegments.id, claims.id));
    if (existing) {
      body.resume();
      if (existing.sha256 !== claims.sha256)
        throw new AppError('RECORDING_REJECTED', 'a different segment with this id is already stored');
      return { auditSeq: existing.auditSeq };
    }
    const temp = this.blobs.createTemp();
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hash.update(chunk);
            bytes += chunk.length;
            yield chunk;
          }
        },
        temp.stream,
      );
      const sha256 = hash.digest('hex');
      if (sha256 !== claims.sha256 || bytes !== claims.bytes)
        throw new AppError(
          'RECORDING_REJECTED',
          `received ${bytes} bytes with SHA-256 ${sha256}; declared ${claims.bytes} bytes, ${claims.sha256}`,
        );
      await this.blobs.sync(temp.path);
    } catch (error) {
      await this.blobs.discard(temp.path);
      throw error;
    }
    const created = await this.blobs.commit(temp.path, claims.sha256);
    try {
      return await this.#record(claims, ip);
    } catch (error) {
      if (created) await this.blobs.remove(claims.sha256);
      throw error;
    }
  }

  async #record(claims: SegmentDescription, ip: string | null): Promise<{ auditSeq: number }> {
    const room = roomOf(claims.venue);
    const tenderId = await this.#tenderOf(room);
    return this.#db.transaction(async (tx) => {
      const [position] = await appendInTx(tx, [
        {
          actorId: null,
          role: 'sfu',
          ip,
          action: 'media.segment',
          tenderId,
          target: claims.venue,
          outcome: 'ok',
          detail: {
            segment: claims.id,
            sha256: claims.sha256,
            bytes: claims.bytes,
            startedAt: claims.startedAt,
            endedAt: claims.endedAt,
            peer: claims.peerName,
            recordedBy: claims.recordedBy,
          },
        },
      ]);
      const auditSeq = position?.seq as number;
      await tx.insert(recordingSegments).values({
        id: claims.id,
        venue: claims.venue,
        room,
        peerId: claims.peerId,
        peerName: claims.peerName,
        kinds: [...claims.kinds],
        startedAt: new Date(claims.startedAt),
        endedAt: new Date(claims.endedAt),
        bytes: claims.bytes,
        sha256: claims.sha256,
        auditSeq,
        recordedBy: claims.recordedBy,
      });
      return { auditSeq };
    });
  }

  /** The tender a room's audit entries belong to (the hall's, or the evaluated tender), if any. */
  async #tenderOf(room: string): Promise<string | null> {
    const parsed = parseRoom(room);
    if (!parsed) return null;
    if (parsed.kind === 'hall') return parsed.id;
    const [evaluation] = await this.#db
      .select({ tenderId: evaluations.tenderId })
      .from(evaluations)
      .where(eq(evaluations.id, parsed.id));
    return evaluation?.tenderId ?? null;
  }

  async #fileHash(path: string): Promise<string | null> {
    const info = await stat(path).catch(() => null);
    if (!info) return null;
    const key = `${path}\n${info.size}\n${info.mtimeMs}\n${info.ino}`;
    const known = this.#hashes.get(key);
    if (known) return known;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    const digest = hash.digest('hex');
    this.#hashes.set(key, digest);
    return digest;
  }

  /**
   * A segment is intact when the stored file hashes to the value in its audit entry (the row's copy is
   * only an index: a changed row does not make a changed file pass).
   */
  async integrityOf(row: { sha256: string; auditSeq: number }, auditSha256: string | undefined) {
    const actual = await this.#fileHash(this.blobs.pathOf(row.sha256));
    const integrity: SegmentIntegrity =
      actual === null ? 'missing' : actual === auditSha256 && actual === row.sha256 ? 'intact' : 'tampered';
    return integrity;
  }

  async segment(id: string) {
    const [row] = await this.#db.select().from(recordingSegments).where(eq(recordingSegments.id, id));
    if (!row) throw new AppError('RECORDING_NOT_FOUND');
    return { row, path: this.blobs.pathOf(row.sha256) };
  }

  /** Every room that has recordings, newest first, named by its tender or evaluation. */
  async rooms(): Promise<RecordedRoom[]> {
    const rows = await this.#db
      .select({
        room: recordingSegments.room,
        segments: count(),
        firstAt: min(recordingSegments.startedAt),
        lastAt: max(recordingSegments.endedAt),
      })
      .from(recordingSegments)
      .groupBy(recordingSegments.room)
      .orderBy(desc(max(recordingSegments.endedAt)));
    const ids = (kind: MediaRoom['kind']) =>
      rows.map((r) => parseRoom(r.room)).flatMap((room) => (room?.kind === kind ? [room.id] : []));
    const hallIds = ids('hall');
    const evaluationIds = ids('eval');
    const tenderNames = hallIds.length
      ? await this.#db
          .select({ id: tenders.id, code: tenders.code, title: tenders.title })
          .from(tenders)
          .where(inArray(tenders.id, hallIds))
      : [];
    const evaluationNames = evaluationIds.length
      ? await this.#db
          .select({ id: evaluations.id, title: evaluations.title })
          .from(evaluations)
          .where(inArray(evaluations.id, evaluationIds))
      : [];
    const labels = new Map<string, string>([
      ...tenderNames.map((t): [string, string] => [
        roomName({ kind: 'hall', id: t.id }),
        `${t.code} ${t.title}`,
      ]),
      ...evaluationNames.map((e): [string, string] => [roomName({ kind: 'eval', id: e.id }), e.title]),
    ]);
    return rows.map((r) => ({
      room: r.room,
      label: labels.get(r.room) ?? r.room,
      segments: r.segments,
      firstAt: (r.firstAt as Date).toISOString(),
      lastAt: (r.lastAt as Date).toISOString(),
    }));
  }

  /** Every segment of a room with its integrity, and the audit events of the room in the same order. */
  async playback(room: string): Promise<PlaybackView> {
    const rows = await this.#db
      .select()
      .from(recordingSegments)
      .where(eq(recordingSegments.room, room))
      .orderBy(asc(recordingSegments.startedAt));
    const audited = rows.length
      ? await this.#db
          .select({ seq: auditLog.seq, entry: auditLog.entry })
          .from(auditLog)
          .where(
            inArray(
              auditLog.seq,
              rows.map((r) => r.auditSeq),
            ),
          )
      : [];
    const auditedSha = new Map(
      audited.map((a) => [a.seq, (JSON.parse(a.entry) as AuditEntry).detail.sha256 as string | undefined]),
    );
    const segments: RecordingSegmentView[] = [];
    for (const row of rows) {
      segments.push({
        id: row.id,
        venue: row.venue,
        peerName: row.peerName,
        kinds: row.kinds,
        startedAt: row.startedAt.toISOString(),
        endedAt: row.endedAt.toISOString(),
        bytes: row.bytes,
        sha256: row.sha256,
        auditSeq: row.auditSeq,
        integrity: await this.integrityOf(row, auditedSha.get(row.auditSeq)),
        mediaUrl: `/api/recordings/${row.id}/media`,
      });
    }
    const tenderId = await this.#tenderOf(room);
    // A hall's timeline is its tender's opening; an evaluation's is what targeted the evaluation or one
    // of its venues (its creation, tickets, segments), not the opening of the tender it evaluates.
    const ofRoom = like(auditLog.entry, `%"target":"${room}%`);
    const events = await this.#db
      .select({ seq: auditLog.seq, entry: auditLog.entry })
      .from(auditLog)
      .where(
        parseRoom(room)?.kind === 'hall' && tenderId
          ? and(eq(auditLog.tenderId, tenderId), notLike(auditLog.entry, '%"target":"eval:%'))
          : ofRoom,
      )
      .orderBy(asc(auditLog.seq))
      .limit(2000);
    const parsed = events.map(({ entry }) => ({ entry: JSON.parse(entry) as AuditEntry }));
    const [tender] = tenderId
      ? await this.#db.select({ status: tenders.status }).from(tenders).where(eq(tenders.id, tenderId))
      : [];
    const { readable } = tender ? readableEntries(tender.status, parsed) : { readable: parsed };
    return {
      segments,
      events: readable.map(({ entry: parsed }) => {
        return {
          seq: parsed.seq,
          at: parsed.at,
          action: parsed.action,
          outcome: parsed.outcome,
          role: parsed.role,
          target: parsed.target,
        };
      }),
    };
  }
}
