import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('starts on embedded defaults with nothing set', () => {
    const config = loadConfig({}, { checkFiles: false });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      databaseUrl: undefined,
      usesDevPki: true,
      tokenTtlMinutes: 30,
    });
  });

  it('logs each request in production and off a terminal, and not on a developer’s terminal unless asked', () => {
    const terminal = process.stdout.isTTY;
    try {
      process.stdout.isTTY = true;
      expect(loadConfig({}, { checkFiles: false }).requestLogs).toBe(false);
      expect(loadConfig({ REQUEST_LOGS: 'true' }, { checkFiles: false }).requestLogs).toBe(true);
      expect(loadConfig({ TRUSTED_CA_FILES: 'ca.pem' }, { checkFiles: false }).requestLogs).toBe(true);
      process.stdout.isTTY = false;
      expect(loadConfig({}, { checkFiles: false }).requestLogs).toBe(true);
    } finally {
      process.stdout.isTTY = terminal;
    }
  });

  it('reports every bad value by name, with what it expected and what it got', () => {
    let error: unknown;
    try {
      loadConfig(
        {
          PORT: 'eighty',
          DATABASE_URL: 'mysql://root:hunter2@db/x',
          LOG_LEVEL: 'loud',
          TOKEN_SECRET: 'short',
          TRUST_PROXY: 'maybe',
          TLS_CERT_FILE: 'cert.pem',
          MAX_DOCUMENTS_BYTES: '-5',
        },
        { checkFiles: false },
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect([...problems].sort()).toEqual([
      expect.stringMatching(/^DATABASE_URL: expected a postgres: or postgresql:\/\/ URL/),
      expect.stringMatching(/^LOG_LEVEL: .*"loud"/),
      expect.stringMatching(/^MAX_DOCUMENTS_BYTES: .*"-5"/),
      expect.stringMatching(/^PORT: .*"eighty"/),
      expect.stringMatching(/^TLS_CERT_FILE and TLS_KEY_FILE/),
      expect.stringMatching(/^TOKEN_SECRET: must be at least 32/),
      expect.stringMatching(/^TRUST_PROXY: .*"maybe"/),
    ]);
    // The password in a bad URL is never echoed.
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('checks that configured files can be read', () => {
    expect(() => loadConfig({ TRUSTED_CA_FILES: '/nonexistent/ca.pem' })).toThrow(
      /TRUSTED_CA_FILES: cannot read "\/nonexistent\/ca.pem"/,
    );
  });

  it('seal-20: SFU URLs are https://, or http:// on this machine only', () => {
    expect(() =>
      loadConfig(
        { SFU_URLS: 'beijing=http://10.1.2.3:4443', MEDIA_TICKET_SECRET: 'x'.repeat(32) },
        { checkFiles: false },
      ),
    ).toThrow(/SFU_URLS: beijing's SFU must be served over https/);
    const config = loadConfig(
      {
        SFU_URLS: 'beijing=https://sfu-bj.example:4443,shanghai=http://127.0.0.1:4444',
        MEDIA_TICKET_SECRET: 'x'.repeat(32),
      },
      { checkFiles: false },
    );
    expect(config.sfus.map((s) => s.city)).toEqual(['beijing', 'shanghai']);
  });
});
