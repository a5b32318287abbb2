/**
 * Follows one tender's hall from a page: connects with the login token, keeps the view (snapshot plus
 * every later event, via the pure reducer in hall-state.ts), the documents progress, the server clock and
 * the connection state. After a dropped connection it shows "reconnecting" and catches up on what it
 * missed (HallClient re-joins with the last sequence number it applied).
 */
import { HallClient } from '@bidhall/shared/hall-client';
import { useEffect, useRef, useState } from 'react';
import { applyEvent, fromSnapshot, type HallView } from '../hall-state.ts';

export type Connection = 'connecting' | 'online' | 'reconnecting';

export interface Hall {
  readonly view: HallView | null;
  readonly connection: Connection;
  readonly progress: Readonly<Record<string, number>>;
  readonly client: HallClient | null;
  /** A fatal problem joining (no such tender, no grant): shown instead of the hall. */
  readonly error: unknown;
}

export function useHall(token: string, tenderId: string): Hall {
  const [view, setView] = useState<HallView | null>(null);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [progress, setProgress] = useState<Record<string, number>>({});
  const [error, setError] = useState<unknown>(null);
  const [client, setClient] = useState<HallClient | null>(null);
  const joined = useRef(false);
  // The connection is made once per tender; a renewed token is handed to it (below), not a reconnection.
  const firstToken = useRef(token);

  useEffect(() => {
    const hall = new HallClient({ url: window.location.origin, token: firstToken.current });
    joined.current = false;
    setClient(hall);
    hall.socket.on('disconnect', () => setConnection('reconnecting'));
    hall.socket.on('connect', () => {
      if (joined.current) setConnection('online');
    });
    hall.socket.on('hall:progress', (p) => {
      if (p.tenderId === tenderId) setProgress((current) => ({ ...current, [p.bidId]: p.progress }));
    });
    const stop = hall.onEvent((event) =>
      setView((current) => (current ? applyEvent(current, event) : current)),
    );
    void (async () => {
      try {
        await hall.connect();
        const snapshot = await hall.join(tenderId);
        // The whole story so far, for the timeline: events up to the snapshot.
        const { missed: history } = await hall.request('hall:join', { tenderId, afterSeq: 0 });
        let next: HallView = {
          ...fromSnapshot(snapshot),
          timeline: history
            .filter((e) => e.seq <= snapshot.seq)
            .map((event) => ({ seq: event.seq, at: event.at, event })),
        };
        for (const event of hall.events) next = applyEvent(next, event);
        joined.current = true;
        setView(next);
        setConnection('online');
        await hall.syncTime();
      } catch (joinError) {
        setError(joinError);
      }
    })();
    return () => {
      stop();
      hall.close();
    };
  }, [tenderId]);

  useEffect(() => {
    if (client && token !== firstToken.current) void client.renew(token).catch(() => undefined);
  }, [client, token]);

  return { view, connection, progress, client, error };
}

/** Re-renders every `intervalMs`, for countdowns. */
export function useTicker(intervalMs = 500): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/**
 * Whether this bidder has the same hall open in another tab of this browser: both keep working (they
 * are the same person), but the page says so, so that nobody acts twice without noticing.
 */
export function useOtherTab(channelName: string): boolean {
  const [other, setOther] = useState(false);
  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return;
    const channel = new BroadcastChannel(channelName);
    channel.onmessage = (message: MessageEvent<string>) => {
      setOther(true);
      if (message.data === 'hello') channel.postMessage('here');
    };
    channel.postMessage('hello');
    return () => channel.close();
  }, [channelName]);
  return other;
}
