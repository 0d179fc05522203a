/**
 * `db copy`: rows per second copying a SQLite panel that holds a 100,000-target campaign into
 * PostgreSQL, with the multi-row INSERTs it uses (a few hundred rows per statement) against one
 * row per statement (what a plain store-by-store copy would do), in the same run on the same
 * server; and the heap the copy grows by, which stays flat because tables are streamed in batches
 * instead of read whole. The server is TEST_DATABASE_URL's or a throwaway embedded one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CampaignStore } from '../src/store/campaigns.ts';
import { copyPanel } from '../src/store/copy.ts';
import { openPanelDb, type SqliteDb } from '../src/store/db.ts';
import { PgDatabase } from '../src/store/pg/pg-database.ts';
import { usernames } from '../test/support/pm-fleet.ts';
import { benchPostgres, withScratchDatabase } from './support/postgres.ts';

const TARGETS = 100_000;
/** One row per statement is slow enough that a tenth of the campaign shows its rate. */
const SINGLE_ROW_TARGETS = 10_000;

function panel(dir: string, targets: number): SqliteDb {
  const db = openPanelDb(dir);
  const campaigns = new CampaignStore(db);
  const c = campaigns.create({
    name: 'big',
    message: 'Hello',
    now: 0,
    usernames: usernames(targets),
    settings: { accountIds: null, perAccountCap: 50, dailyCap: 50, delay: { minMs: 0, maxMs: 0 }, skipContacted: true },
  });
  // Rows in several states, as a campaign half way through has them (every column filled on the sent ones).
  db.prepare(
    `UPDATE campaign_targets SET state = 'sent', account_id = 1 + seq % 12, random_id = '9' || seq, claimed_at = seq, attempts = 1,
       tried = ',' || (1 + seq % 12) || ',', message_id = seq, done_at = seq + 1 WHERE campaign_id = ? AND seq % 2 = 0`,
  ).run(c.id);
  db.prepare("UPDATE campaign_targets SET state = 'not_found', error_code = 'USERNAME_NOT_OCCUPIED', error = 'no such user', done_at = seq WHERE campaign_id = ? AND seq % 7 = 1").run(c.id);
  return db;
}

function copy(source: SqliteDb, url: string, batchRows: number): { rows: number; ms: number; perSecond: number; heapGrowthMb: number } {
  const target = PgDatabase.connect(url);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  try {
    const r = copyPanel(source, target, 'bench', { batchRows, onBatch: () => void (peak = Math.max(peak, process.memoryUsage().heapUsed)) });
    return { rows: r.rows, ms: r.ms, perSecond: (r.rows / r.ms) * 1000, heapGrowthMb: (peak - before) / 1024 / 1024 };
  } finally {
    target.close();
  }
}

export async function run(): Promise<void> {
  const server = await benchPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-copy-'));
  try {
    const big = panel(join(dir, 'big'), TARGETS);
    const small = panel(join(dir, 'small'), SINGLE_ROW_TARGETS);
    const single = await withScratchDatabase(server.admin, 'bench_copy', (url) => copy(small, url, 1));
    const results: Array<[number, ReturnType<typeof copy>]> = [];
    for (const batch of [100, 500, 2000]) results.push([batch, await withScratchDatabase(server.admin, 'bench_copy', (url) => copy(big, url, batch))]);
    big.close();
    small.close();
    console.log(`one row per statement (${SINGLE_ROW_TARGETS} targets): ${single.perSecond.toFixed(0)} rows/s`);
    for (const [batch, r] of results) {
      console.log(
        `${String(batch).padStart(4)} rows per statement (${TARGETS} targets): ${r.rows} rows in ${(r.ms / 1000).toFixed(2)} s, ${r.perSecond.toFixed(0)} rows/s ` +
          `(${(r.perSecond / single.perSecond).toFixed(1)}x one row per statement); heap grew ${r.heapGrowthMb.toFixed(1)} MB during the copy`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
}

if (process.argv[1]?.endsWith('db-copy.bench.ts')) await run();
