/**
 * Reading configuration from the environment, for every process (the server, the SFU): each reader
 * returns a value or its fallback and records what was wrong with the variable — its name, what was
 * expected and what was given — so that a process reports every bad value at once and starts only when
 * there is none. Node only (paths resolve against the working directory).
 */
import { isAbsolute, resolve } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Hides a password in a connection URL before it is printed. */
export function redact(raw: string): string {
  return raw.replace(/(\/\/[^:/@]+:)[^@]+@/, '$1***@');
}

export function envReader(env: Env) {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };
  return {
    problems,
    value,
    integer(name: string, fallback: number, min: number, max: number): number {
      const raw = value(name);
      if (raw === undefined) return fallback;
      const parsed = Number(raw);
      if (!/^\d+$/.test(raw) || parsed < min || parsed > max) {
        problems.push(`${name}: expected a whole number from ${min} to ${max}, got "${raw}"`);
        return fallback;
      }
      return parsed;
    },
    url(name: string, protocols: readonly string[]): string | undefined {
      const raw = value(name);
      if (raw === undefined) return undefined;
      try {
        const parsed = new URL(raw);
        if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      } catch {
        problems.push(`${name}: expected a ${protocols.join(' or ')}// URL, got "${redact(raw)}"`);
      }
      return raw;
    },
    path(name: string, fallback: string): string {
      const raw = value(name) ?? fallback;
      return isAbsolute(raw) ? raw : resolve(raw);
    },
    paths(name: string, fallback: readonly string[]): string[] {
      const raw = value(name);
      return raw === undefined
        ? [...fallback]
        : raw
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean)
            .map((p) => resolve(p));
    },
    boolean(name: string, fallback: boolean): boolean {
      const raw = value(name);
      if (raw === undefined) return fallback;
      if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
      if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
      problems.push(`${name}: expected true or false, got "${raw}"`);
      return fallback;
    },
    /** TLS_CERT_FILE and TLS_KEY_FILE: both or neither, resolved. */
    tlsFiles(): { certFile: string; keyFile: string } | undefined {
      const certFile = value('TLS_CERT_FILE');
      const keyFile = value('TLS_KEY_FILE');
      if ((certFile === undefined) !== (keyFile === undefined)) {
        problems.push('TLS_CERT_FILE and TLS_KEY_FILE: set both or neither');
        return undefined;
      }
      return certFile && keyFile ? { certFile: resolve(certFile), keyFile: resolve(keyFile) } : undefined;
    },
    /** Throws ConfigError with every problem recorded so far, if any. */
    done(): void {
      if (problems.length > 0) throw new ConfigError(problems);
    },
  };
}
