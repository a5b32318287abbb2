/**
 * The start command serves the browser client from client/dist. On a fresh clone (or after the client
 * or the shared contract changed) it builds it first, so `npm start` alone gives a working page.
 * Deployments build once with `npm run build`.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestChange(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

export function clientBuildIsCurrent(root: string): boolean {
  const index = join(root, 'client', 'dist', 'index.html');
  if (!existsSync(index)) return false;
  const built = statSync(index).mtimeMs;
  const sources = [join(root, 'client', 'src'), join(root, 'shared', 'src')];
  return (
    sources.every((dir) => newestChange(dir) <= built) &&
    statSync(join(root, 'client', 'index.html')).mtimeMs <= built
  );
}

/**
 * Builds into a fresh folder and swaps it in, so that a server (or a test) reading client/dist never sees
 * it half-written.
 */
export async function buildClient(root: string): Promise<void> {
  const { build } = await import('vite');
  const dist = join(root, 'client', 'dist');
  const fresh = `${dist}.building-${process.pid}`;
  await build({
    configFile: join(root, 'client', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: fresh, emptyOutDir: true },
  });
  const old = `${dist}.old-${process.pid}`;
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(fresh, dist);
  rmSync(old, { recursive: true, force: true });
}
