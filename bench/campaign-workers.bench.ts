/**
 * Claim-and-settle across worker processes: each worker is its own process with its own
 * connection (test/support/campaign-claimer.ts), holding 4 accounts' leases, claiming a row and
 * marking it sent, in turn, until the campaign is empty. PostgreSQL with 1, 2 and 4 workers
 * against one process on the SQLite file, in the same run. Throughput counts every row over the
 * slowest worker's time; p99 is over every claim-and-settle of the run. Claims are not synced to
 * disk here (syncClaims off): this measures the coordination, not the fsync.
 * The server is TEST_DATABASE_URL's or a throwaway embedded one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CampaignStore } from '../src/store/campaigns.ts';
import { openStore } from '../src/store/open.ts';
import { runClaimers } from '../test/support/campaign-claimers.ts';
import { usernames } from '../test/support/pm-fleet.ts';
import { benchPostgres, withScratchDatabase } from './support/postgres.ts';

const TARGETS = 4_000;
const ACCOUNTS_PER_WORKER = 4;
const T = Date.UTC(2026, 2, 1, 12);

interface Figures {
  rows: number;
  perSecond: number;
  p50Us: number;
  p99Us: number;
}

async function measure(dataDir: string, databaseUrl: string | undefined, workers: number): Promise<Figures> {
  const db = openStore({ dataDir, databaseUrl });
  const store = new CampaignStore(db);
  const c = store.create({
    name: `w${workers}`,
    message: 'Hello',
    now: T,
    usernames: usernames(TARGETS, `w${workers}p`),
    settings: { accountIds: null, perAccountCap: TARGETS, dailyCap: TARGETS, delay: { minMs: 0, maxMs: 0 }, skipContacted: true },
  });
  store.setState(c.id, 'running', null, T);
  db.close();
  const inputs = Array.from({ length: workers }, (_, w) => ({
    dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
    campaignIds: [c.id],
    owner: `bench/${w}/w`,
    accounts: Array.from({ length: ACCOUNTS_PER_WORKER }, (_, i) => 1000 * (workers + 1) + w * ACCOUNTS_PER_WORKER + i),
    foreign: [],
    now: T,
  }));
  const outs = await runClaimers(inputs);
  const rows = outs.reduce((n, o) => n + o.claims.length, 0);
  if (rows !== TARGETS) throw new Error(`claimed ${rows} of ${TARGETS}`);
  const all = outs.flatMap((o) => o.latenciesUs).sort((a, b) => a - b);
  const slowest = Math.max(...outs.map((o) => o.elapsedMs));
  return { rows, perSecond: (rows / slowest) * 1000, p50Us: all[Math.floor(all.length * 0.5)]!, p99Us: all[Math.floor(all.length * 0.99)]! };
}

export async function run(): Promise<void> {
  const server = await benchPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-workers-'));
  try {
    const sqlite = await measure(join(dir, 'sqlite'), undefined, 1);
    const line = (what: string, f: Figures): string =>
      `${what}: ${f.perSecond.toFixed(0)} claims+settles/s (${(f.perSecond / sqlite.perSecond).toFixed(2)}x SQLite), p50 ${(f.p50Us / 1000).toFixed(2)} ms, p99 ${(f.p99Us / 1000).toFixed(2)} ms (${(f.p99Us / sqlite.p99Us).toFixed(1)}x SQLite)`;
    console.log(`${TARGETS} targets, ${ACCOUNTS_PER_WORKER} accounts per worker, each worker a process with its own connection`);
    console.log(line('SQLite, 1 process', sqlite));
    for (const workers of [1, 2, 4]) {
      const f = await withScratchDatabase(server.admin, 'bench_workers', (url) => measure(join(dir, `pg${workers}`), url, workers));
      console.log(line(`PostgreSQL, ${workers} worker${workers === 1 ? '' : 's'}`, f));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
}

if (process.argv[1]?.endsWith('campaign-workers.bench.ts')) await run();
