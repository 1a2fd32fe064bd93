/**
 * The data-protection CLI: `send-hub keys generate|rotate|status`, `send-hub audit verify|export`,
 * `send-hub retention report|purge|defaults`. Each action is a function of (hub, options, print) that
 * returns an exit code, so tests drive exactly what the command line runs.
 */

import fs from 'node:fs';
import path from 'node:path';
import type { Command as CliProgram } from 'commander';
import { generateKeySpec, parseKeyRing } from '../../store/crypto/field-cipher.ts';
import { keyUsage, rotateKeys } from '../../store/crypto/key-rotation.ts';
import type { Hub } from '../container.ts';
import { verifyAuditTrail } from './audit-chain.ts';
import { describeDefaults, formatRetentionReport, runRetentionJob } from './retention-job.ts';
import { exportSubjectAccess } from './subject-access.ts';

export type Print = (line: string) => void;

export async function keysRotate(hub: Hub, opts: { batch?: number }, print: Print): Promise<number> {
  print(`Re-encrypting every encrypted column with key "${hub.cipher.currentKeyId}"…`);
  const report = await rotateKeys(hub.dbh.db, hub.cipher, {
    batchSize: opts.batch ?? 500,
  });
  for (const c of report.columns) {
    print(
      `${c.column.padEnd(30)} rotated ${String(c.rotated).padStart(7)}  already current ${String(c.alreadyCurrent).padStart(7)}${c.failed.length ? `  FAILED ${c.failed.length}` : ''}`,
    );
    for (const f of c.failed.slice(0, 20)) print(`  ${c.column} id ${f.id}: ${f.reason}`);
  }
  await hub.audit.record({
    actorKind: 'admin-cli',
    action: 'keys.rotated',
    subjectType: 'encryption-key',
    subjectId: report.keyId,
    channel: 'CLI',
    details: { rotated: report.rotated, failed: report.failed },
  });
  if (report.failed) {
    print(
      `${report.failed} value(s) could not be decrypted: keep every old key configured, check the ids above, and run again.`,
    );
    return 1;
  }
  print(
    `Done: ${report.rotated} value(s) re-encrypted. Old keys may be removed from SEND_HUB_ENCRYPTION_KEY once \`send-hub keys status\` shows them unused (keep a backup of them as long as database backups made before today exist).`,
  );
  return 0;
}

export async function keysStatus(hub: Hub, print: Print): Promise<number> {
  const spec = hub.config.env.SEND_HUB_ENCRYPTION_KEY;
  const ids = spec ? [...parseKeyRing(spec).keys.keys()] : [hub.cipher.currentKeyId];
  const usage = await keyUsage(hub.dbh.db, ids);
  for (const id of ids)
    print(`${id}${id === hub.cipher.currentKeyId ? ' (current)' : ''}: encrypts ${usage[id] ?? 0} value(s)`);
  return 0;
}

/**
 * A new key. With a configured SEND_HUB_ENCRYPTION_KEY, print the new value to put first in it; with the
 * data-folder key file (development), `--write` puts it first in that file (old keys stay readable).
 */
export function keysGenerate(
  hub: Pick<Hub, 'config'>,
  opts: { id?: string; write?: boolean },
  print: Print,
): number {
  const spec = generateKeySpec(opts.id);
  parseKeyRing(spec);
  const current = hub.config.env.SEND_HUB_ENCRYPTION_KEY;
  const file = path.join(hub.config.dataDir, 'encryption.key');
  if (opts.write) {
    if (current) {
      print(
        'SEND_HUB_ENCRYPTION_KEY is set in the environment: update it there (--write only edits the data-folder key file).',
      );
      return 2;
    }
    const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
    const next = existing ? `${spec},${existing}` : spec;
    parseKeyRing(next);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${next}\n`, { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    print(
      `New key ${spec.split(':')[0]} written first in ${file}; run \`send-hub keys rotate\` to re-encrypt.`,
    );
    return 0;
  }
  print(spec);
  print(
    current
      ? `Put it first in SEND_HUB_ENCRYPTION_KEY, keeping the old keys after it: SEND_HUB_ENCRYPTION_KEY=${spec.split(':')[0]}:…,${current
          .split(',')
          .map((k) => k.split(':')[0])
          .join(':…,')}:…  then restart and run \`send-hub keys rotate\`.`
      : 'Set SEND_HUB_ENCRYPTION_KEY to this value (store it in your secret store, not in git).',
  );
  return 0;
}

export async function auditVerify(hub: Hub, print: Print): Promise<number> {
  const r = await verifyAuditTrail(hub);
  if (r.ok) {
    print(
      `Audit trail intact: ${r.count} event(s), keyed hash chain verified` +
        (r.checkpoints
          ? `, and it agrees with ${r.checkpoints} checkpoint(s) kept outside the database.`
          : '; no checkpoint outside the database yet (one is written now).'),
    );
    return 0;
  }
  print(
    `AUDIT TRAIL BROKEN at event ${r.seq}: ${r.reason}. Preserve the database as evidence and tell your DPO.`,
  );
  return 1;
}

export async function auditExport(
  hub: Hub,
  opts: { student: string; out?: string },
  print: Print,
): Promise<number> {
  const outDir = path.resolve(opts.out ?? path.join(hub.config.dataDir, 'exports'));
  const r = await exportSubjectAccess(hub, opts.student, outDir);
  if (!r) {
    print(`--student: no student has the id ${opts.student}`);
    return 2;
  }
  print(`Subject access package written (owner-only files):\n  ${r.jsonFile}\n  ${r.csvFile}`);
  print(
    Object.entries(r.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  );
  if (r.unreadable.length) {
    print(
      `${r.unreadable.length} value(s) could not be decrypted (a key is missing): the package is incomplete.`,
    );
    return 1;
  }
  return 0;
}

export async function retentionRun(hub: Hub, opts: { dryRun: boolean }, print: Print): Promise<number> {
  const o = await runRetentionJob(hub, { dryRun: opts.dryRun, by: 'admin-cli' });
  print(formatRetentionReport(o));
  return 0;
}

export function registerDataProtectionCli(
  program: CliProgram,
  open: () => Promise<Hub>,
  close: (hub: Hub) => Promise<void>,
): void {
  const print: Print = (l) => console.log(l);
  const withHub = (fn: (hub: Hub) => Promise<number>) => async () => {
    const hub = await open();
    try {
      process.exitCode = await fn(hub);
    } finally {
      await close(hub);
    }
  };

  const keys = program.command('keys').description('field-encryption keys: generate, rotate, status');
  keys
    .command('generate')
    .description('print a new AES-256 key (keyId:base64) for SEND_HUB_ENCRYPTION_KEY')
    .option('--id <keyId>', 'key id (letters, digits, _ or -)')
    .option('--write', 'development: put the new key first in the data-folder key file')
    .action(async (o: { id?: string; write?: boolean }) => {
      // No database needed: only the configuration.
      // No database, and no valid configuration needed: production refuses to start without a key, and
      // this is how the operator makes one.
      const { loadConfig } = await import('../config/index.ts');
      let config: Hub['config'] | undefined;
      try {
        config = loadConfig();
      } catch {
        config = undefined;
      }
      if (!config) {
        if (o.write) {
          print('--write needs a valid configuration (DATA_DIR); without it, copy the printed key instead.');
          process.exitCode = 2;
          return;
        }
        const spec = generateKeySpec(o.id);
        parseKeyRing(spec);
        print(spec);
        print('Set SEND_HUB_ENCRYPTION_KEY to this value (store it in your secret store, not in git).');
        return;
      }
      process.exitCode = keysGenerate({ config }, o, print);
    });
  keys
    .command('rotate')
    .description('re-encrypt every encrypted column with the current (first) key, in batches; resumable')
    .option('--batch <n>', 'rows per batch', (v) => Number.parseInt(v, 10), 500)
    .action((o: { batch: number }) => withHub((hub) => keysRotate(hub, o, print))());
  keys
    .command('status')
    .description('how many values each configured key encrypts')
    .action(withHub((hub) => keysStatus(hub, print)));

  const audit = program.command('audit').description('the append-only audit trail');
  audit
    .command('verify')
    .description('check the hash chain of the whole audit trail (exit 1 if broken)')
    .action(withHub((hub) => auditVerify(hub, print)));
  audit
    .command('export')
    .description('subject access request: everything held about one student, decrypted, to owner-only files')
    .requiredOption('--student <id>', 'student id')
    .option('--out <dir>', 'output folder (default: <DATA_DIR>/exports)')
    .action((o: { student: string; out?: string }) => withHub((hub) => auditExport(hub, o, print))());

  const retention = program.command('retention').description('retention schedule: report and purge');
  retention
    .command('report')
    .description('what the retention rules make due today (dry run: deletes nothing)')
    .action(withHub((hub) => retentionRun(hub, { dryRun: true }, print)));
  retention
    .command('purge')
    .description('delete what is due today (each deletion audited)')
    .option('--dry-run', 'report only')
    .action((o: { dryRun?: boolean }) =>
      withHub((hub) => retentionRun(hub, { dryRun: !!o.dryRun }, print))(),
    );
  retention
    .command('defaults')
    .description('the default rules and their sources')
    .action(() => {
      for (const l of describeDefaults()) print(l);
    });
}
