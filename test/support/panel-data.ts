import { createHash, randomBytes } from 'node:crypto';
import { AccountStore } from '../../src/store/accounts.ts';
import { CampaignStore } from '../../src/store/campaigns.ts';
import { openPanelDb, type SqliteDb } from '../../src/store/db.ts';
import { LeaseStore } from '../../src/store/leases.ts';
import { MonitorStore } from '../../src/store/monitor.ts';
import { OperationStore } from '../../src/store/operations.ts';
import { ScheduleStore } from '../../src/store/schedules.ts';
import { Secrets, verifyKey } from '../../src/store/secrets.ts';
import type { Db } from '../../src/store/sql.ts';
import { WebAuthStore } from '../../src/store/web-auth.ts';
import { usernames } from './pm-fleet.ts';

export const T0 = Date.UTC(2026, 5, 1);

/** What a test panel holds, to compare with what a copy of it reads. */
export interface PanelFacts {
  /** Base64, as PANEL_SECRET takes it. */
  secret: string;
  accounts: Array<{ id: number; phone: string; authKey: Buffer; proxyUrl: string | null }>;
  campaignId: number;
  targets: number;
}

/**
 * A panel in DATA_DIR `dir` made through the real stores: accounts with sealed sessions, a proxy
 * and tags, a campaign with targets in several states, monitor rules and an outbox, an operation,
 * a schedule, web links and tokens, and the key-check row. Leaves no lease behind.
 */
export function buildPanel(dir: string, opts: { targets?: number } = {}): PanelFacts {
  const key = randomBytes(32);
  const secrets = new Secrets(key);
  const db = openPanelDb(dir);
  try {
    return { secret: key.toString('base64'), ...fill(db, secrets, opts.targets ?? 300) };
  } finally {
    db.close();
  }
}

function fill(db: SqliteDb, secrets: Secrets, targets: number): Omit<PanelFacts, 'secret'> {
  verifyKey(db, secrets, T0);
  const accounts = new AccountStore(db, secrets);
  const made: PanelFacts['accounts'] = [];
  for (let i = 1; i <= 4; i++) {
    const authKey = randomBytes(256);
    const phone = `+1555000${i}`;
    const id = accounts.create({ phone, userId: 1000 + i, username: `acc${i}`, firstName: `Account ${i}` }, { authKeys: [{ dc: 2, key: authKey }], kv: [{ key: 'self', value: Buffer.from(`me-${i}`) }] }, T0);
    accounts.sessions.storePeer(id, { id: 700 + i, accessHash: '123456789', isMin: false, usernames: [`peer${i}`], updated: 1, complete: randomBytes(40) });
    accounts.addTag(id, i % 2 === 0 ? 'even' : 'odd');
    made.push({ id, phone, authKey, proxyUrl: null });
  }
  // A hole in the ids: the copy keeps them, so the sequence must go past the largest, not the count.
  accounts.remove(made[2]!.id);
  made.splice(2, 1);
  accounts.setProxy(made[0]!.id, { url: 'socks5://user:proxy-secret@10.0.0.1:1080', label: 'socks5://user:***@10.0.0.1:1080' });
  made[0]!.proxyUrl = 'socks5://user:proxy-secret@10.0.0.1:1080';
  accounts.setStatus(made[1]!.id, 'flood_wait', null, T0 + 5, T0 + 60_000);
  accounts.park(made[1]!.id, 'pm', T0 + 60_000, 'FLOOD_WAIT_60');
  accounts.replaceGroups(made[0]!.id, [{ id: -1001234567890, kind: 'supergroup', title: 'Big group', username: 'biggroup' }], T0);

  const campaigns = new CampaignStore(db);
  const c = campaigns.create({
    name: 'spring',
    message: 'Hello there',
    now: T0,
    usernames: usernames(targets),
    settings: { accountIds: null, perAccountCap: targets, dailyCap: targets, delay: { minMs: 0, maxMs: 0 }, skipContacted: true },
  });
  campaigns.setState(c.id, 'running', null, T0);
  // A claim needs its account's lease, as the fleet holds it while connected.
  const leases = new LeaseStore(db);
  for (const a of made) leases.acquire(a.id, 'builder', T0, 60_000);
  const claim = (accountId: number, randomId: bigint) => {
    const r = campaigns.claimNext({ campaignId: c.id, leaseOwner: 'builder', accountId, randomId, now: T0 + 10, dailyCap: targets, skipContacted: true });
    if (r.kind !== 'claimed') throw new Error(`claim: ${r.kind}`);
    return r.row;
  };
  let rid = 9_000_000_000_000_000_000n;
  for (let i = 0; i < 20; i++) campaigns.markSent(claim(made[i % 2]!.id, rid++), 5000 + i, T0 + 20);
  for (let i = 0; i < 5; i++) campaigns.markFinal(claim(made[0]!.id, rid++), 'not_found', { code: 'USERNAME_NOT_OCCUPIED', message: 'no such user' }, T0 + 30);
  for (let i = 0; i < 3; i++) campaigns.markUncertain(claim(made[1]!.id, rid++), { code: 'TIMEOUT', message: 'no answer' }, T0 + 40);
  claim(made[0]!.id, rid++);
  leases.releaseAll('builder');
  campaigns.setState(c.id, 'paused', null, T0 + 50);

  const monitor = new MonitorStore(db);
  monitor.addKeyword('hello', 'plain', 'hello', T0);
  monitor.addKeyword('b[aeiou]t', 'regex', 'b[aeiou]t', T0);
  monitor.addIgnored({ senderId: 4242 }, T0);
  monitor.addIgnored({ username: 'spammer' }, T0);
  monitor.addTarget({ id: -1001234567890, kind: 'supergroup', title: 'Big group', username: 'biggroup' }, T0);
  for (let m = 1; m <= 3; m++) {
    monitor.recordHit({ chatId: -1001234567890, messageId: m, accountId: made[0]!.id, chatTitle: 'Big group', keywords: ['hello'], payload: { text: `hello ${m}`, entities: [], buttons: [] }, at: T0 + m });
  }
  const first = monitor.nextDue(T0 + 10);
  if (first) monitor.markSent(first.id, T0 + 11, 99);

  const ops = new OperationStore(db, 'builder');
  const op = ops.create({ spec: { kind: 'block', username: 'someone' }, selection: { accounts: 2 }, actor: 'cli', planned: 2, startedAt: T0 });
  ops.saveResult(op, { accountId: made[0]!.id, status: 'done', at: T0 + 1, attempts: 1, replaced: false });
  ops.finish(op, { status: 'finished', finishedAt: T0 + 2, stopReason: null });

  new ScheduleStore(db).add({
    kind: 'cron',
    when: 'every day at 9',
    cron: '0 9 * * *',
    tz: 'UTC',
    job: { kind: 'campaign-run', name: 'spring' },
    command: 'campaign run spring',
    nextRunAt: T0 + 3_600_000,
    createdAt: T0,
    actor: 'cli',
  });

  const web = new WebAuthStore(db);
  web.addLink(createHash('sha256').update('link').digest(), 'cli', T0, T0 + 600_000);
  web.addToken('grafana', createHash('sha256').update('token').digest(), T0);

  return { accounts: made, campaignId: c.id, targets };
}

/** Every row of every table, values made comparable across engines (bytes as hex, integers as text). */
export function dump(db: Db, tables: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of tables) {
    const rows = db.prepare<[], Record<string, unknown>>(`SELECT * FROM "${t}"`).all();
    out[t] = rows
      .map((r) =>
        JSON.stringify(
          Object.keys(r)
            .sort()
            .map((k) => [k, norm(r[k])]),
        ),
      )
      .sort();
  }
  return out;
}

function norm(v: unknown): unknown {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `x${Buffer.from(v).toString('hex')}`;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return v;
}
