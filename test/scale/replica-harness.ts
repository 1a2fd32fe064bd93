/** Start hub replicas as child processes (bench/support/replica.ts) and wait until they deliver. */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Replica {
  id: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

export async function startReplica(id: string, env: Record<string, string>): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/support/replica.ts')], {
    cwd: root,
    env: { ...process.env, ...env, WORKER_ID: id, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d.toString();
    if (process.env.REPLICA_DEBUG) process.stderr.write(d);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      if (d.toString().includes('ready')) resolve();
    });
    void exited.then((code) =>
      reject(new Error(`replica ${id} exited (${code}) before ready: ${stderr.slice(0, 500)}`)),
    );
  });
  return { id, child, exited };
}

export async function stopReplica(r: Replica): Promise<void> {
  if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
  await r.exited;
}

/** Poll `check` every 50 ms until it is true (the test's own timeout bounds the wait). */
export async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 50));
}
