/**
 * One campaign "worker" as its own process, for the multi-worker claim tests and benchmarks:
 * `node --import tsx test/support/campaign-claimer.ts '<json>'`. It takes the account leases of
 * its accounts, says `ready`, waits for `go` on stdin, then claims and settles (marks sent) rows
 * of the given campaigns with its accounts, in turn, until none of them may take anything. Now
 * and then it also tries to claim with an account another worker holds (which must be refused).
 * Prints one JSON line: what it claimed, each claim-and-settle's latency, and the foreign tries.
 */
import { createInterface } from 'node:readline';
import { CampaignStore } from '../../src/store/campaigns.ts';
import { LeaseStore } from '../../src/store/leases.ts';
import { openStore } from '../../src/store/open.ts';

export interface ClaimerInput {
  dataDir: string;
  databaseUrl?: string;
  campaignIds: number[];
  owner: string;
  accounts: number[];
  /** Accounts another worker holds: tried now and then, never to be claimed with here. */
  foreign: number[];
  now: number;
}

export interface ClaimerOutput {
  claims: Array<{ campaignId: number; seq: number; username: string; accountId: number }>;
  latenciesUs: number[];
  foreignTries: number;
  foreignClaimed: number;
  elapsedMs: number;
}

const input = JSON.parse(process.argv[2]!) as ClaimerInput;
const db = openStore({ dataDir: input.dataDir, databaseUrl: input.databaseUrl });
const store = new CampaignStore(db, { syncClaims: false });
const leases = new LeaseStore(db, 'account');
for (const id of input.accounts) if (!leases.acquire(id, input.owner, input.now, 3_600_000).ok) throw new Error(`account ${id} is held`);
process.stdout.write('ready\n');
const rl = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => rl.once('line', () => resolve()));
rl.close();
process.stdin.destroy();

const out: ClaimerOutput = { claims: [], latenciesUs: [], foreignTries: 0, foreignClaimed: 0, elapsedMs: 0 };
let rid = BigInt(process.pid) * 1_000_000n;
const open = new Set(input.accounts.flatMap((a) => input.campaignIds.map((c) => `${a}:${c}`)));
const started = performance.now();
for (let turn = 0; open.size > 0; turn++) {
  for (const key of [...open]) {
    const [accountId, campaignId] = key.split(':').map(Number) as [number, number];
    const q = { campaignId, leaseOwner: input.owner, accountId, randomId: ++rid, now: input.now, dailyCap: 1_000_000, skipContacted: true };
    const t0 = performance.now();
    const r = await store.claimForSend(q);
    if (r.kind !== 'claimed') {
      open.delete(key);
      continue;
    }
    store.markSent(r.row, 1, input.now);
    out.latenciesUs.push((performance.now() - t0) * 1000);
    out.claims.push({ campaignId, seq: r.row.seq, username: r.row.username, accountId });
  }
  if (turn % 5 === 0 && input.foreign.length > 0) {
    out.foreignTries++;
    const accountId = input.foreign[turn % input.foreign.length]!;
    const r = store.claimNext({ campaignId: input.campaignIds[0]!, leaseOwner: input.owner, accountId, randomId: ++rid, now: input.now, dailyCap: 1_000_000, skipContacted: true });
    if (r.kind === 'claimed') out.foreignClaimed++;
  }
}
out.elapsedMs = performance.now() - started;
process.stdout.write(`${JSON.stringify(out)}\n`);
db.close();
