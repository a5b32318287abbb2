/**
 * Follows one committee from a page: joins `/evaluation` with the login token, and on every event (which
 * is sealed: it names places, not people) reloads the committee's and the review's views as this reader
 * may see them over HTTP. After a dropped connection it says "reconnecting" and, back online, joins again
 * and reloads, so nothing that happened meanwhile is missed. The server's clock is estimated from the
 * join's round trip, as the hall's is, so deadlines count down on the server's time.
 */
import {
  type CommitteeView,
  type EvaluationClientEvents,
  type EvaluationRequests,
  type EvaluationServerEvents,
  RequestError,
  type ReviewView,
  sendRequest,
  type VenuePlace,
} from '@bidhall/shared';
import { useCallback, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { api } from '../api.ts';
import type { Connection } from '../hall/useHall.ts';

export interface CommitteeLive {
  readonly view: CommitteeView | null;
  readonly review: ReviewView | null;
  readonly connection: Connection;
  /** Server time minus this machine's, in ms. */
  readonly offsetMs: number;
  /** Counts the changes seen, for panels that load more (documents, clarifications, the report). */
  readonly version: number;
  /** A fatal problem (no such committee, not allowed): shown instead of the page. */
  readonly error: unknown;
  /** Reloads the views now (after one's own action, not waiting for its event). */
  readonly reload: () => Promise<void>;
}

export type EvaluationSocket = Socket<EvaluationServerEvents, EvaluationClientEvents>;

/** A connection to `/evaluation` of its own that always hands the current token to a reconnection. */
export function evaluationSocket(token: () => string): EvaluationSocket {
  return io(`${window.location.origin}/evaluation`, {
    auth: (send) => send({ token: token() }),
    transports: ['websocket'],
    // Its own connection: a page may also hold the hall's, and the two must not share one.
    forceNew: true,
  });
}

export function useCommittee(token: string, committeeId: string): CommitteeLive {
  const [view, setView] = useState<CommitteeView | null>(null);
  const [review, setReview] = useState<ReviewView | null>(null);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [offsetMs, setOffsetMs] = useState(0);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const tokenRef = useRef(token);
  tokenRef.current = token;

  const reload = useCallback(async () => {
    const options = { token: tokenRef.current };
    const [committee, reviewed] = await Promise.all([
      api<CommitteeView>('GET', `/api/committees/${committeeId}`, options),
      // A committee without a plan yet, or a reader the review is not for: no review to show.
      api<ReviewView>('GET', `/api/committees/${committeeId}/review`, options).catch(() => null),
    ]);
    setView(committee);
    setReview(reviewed);
    setVersion((v) => v + 1);
  }, [committeeId]);

  useEffect(() => {
    const socket = evaluationSocket(() => tokenRef.current);
    let joinedOnce = false;
    // Events come in bursts (a step publishes several): one reload for a burst.
    let pending: ReturnType<typeof setTimeout> | undefined;
    const reloadSoon = () => {
      clearTimeout(pending);
      pending = setTimeout(() => void reload().catch(() => undefined), 150);
    };
    socket.on('eval:event', reloadSoon);
    socket.on('disconnect', () => setConnection('reconnecting'));
    socket.on('connect', () => {
      const sent = Date.now();
      sendRequest<EvaluationRequests, 'eval:join'>(socket, 10_000, 'eval:join', { committeeId }).then(
        async (joined) => {
          setOffsetMs(joined.serverTime - (sent + Date.now()) / 2);
          joinedOnce = true;
          setView(joined.view);
          setConnection('online');
          await reload().catch(() => undefined);
        },
        (joinError: unknown) => {
          // Only a refusal is fatal (no such committee, not allowed); a slow or lost answer is retried
          // by reconnecting, the page meanwhile saying it is reconnecting.
          if (joinError instanceof RequestError) {
            if (!joinedOnce) setError(joinError);
            return;
          }
          setConnection('reconnecting');
          socket.disconnect().connect();
        },
      );
    });
    return () => {
      clearTimeout(pending);
      socket.close();
    };
  }, [committeeId, reload]);

  return { view, review, connection, offsetMs, version, error, reload };
}

/** The place of the reader on the committee, when it sits on it. */
export function ownPlace(view: CommitteeView) {
  return view.members.find((m) => m.id === view.you) ?? null;
}

/** The venue (as the video module names it) of a member sitting in `city`. */
export function venueOfCity(view: CommitteeView, city: string): string {
  const main = view.venues.find((v) => v.main)?.city;
  return city === main ? `eval:${view.evaluationId}:main` : `eval:${view.evaluationId}:sub:${city}`;
}

/** The trading centre a venue of the committee is in (what its video group is called). */
export function centreOf(view: CommitteeView, place: VenuePlace): string | undefined {
  return view.venues.find((v) =>
    place.kind === 'main' ? v.main : !v.main && place.kind === 'sub' && v.city === place.city,
  )?.centre;
}

/** Who a place is, as this member may see it: the name once it may, else the seat. */
export function placeName(view: CommitteeView, memberId: string): string {
  const member = view.members.find((m) => m.id === memberId);
  return member?.name ?? member?.seat ?? memberId.slice(0, 8);
}
