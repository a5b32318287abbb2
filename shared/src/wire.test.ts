/**
 * The realtime contracts' derived maps: the Socket.IO event maps, the grants and the handler types all
 * follow the request tables, so a request missing from one of them, or a payload of the wrong shape,
 * does not compile (checked by `tsc` over the tests), and the tables hold what the server relies on.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type ClientToServerEvents,
  type HallGrant,
  type HallRequests,
  type HallWindow,
  hallRequests,
} from './hall.ts';
import type { HallClient } from './hall-client.ts';
import { type MediaClientToServerEvents, type MediaRequests, mediaRequests } from './media.ts';
import { type Action, actions, roleGrants } from './roles.ts';
import type { Handlers } from './serve-requests.ts';
import type { AnswerOf, PayloadOf } from './wire.ts';

describe('the request tables', () => {
  it('derive the event maps: payload from the schema, answer from the table', () => {
    expectTypeOf<Parameters<ClientToServerEvents['hall:pause']>[0]>().toEqualTypeOf<{
      tenderId: string;
      reason: string;
    }>();
    expectTypeOf<AnswerOf<HallRequests, 'hall:pause'>>().toEqualTypeOf<HallWindow>();
    expectTypeOf<PayloadOf<HallRequests, 'hall:decrypt'>['part']>().toEqualTypeOf<'summary' | 'documents'>();
    expectTypeOf<keyof ClientToServerEvents>().toEqualTypeOf<keyof HallRequests>();
    expectTypeOf<keyof MediaClientToServerEvents>().toEqualTypeOf<keyof MediaRequests>();
    expectTypeOf<HallGrant>().toExtend<Action>();
    // @ts-expect-error a request the table does not hold is no event
    expectTypeOf<ClientToServerEvents['hall:shout']>().toBeFunction();
  });

  it('type the senders and the servers from the same table', () => {
    const send = (client: HallClient) => {
      // @ts-expect-error a pause needs its reason
      void client.request('hall:pause', { tenderId: 'x' });
      // @ts-expect-error and nothing the schema does not name
      void client.request('hall:close', { tenderId: 'x', force: true });
      return client.request('hall:extend', { tenderId: 'x', minutes: 5, reason: 'network' });
    };
    expectTypeOf(send).returns.resolves.toEqualTypeOf<HallWindow>();
    // @ts-expect-error a server must handle every request of the table
    const partial: Handlers<HallRequests, null> = { 'hall:time': async () => ({ serverTime: 0 }) };
    expect(partial).toBeDefined();
  });

  it('name only known grants, and every grant is given to some role', () => {
    const grants = new Set(Object.values(hallRequests).map((spec) => spec.grant));
    for (const grant of grants) {
      expect(actions).toContain(grant);
      expect(Object.values(roleGrants).some((g) => g.actions.has(grant))).toBe(true);
    }
    expect(new Set(actions).size).toBe(actions.length);
    // Every hall request but joining, keeping time and renewing acts on a joined hall.
    const unscoped = Object.entries(hallRequests)
      .filter(([, spec]) => !spec.scoped)
      .map(([event]) => event);
    expect(unscoped.sort()).toEqual(['hall:join', 'hall:renew', 'hall:time']);
    expect(Object.keys(mediaRequests)).toContain('media:join');
  });
});
