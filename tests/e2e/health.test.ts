/**
 * Operations' view of a server process: liveness, readiness with what it checked (the database, Redis,
 * the blob storage, each configured SFU), load shedding with Retry-After while the event loop lags,
 * and the Prometheus metrics, read by the scraper's token only.
 */
import { errorCatalogue } from '@bidhall/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let hostToken: string;
const metricsToken = 'metrics-scraper-token-for-the-test';

beforeAll(async () => {
  server = await startTestServer({
    env: { REDIS_URL: 'redis://127.0.0.1:6379', METRICS_TOKEN: metricsToken },
  });
  hostToken = (await server.login('host', 'host')).token;
});
afterAll(async () => {
  await server?.close();
});

/** Holds the event loop for `ms`, as a CPU-bound burst would. */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe('health, load shedding and metrics', () => {
  it('is live, and ready once the database, Redis and the storage answer', async () => {
    const live = await server.app.inject({ url: '/health/live' });
    expect([live.statusCode, live.json()]).toEqual([200, { status: 'live' }]);
    const ready = await server.app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', redis: 'ok', storage: 'ok', sfus: {} },
    });
  });

  it('is not ready while an SFU it routes venues to does not answer, and says which', async () => {
    const withSfu = await startTestServer({
      kind: 'pglite',
      env: {
        // Nothing listens on port 9: the SFU of this city is down.
        SFU_URLS: 'beijing=http://127.0.0.1:9',
        MEDIA_TICKET_SECRET: 'a-media-ticket-secret-of-32-characters',
      },
    });
    try {
      const ready = await withSfu.app.inject({ url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      const body = ready.json<{ status: string; checks: { sfus: Record<string, string> } }>();
      expect(body.status).toBe('not-ready');
      expect(body.checks.sfus.beijing).toMatch(/^down: /);
      // Still alive: only traffic should go elsewhere.
      expect((await withSfu.app.inject({ url: '/health/live' })).statusCode).toBe(200);
    } finally {
      await withSfu.close();
    }
  });

  it('sheds requests with 503 SERVER_BUSY and Retry-After while the event loop lags, then serves again', async () => {
    // A process of its own with a low limit: the bursts below stay under the other server's default.
    const busy = await startTestServer({ kind: 'pglite', env: { MAX_EVENT_LOOP_DELAY_MS: '50' } });
    try {
      // Served once the loop is free (start-up itself held it).
      let token = '';
      await expect
        .poll(
          async () => {
            token = await busy.login('host', 'host').then(
              (l) => l.token,
              () => '',
            );
            return token;
          },
          { timeout: 20_000 },
        )
        .not.toBe('');
      const me = () =>
        busy.app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
      await expect.poll(async () => (await me()).statusCode, { timeout: 20_000, interval: 200 }).toBe(200);
      // Bursts hold the loop most of the time: the mean delay over under-pressure's 1 s sample passes 50 ms.
      let shed: Awaited<ReturnType<typeof me>> | null = null;
      await expect
        .poll(
          async () => {
            block(900);
            await new Promise((resolve) => setTimeout(resolve, 5));
            const answer = await me();
            if (answer.statusCode === 503) shed = answer;
            return answer.statusCode;
          },
          { timeout: 20_000, interval: 50 },
        )
        .toBe(503);
      expect(shed!.headers['retry-after']).toBe('10');
      expect(shed!.json()).toMatchObject({ code: 'SERVER_BUSY', message: errorCatalogue.SERVER_BUSY.en });
      // Probes are answered even then.
      expect((await busy.app.inject({ url: '/health/live' })).statusCode).toBe(200);
      const metrics = await busy.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' });
      expect(metrics.body).toMatch(/bidhall_requests_shed_total [1-9]/);
      // Once the loop is free again, requests are served.
      await expect.poll(async () => (await me()).statusCode, { timeout: 20_000, interval: 200 }).toBe(200);
    } finally {
      await busy.close();
    }
  });

  it('serves Prometheus metrics to the scraper’s token only: latency per route, sockets, the audit, uploads', async () => {
    const refused = await server.app.inject({ url: '/metrics' });
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'METRICS_FORBIDDEN']);
    const wrong = await server.app.inject({ url: '/metrics', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(403);
    await server.createTender(hostToken);
    const metrics = await server.app.inject({
      url: '/metrics',
      headers: { authorization: `Bearer ${metricsToken}` },
    });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    const text = metrics.body;
    expect(text).toMatch(
      /bidhall_http_request_duration_seconds_count\{[^}]*route="\/api\/tenders"[^}]*\} [1-9]/,
    );
    expect(text).toMatch(/bidhall_audit_append_seconds_count [1-9]/);
    expect(text).toMatch(/bidhall_socket_connections\{namespace="\/hall"\} 0/);
    expect(text).toContain('bidhall_requests_shed_total 0');
    expect(text).toContain('bidhall_upload_bytes_in_flight 0');
    expect(text).toContain('bidhall_process_resident_memory_bytes');
  });
});
