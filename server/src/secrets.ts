import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A secret from the configuration, or else one generated once into `<dataDir>/secrets/<name>` (mode 600)
 * and read back by every later start and by other processes sharing the data folder.
 */
export async function configuredOrStoredSecret(
  configured: string | undefined,
  dataDir: string,
  name: string,
): Promise<string> {
  if (configured) return configured;
  const file = join(dataDir, 'secrets', name);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
    // `wx`: when two processes race, the first file wins and both read it back.
    await writeFile(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' }).catch(
      () => undefined,
    );
    return (await readFile(file, 'utf8')).trim();
  }
}
