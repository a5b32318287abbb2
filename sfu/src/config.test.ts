import { ConfigError } from '@bidhall/shared/env';
import { describe, expect, it } from 'vitest';
import { loadSfuConfig } from './config.ts';

const secret = 'an-sfu-test-secret-of-at-least-32-chars';

describe('the SFU configuration', () => {
  it('starts on loopback defaults with only the shared secret set', () => {
    const config = loadSfuConfig({ MEDIA_TICKET_SECRET: secret }, { checkFiles: false });
    expect(config).toMatchObject({
      name: 'local',
      host: '127.0.0.1',
      port: 4443,
      listenIp: '127.0.0.1',
      serverUrl: undefined,
      tls: undefined,
      recordingSegmentSeconds: 300,
    });
  });

  it('reports every bad value by name, with what it expected and what it got', () => {
    let error: unknown;
    try {
      loadSfuConfig(
        {
          MEDIA_TICKET_SECRET: 'short',
          SFU_NAME: 'Bei Jing',
          SFU_PORT: 'http',
          SFU_WORKERS: '0',
          SFU_HOST: '0.0.0.0',
          BIDHALL_URL: 'http://10.1.2.3:3000',
          SFU_RTC_MIN_PORT: '50000',
          SFU_RTC_MAX_PORT: '40000',
          TLS_KEY_FILE: 'key.pem',
        },
        { checkFiles: false },
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect([...(error as ConfigError).problems].sort()).toEqual([
      expect.stringMatching(/^BIDHALL_URL: .*https:\/\/.*"http:\/\/10\.1\.2\.3:3000"/),
      expect.stringMatching(/^MEDIA_TICKET_SECRET: required, at least 32/),
      expect.stringMatching(/^SFU_HOST 0\.0\.0\.0: .*HTTPS/),
      expect.stringMatching(/^SFU_NAME: .*"Bei Jing"/),
      expect.stringMatching(/^SFU_PORT: .*"http"/),
      expect.stringMatching(/^SFU_RTC_MIN_PORT 50000 is above SFU_RTC_MAX_PORT 40000/),
      expect.stringMatching(/^SFU_WORKERS: .*from 1 to 256, got "0"/),
      'TLS_CERT_FILE and TLS_KEY_FILE: set both or neither',
    ]);
  });

  it('refuses TLS files it cannot read', () => {
    expect(() =>
      loadSfuConfig({
        MEDIA_TICKET_SECRET: secret,
        TLS_CERT_FILE: '/nonexistent/cert.pem',
        TLS_KEY_FILE: '/nonexistent/key.pem',
        TLS_CA_FILES: '/nonexistent/ca.pem',
      }),
    ).toThrow(/TLS_CERT_FILE: cannot read[\s\S]*TLS_KEY_FILE: cannot read[\s\S]*TLS_CA_FILES: cannot read/);
  });
});
