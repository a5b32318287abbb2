#!/usr/bin/env node
/**
 * bidhall's command line: start the server, seal and submit bids, verify the audit log, register staff.
 * Runs on Node 24 directly from TypeScript (type stripping); no build step.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expertCsvColumns, isRole, type Role, sealedFileNames, type TenderView } from '@bidhall/shared';
import { Command, Option } from 'commander';
import { devPkiIsCurrent, generateDevPki } from '../certs/generate.ts';
import { ApiClient, ApiError, credentialsFrom } from '../server/src/cli/api-client.ts';
import { type Config, ConfigError, loadConfig, repositoryRoot } from '../server/src/config.ts';
import { AppError } from '../server/src/errors.ts';
import { parseCertificate } from '../server/src/pki/certificate.ts';

// Commands import what they need when they run: a bidder sealing a bid should not wait for the
// server, the database drivers and the ORM to load.
const server = () => import('../server/src/server.ts');
const database = () => import('../server/src/db/client.ts');

function config(): Config {
  // With the dev PKI configured, make sure it exists before the configuration checks its files.
  const probe = loadConfig(process.env, { checkFiles: false });
  if (probe.usesDevPki && !devPkiIsCurrent()) {
    console.error('bidhall: generating the development PKI (certs/out)…');
    generateDevPki();
  }
  return loadConfig();
}

function role(value: string): Role {
  if (!isRole(value)) throw new Error(`unknown role "${value}"`);
  return value;
}

const program = new Command()
  .name('bidhall')
  .description('bidhall: no-show bid opening and remote evaluation (不见面开标与远程异地评标)')
  .showHelpAfterError();

program
  .command('start')
  .description('start the server (embedded PostgreSQL and the dev PKI unless configured otherwise)')
  .action(async () => {
    const settings = config();
    const { buildClient, clientBuildIsCurrent } = await import('../client/build.ts');
    if (!clientBuildIsCurrent(repositoryRoot)) {
      console.error('bidhall: building the browser client (client/dist)…');
      await buildClient(repositoryRoot);
    }
    const { startServer } = await server();
    const { startLocalSfu } = await import('./local-sfu.ts');
    await startServer(settings, { localSfu: startLocalSfu });
  });

program
  .command('certs')
  .description('generate the development PKI in certs/out')
  .option('--force', 'regenerate even when current')
  .action((options: { force?: boolean }) => {
    if (!options.force && devPkiIsCurrent())
      return console.log('dev PKI is current (use --force to regenerate)');
    generateDevPki();
    console.log('dev PKI written to certs/out (PKCS#12 PIN 123456)');
  });

const audit = program.command('audit').description('the tamper-evident audit log');
audit
  .command('verify')
  .description('recompute the hash chain and report the first altered, removed or reordered entry')
  .option('--anchor <seq:hash...>', 'known (seq, hash) pairs, e.g. from signed receipts')
  .option('--json', 'print the report as JSON')
  .action(async (options: { anchor?: string[]; json?: boolean }) => {
    const settings = config();
    const { verifyAuditChain } = await import('../server/src/audit/verify.ts');
    const handle = await (await database()).openDatabase({
      url: settings.databaseUrl,
      dataDir: settings.dataDir,
    });
    try {
      const anchors = (options.anchor ?? []).map((text) => {
        const [seq, hash] = text.split(':');
        if (!seq || !hash || !/^\d+$/.test(seq) || !/^[0-9a-fA-F]{64}$/.test(hash))
          throw new Error(`bad anchor "${text}"`);
        return { seq: Number(seq), hash };
      });
      const started = performance.now();
      const report = await verifyAuditChain(handle, {
        anchors,
        onProgress: (n) => process.stderr.isTTY && process.stderr.write(`\rchecked ${n} entries`),
      });
      const seconds = (performance.now() - started) / 1000;
      if (process.stderr.isTTY) process.stderr.write('\n');
      if (options.json) console.log(JSON.stringify(report));
      else if (report.ok) {
        console.log(
          `audit chain intact: ${report.entries} entries in ${seconds.toFixed(2)} s; head ${report.head ? `${report.head.seq}:${report.head.hash}` : '(empty)'}`,
        );
      } else {
        console.log(
          `audit chain BROKEN at entry ${report.seq} (${report.problem}): ${report.message}; ${report.entries} entries before it verify`,
        );
      }
      process.exitCode = report.ok ? 0 : 1;
    } finally {
      await handle.close();
    }
  });

program
  .command('actors')
  .description('registered staff')
  .command('add')
  .description('register a host, supervisor, expert, custodian, tenderee or admin by certificate')
  .requiredOption('--role <role>', 'role to grant')
  .requiredOption('--cert <file>', 'signing certificate (PEM)')
  .option('--enc-cert <file>', 'encryption certificate (PEM); custodians need one')
  .action(async (options: { role: string; cert: string; encCert?: string }) => {
    const settings = config();
    const { registerActor } = await import('../server/src/auth/actors.ts');
    const { TrustStore } = await import('../server/src/pki/trust-store.ts');
    const handle = await (await database()).openDatabase({
      url: settings.databaseUrl,
      dataDir: settings.dataDir,
    });
    try {
      const trust = await TrustStore.fromFiles(
        settings.trustedCaFiles,
        settings.crlFiles,
        settings.identityRulesFile,
      );
      const actor = await registerActor(
        handle.db,
        trust,
        {
          role: role(options.role),
          signingCertificate: await readFile(options.cert, 'utf8'),
          encryptionCertificate: options.encCert ? await readFile(options.encCert, 'utf8') : undefined,
        },
        new Date(),
      );
      console.log(`registered ${actor.name} (${actor.identity}) as ${actor.role}: ${actor.id}`);
    } finally {
      await handle.close();
    }
  });

/** The database of this installation, for commands an administrator runs on the server's machine. */
async function withDatabase<T>(
  work: (db: import('../server/src/db/client.ts').Database) => Promise<T>,
): Promise<T> {
  const settings = config();
  const handle = await (await database()).openDatabase({
    url: settings.databaseUrl,
    dataDir: settings.dataDir,
  });
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

const cliAudit = { actorId: null, role: 'admin' as const, ip: null };

program
  .command('experts')
  .description('the expert pool (专家库)')
  .command('import')
  .description('add or update experts from a CSV file (every line in, or none)')
  .argument('<file>', `CSV, UTF-8, header: ${expertCsvColumns.join(',')}`)
  .action(async (file: string) => {
    const { ExpertPool } = await import('../server/src/evaluation/pool.ts');
    const text = await readFile(file, 'utf8');
    const result = await withDatabase((db) => new ExpertPool(db).importCsv(text, cliAudit, new Date()));
    console.log(`imported ${file}: ${result.added} added, ${result.updated} updated`);
  });

program
  .command('seats')
  .description('the seat catalogue (评标席位)')
  .command('add')
  .description('register a seat of a trading centre, with the network it joins from')
  .requiredOption('--centre <name>', 'trading centre, e.g. 北京市公共资源交易中心')
  .requiredOption('--city <pinyin>', 'its city as venues name it, e.g. beijing')
  .requiredOption('--room <name>', 'evaluation room')
  .requiredOption('--seat <number>', 'seat number in the room')
  .requiredOption('--network <cidr>', 'the network the seat joins from, e.g. 10.20.3.0/24')
  .action(async (options: { centre: string; city: string; room: string; seat: string; network: string }) => {
    const { ExpertPool } = await import('../server/src/evaluation/pool.ts');
    const { centre, city, room, seat, network } = options;
    const added = await withDatabase((db) =>
      new ExpertPool(db).addSeat({ centre, city, room, seat, cidr: network }, cliAudit, new Date()),
    );
    console.log(`registered seat ${added.centre} ${added.room} ${added.seat} (${added.cidr}): ${added.id}`);
  });

const loginOptions = (command: Command) =>
  command
    .requiredOption('--server <url>', 'bidhall server, e.g. http://127.0.0.1:3000')
    .requiredOption('--cert <file>', 'your signing certificate (PEM)')
    .requiredOption('--key <file>', 'its private key (PEM); it never leaves this machine')
    .addOption(new Option('--role <role>', 'role to log in as').default('bidder'));

loginOptions(
  program.command('tender').command('get').argument('<tenderId>').description('download a tender definition'),
)
  .option('--out <file>', 'write the tender JSON here (default: stdout)')
  .action(
    async (
      tenderId: string,
      options: { server: string; cert: string; key: string; role: string; out?: string },
    ) => {
      const client = new ApiClient(options.server);
      await client.login(await credentialsFrom(options.cert, options.key, role(options.role)));
      const text = `${JSON.stringify(await client.tender(tenderId), null, 2)}\n`;
      if (options.out) await writeFile(options.out, text);
      else process.stdout.write(text);
    },
  );

const bid = program.command('bid').description("a bidder's sealed bid");
bid
  .command('seal')
  .description('seal a documents folder and an opening summary for a tender (offline)')
  .requiredOption('--tender <file>', 'tender definition JSON (bidhall tender get)')
  .requiredOption(
    '--summary <file>',
    'opening summary values JSON, e.g. {"price":"1234567.89","duration":365}',
  )
  .requiredOption('--documents <dir>', 'folder with the bid documents')
  .requiredOption('--sign-cert <file>', 'your signing certificate (PEM)')
  .requiredOption('--sign-key <file>', 'its private key (PEM)')
  .requiredOption(
    '--enc-cert <file>',
    'your encryption certificate (PEM): you will decrypt your bid with its key',
  )
  .requiredOption('--out <dir>', 'where to write the sealed bid')
  .option(
    '--opening-ca <file>',
    'the CA that issues opening certificates (PEM): the bid is sealed only to its certificate for this tender',
  )
  .addOption(
    new Option('--cipher <cipher>', 'content encryption')
      .choices(['aes-256-gcm', 'aes-256-cbc'])
      .default('aes-256-gcm'),
  )
  .addOption(
    new Option('--rsa-padding <padding>', 'RSA key transport').choices(['oaep', 'pkcs1']).default('oaep'),
  )
  .action(
    async (options: {
      tender: string;
      summary: string;
      documents: string;
      signCert: string;
      signKey: string;
      encCert: string;
      out: string;
      openingCa?: string;
      cipher: 'aes-256-gcm' | 'aes-256-cbc';
      rsaPadding: 'oaep' | 'pkcs1';
    }) => {
      const tender = JSON.parse(await readFile(options.tender, 'utf8')) as TenderView;
      const openingCertificate = parseCertificate(tender.openingCertificate);
      // The opening CA is published by the trading centre; the dev PKI's stands in on a dev machine.
      const devOpeningCa = join(repositoryRoot, 'certs', 'out', 'platform', 'opening-ca.pem');
      const openingCaFile = options.openingCa ?? (existsSync(devOpeningCa) ? devOpeningCa : null);
      if (!openingCaFile)
        throw new Error(
          '--opening-ca is needed: the CA that issues opening certificates (the trading centre publishes it)',
        );
      const { createPrivateKey } = await import('node:crypto');
      const { sealBid } = await import('../server/src/sealing/seal-bid.ts');
      let lastPercent = -1;
      const started = performance.now();
      const sealed = await sealBid({
        tender,
        openingCertificate,
        openingCa: parseCertificate(await readFile(openingCaFile)),
        summary: JSON.parse(await readFile(options.summary, 'utf8')),
        documentsDir: resolve(options.documents),
        signer: {
          certificate: parseCertificate(await readFile(options.signCert)),
          privateKey: createPrivateKey(await readFile(options.signKey)),
        },
        encryptionCertificate: parseCertificate(await readFile(options.encCert)),
        outDir: resolve(options.out),
        cipher: options.cipher,
        rsaPadding: options.rsaPadding,
        onProgress: (done, total) => {
          const percent = Math.floor((done / total) * 100);
          if (percent !== lastPercent && process.stderr.isTTY)
            process.stderr.write(`\rsealing documents… ${percent}%`);
          lastPercent = percent;
        },
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      console.log(
        `sealed in ${((performance.now() - started) / 1000).toFixed(1)} s → ${resolve(options.out)}`,
      );
      console.log(
        `  summary   ${sealed.manifest.parts.summary.size} bytes  sha256 ${sealed.manifest.parts.summary.sha256}`,
      );
      console.log(
        `  documents ${sealed.manifest.parts.documents.size} bytes  sha256 ${sealed.manifest.parts.documents.sha256}`,
      );
      console.log(
        `keep ${sealedFileNames.drawSeed} secret until the random draw; test decryption before the deadline.`,
      );
    },
  );

loginOptions(bid.command('submit').description('upload a sealed bid folder and save the signed receipt'))
  .requiredOption('--tender-id <id>', 'tender id')
  .requiredOption('--dir <dir>', 'the folder written by bid seal')
  .option('--replace', 'replace the bid already submitted')
  .action(
    async (options: {
      server: string;
      cert: string;
      key: string;
      role: string;
      tenderId: string;
      dir: string;
      replace?: boolean;
    }) => {
      const client = new ApiClient(options.server);
      await client.login(await credentialsFrom(options.cert, options.key, 'bidder'));
      const result = await client.submitBid(options.tenderId, options.dir, options.replace ?? false);
      await writeFile(join(options.dir, 'receipt.p7s'), Buffer.from(result.signedReceipt, 'base64'));
      await writeFile(join(options.dir, 'receipt.json'), `${JSON.stringify(result.receipt, null, 2)}\n`);
      console.log(`accepted: bid ${result.bidId}, received ${String(result.receipt.receivedAt)}`);
      console.log(
        `receipt saved: ${join(options.dir, 'receipt.p7s')} (verify: openssl cms -verify -inform DER -in receipt.p7s -CAfile <platform CA>)`,
      );
    },
  );

loginOptions(bid.command('withdraw').description('withdraw your bid before the deadline'))
  .requiredOption('--tender-id <id>', 'tender id')
  .option('--receipt <file>', 'where to save the withdrawal receipt', 'withdrawal-receipt.p7s')
  .action(
    async (options: { server: string; cert: string; key: string; tenderId: string; receipt: string }) => {
      const client = new ApiClient(options.server);
      await client.login(await credentialsFrom(options.cert, options.key, 'bidder'));
      const result = await client.withdrawBid(options.tenderId);
      await writeFile(options.receipt, Buffer.from(result.signedReceipt, 'base64'));
      console.log(`withdrawn: bid ${result.bidId}; receipt saved to ${options.receipt}`);
    },
  );

const hall = program.command('hall').description('the live opening hall');
loginOptions(
  hall.command('join').description('take part in an opening as a bidder: check in, decrypt, sign the record'),
)
  .requiredOption('--tender-id <id>', 'tender id')
  .requiredOption('--enc-cert <file>', 'your encryption certificate (PEM)')
  .requiredOption(
    '--enc-key <file>',
    'its private key (PEM): the content keys are unwrapped here, never sent',
  )
  .option('--self-test', 'run the decryption self-test while check-in is open')
  .option('--no-decrypt', 'do not decrypt automatically when the window opens')
  .option('--draw-seed <file>', 'reveal this draw seed (draw-seed.txt from bid seal)')
  .option(
    '--sealed <dir>',
    'your sealed bid folder (bid seal --out): needed when the bid was sealed without recipient hashes',
  )
  .option('--object <text>', 'raise this objection instead of signing the record')
  .action(
    async (options: {
      server: string;
      cert: string;
      key: string;
      tenderId: string;
      encCert: string;
      encKey: string;
      selfTest?: boolean;
      decrypt: boolean;
      drawSeed?: string;
      object?: string;
      sealed?: string;
    }) => {
      const { createPrivateKey } = await import('node:crypto');
      const { runBidder } = await import('../server/src/hall-client/run-bidder.ts');
      const client = new ApiClient(options.server);
      const credentials = await credentialsFrom(options.cert, options.key, 'bidder');
      const { token } = await client.login(credentials);
      const status = await runBidder({
        url: options.server,
        token,
        tenderId: options.tenderId,
        keys: {
          encryptionCertificate: parseCertificate(await readFile(options.encCert)),
          encryptionKey: createPrivateKey(await readFile(options.encKey)),
        },
        signer: {
          certificate: parseCertificate(credentials.certificatePem),
          privateKey: createPrivateKey(credentials.privateKeyPem),
        },
        selfTest: options.selfTest ?? false,
        decrypt: options.decrypt,
        drawSeed: options.drawSeed ? (await readFile(options.drawSeed, 'utf8')).trim() : null,
        objection: options.object ?? null,
        ...(options.sealed ? { sealed: { dir: resolve(options.sealed) } } : {}),
        log: (line) => console.log(`[${new Date().toISOString()}] ${line}`),
      });
      console.log(`opening ended: ${status}`);
    },
  );

const record = program.command('record').description('the opening record');
loginOptions(
  record.command('export').description('download the opening record bundle (host, supervisor, bidders)'),
)
  .requiredOption('--tender-id <id>', 'tender id')
  .requiredOption('--out <file>', 'where to write the bundle (.tar)')
  .action(
    async (options: {
      server: string;
      cert: string;
      key: string;
      role: string;
      tenderId: string;
      out: string;
    }) => {
      const client = new ApiClient(options.server);
      await client.login(await credentialsFrom(options.cert, options.key, role(options.role)));
      await writeFile(options.out, await client.recordBundle(options.tenderId));
      console.log(`record bundle written to ${options.out}`);
    },
  );
offlineCheck(
  record
    .command('verify')
    .description(
      'verify a record bundle offline: the platform signature, every file, every bidder signature, the draw, objections',
    ),
).action(
  async (
    file: string,
    options: { platform?: string; ca?: string[]; crl?: string[]; identityRules?: string; json?: boolean },
  ) => {
    const { verifyRecordBundle } = await import('../server/src/opening/record-bundle.ts');
    const { trust, platform } = await offlineTrust(options);
    const report = await verifyRecordBundle(await readFile(file), trust, platform);
    if (options.json) console.log(JSON.stringify(report));
    else {
      console.log(`${report.tender.code} "${report.tender.title}" — record SHA-256 ${report.recordSha256}`);
      console.log(`exported ${report.exportedAt ?? '?'} while ${report.status ?? '?'}`);
      console.log(`signed by: ${report.signed.join(', ') || '(nobody)'}`);
      if (report.unsigned.length) console.log(`not signed by: ${report.unsigned.join(', ')}`);
      console.log(`objections: ${report.objections} (${report.unanswered} unanswered)`);
      for (const problem of report.problems) console.log(`PROBLEM: ${problem}`);
      console.log(report.ok ? 'bundle verifies' : 'bundle does NOT verify');
    }
    process.exitCode = report.ok ? 0 : 1;
  },
);

/** The arguments every offline bundle check takes: the bundle, what to trust, how to report. */
function offlineCheck(command: Command): Command {
  return command
    .argument('<bundle>', 'the .tar bundle')
    .option('--platform <file>', "the platform's receipt certificate (PEM) (default: the configured one)")
    .option('--ca <files...>', 'CA certificates to trust (default: the configured trust store)')
    .option('--crl <files...>', 'CRLs of those CAs')
    .option(
      '--identity-rules <file>',
      'where those CAs put the holder identity (JSON; default: subject serialNumber)',
    )
    .option('--json', 'print the report as JSON');
}

/** What an offline check trusts: the CAs, CRLs and identity rules given (else configured), and the platform. */
async function offlineTrust(options: {
  platform?: string;
  ca?: string[];
  crl?: string[];
  identityRules?: string;
}) {
  const { TrustStore } = await import('../server/src/pki/trust-store.ts');
  const settings = options.ca && options.platform ? null : config();
  const trust = await TrustStore.fromFiles(
    options.ca ?? settings!.trustedCaFiles,
    options.crl ?? settings?.crlFiles ?? [],
    options.identityRules ?? settings?.identityRulesFile,
  );
  return { trust, platform: parseCertificate(await readFile(options.platform ?? settings!.receiptCertFile)) };
}

const report = program.command('report').description('evaluation reports (评标报告)');
offlineCheck(
  report
    .command('verify')
    .description(
      'verify an evaluation report bundle offline: the platform signature, every file, every member signature and dissent',
    ),
).action(
  async (
    file: string,
    options: { platform?: string; ca?: string[]; crl?: string[]; identityRules?: string; json?: boolean },
  ) => {
    const { verifyReportBundle } = await import('../server/src/evaluation/report-bundle.ts');
    const { trust, platform } = await offlineTrust(options);
    const result = await verifyReportBundle(await readFile(file), trust, platform);
    if (options.json) console.log(JSON.stringify(result));
    else {
      console.log(`${result.tenderCode} — report SHA-256 ${result.reportSha256}`);
      console.log(`candidates: ${result.candidates.join('; ') || '(none)'}`);
      console.log(`signed by: ${result.signed.join(', ') || '(nobody)'}`);
      if (result.dissented.length) console.log(`dissented: ${result.dissented.join(', ')}`);
      if (result.deemedAgreed.length)
        console.log(`silent, taken as agreeing: ${result.deemedAgreed.join(', ')}`);
      for (const problem of result.problems) console.log(`PROBLEM: ${problem}`);
      console.log(result.ok ? 'bundle verifies' : 'bundle does NOT verify');
    }
    process.exitCode = result.ok ? 0 : 1;
  },
);

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else if (error instanceof AppError) console.error(`bidhall: ${error.code}: ${error.message}`);
  else if (error instanceof ApiError) console.error(`bidhall: ${error.message}`);
  else console.error(`bidhall: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
});
