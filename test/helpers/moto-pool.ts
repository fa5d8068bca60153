/**
 * moto_servers shared by a whole `npm test` run. Starting one costs ~3 s and ~1.7 s of CPU (Python
 * importing moto, then its backends on the first request), and ~45 test files each started their
 * own. scripts/test.mjs now starts one per test file that can run at once, before the runner, and
 * names their folder in CREDSWEEP_MOTO_POOL; startMoto() (moto.ts) leases an idle one instead of
 * spawning.
 *
 *   const pool = await startMotoPool(3);   // test.mjs: env[MOTO_POOL_ENV] = pool.dir … pool.stop()
 *   const lease = leasePooledMoto();        // startMoto: a server no other process holds, or undefined
 *   lease.release();                        // its MotoServer.stop() (and process exit) give it back
 *
 * A lease is one test file's alone until released: `mkdir lease-N` is the lock (atomic across
 * processes). startMoto puts the clock back, turns IAM enforcement off and resets every backend
 * before it hands the server out, so a file starts from the same empty moto a fresh process gives.
 * A lock left by a killed process is never taken over (that server sits out the rest of the run).
 * With every pooled server leased, or no pool (a test file run on its own), startMoto spawns its own.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LaunchedMoto, launchMoto } from './moto-launch.ts';

export const MOTO_POOL_ENV = 'CREDSWEEP_MOTO_POOL';

export type PooledMoto = Pick<LaunchedMoto, 'endpoint' | 'port' | 'clockFile'>;

export interface MotoLease extends PooledMoto {
  release(): void;
}

export async function startMotoPool(size: number): Promise<{ dir: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'credsweep-moto-pool-'));
  const started = await Promise.allSettled(Array.from({ length: size }, () => launchMoto()));
  const launched = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async () => {
    await Promise.all(launched.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const servers: PooledMoto[] = launched.map(({ endpoint, port, clockFile }) => ({
    endpoint,
    port,
    clockFile,
  }));
  writeFileSync(join(dir, 'servers.json'), JSON.stringify(servers));
  return { dir, stop };
}

export function leasePooledMoto(): MotoLease | undefined {
  const dir = process.env[MOTO_POOL_ENV];
  if (!dir) return undefined;
  let servers: PooledMoto[];
  try {
    servers = JSON.parse(readFileSync(join(dir, 'servers.json'), 'utf8')) as PooledMoto[];
  } catch {
    return undefined; // the run that made the pool is over
  }
  for (const [i, server] of servers.entries()) {
    const lock = join(dir, `lease-${i}`);
    try {
      mkdirSync(lock);
    } catch {
      continue; // another test file holds it
    }
    writeFileSync(join(lock, 'pid'), String(process.pid));
    const release = () => {
      process.off('exit', release);
      rmSync(lock, { recursive: true, force: true });
    };
    process.on('exit', release);
    return { ...server, release };
  }
  return undefined;
}
