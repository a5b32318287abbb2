/**
 * Child process of the decryption benchmark: starts the server (its scheduler and worker threads), sets
 * every content key at once — the moment the last key arrives — and waits for every documents part to
 * be decrypted. Prints { seconds, maxRssMb, decrypted } as JSON.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { buildApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';

const keys = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { bidId: string; key: string }[];
const app = await buildApp({ config: loadConfig() });
await app.ready();
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
const started = performance.now();
await client.query(
  `UPDATE bids SET documents_key = decode(k.key, 'base64') FROM jsonb_to_recordset($1::jsonb) AS k("bidId" uuid, key text)
   WHERE bids.id = k."bidId"`,
  [JSON.stringify(keys)],
);
app.scheduler.poke();
let decrypted = 0;
// A job that never finishes is reported, not waited for forever.
const giveUpAt = Date.now() + Number(process.env.BENCH_DECRYPT_TIMEOUT_SECONDS ?? 1800) * 1000;
for (;;) {
  if (Date.now() > giveUpAt) {
    console.error(`decryption did not finish: ${decrypted} of ${keys.length} after the time limit`);
    break;
  }
  const { rows } = await client.query(
    `SELECT count(*) FILTER (WHERE documents_plain_sha256 IS NOT NULL)::int AS done,
            count(*) FILTER (WHERE opening_status = 'invalid')::int AS failed FROM bids`,
  );
  decrypted = rows[0].done;
  if (rows[0].done + rows[0].failed >= keys.length) break;
  await new Promise((r) => setTimeout(r, 50));
}
const seconds = (performance.now() - started) / 1000;
await client.end();
await app.close();
console.log(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, decrypted }));
process.exit(0);
