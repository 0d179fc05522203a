import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/interfaces/cli/main.ts';
import { OperationStore } from '../../src/store/operations.ts';
import { Sink } from '../support/cli.ts';
import { freshPostgresDatabase, type FreshPostgresDatabase } from '../support/postgres.ts';
import { enrol, joinWith, messageTarget, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { tempDir } from '../support/tmp.ts';
import { png } from '../support/png.ts';

/**
 * An operation started in one process for accounts other workers hold: the work is stored per
 * account, the holders act (the simulator's world records who reacted, and which process had each
 * account's connection), and the process that started it prints the per-account results.
 */

const CHILD = fileURLToPath(new URL('./work-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Child {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const children: Child[] = [];
let panel: SimPanel | undefined;
let database: FreshPostgresDatabase | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  await panel?.close();
  panel = undefined;
  await database?.drop();
  database = undefined;
  vi.unstubAllEnvs();
});

function startChild(env: Record<string, string>, mode: string, extra: { arg?: string; cwd?: string } = {}): Child {
  // The loader by its full address: a child started in another folder still finds it (and so do its threads).
  const args = ['--import', import.meta.resolve('tsx'), CHILD, JSON.stringify(env), mode, ...(extra.arg === undefined ? [] : [extra.arg])];
  const child = spawn(process.execPath, args, { cwd: extra.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const c = { child, output: () => out, exited: new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))) };
  children.push(c);
  return c;
}

/** Which processes opened a connection for each simulated user after connections row `after`. */
function connectionsAfter(worldPath: string, after: number): Array<{ pid: number; userId: number }> {
  const db = new Database(worldPath, { readonly: true });
  try {
    return db
      .prepare('SELECT c.pid AS pid, a.user_id AS userId FROM connections c JOIN authorizations a ON a.key_id = c.key_id WHERE c.id > ? AND a.user_id IS NOT NULL')
      .all(after) as Array<{ pid: number; userId: number }>;
  } finally {
    db.close();
  }
}

function lastConnectionRow(worldPath: string): number {
  const db = new Database(worldPath, { readonly: true });
  try {
    return (db.prepare('SELECT coalesce(max(id), 0) AS n FROM connections').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Enrols every simulated account and joins the post's channel with them, in this process; returns the ids and the post. */
async function prepare(p: SimPanel): Promise<{ ids: number[]; link: string }> {
  const app = p.open();
  const ids: number[] = [];
  for (const acc of p.summary.accounts) ids.push(await enrol(app, acc));
  const post = p.summary.posts.find((x) => x.link.includes('t.me/') && !x.link.includes('/c/'))!;
  await joinWith(app, post.link.replace(/\/\d+$/, ''), { accountIds: ids });
  await app.close();
  return { ids, link: post.link };
}

async function act(env: Record<string, string>, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new Sink();
  const err = new Sink();
  const code = await runCli(['--json', 'act', ...args], out, err, { env: { ...env, LOG_LEVEL: 'silent' }, cwd: tempDir() });
  return { code, stdout: out.text, stderr: err.text };
}

/** The simulated user id of each enrolled account, in the order `prepare` enrolled them. */
function userIds(p: SimPanel): number[] {
  const byPhone = new Map(p.world.accounts().map((a) => [a.phone, a.userId]));
  return p.summary.accounts.map((a) => byPhone.get(a.phone)!);
}

function reactors(p: SimPanel, link: string, emoji: string): number[] {
  const target = messageTarget(link);
  const chat = 'username' in target.chat ? target.chat.username : String(target.chat.channelId);
  return p.world
    .reactions(chat, target.messageId)
    .filter((r) => r.emoji === emoji)
    .map((r) => r.userId);
}

describe('operations over workers (stored work per account)', () => {
  it('the CLI reacts with accounts `start` holds: start’s connections act, the CLI connects none and prints each result', async () => {
    panel = simPanel({ accounts: 3, groups: 2, seed: 21 }, { ACTION_DELAY: '0-0' });
    const { ids, link } = await prepare(panel);
    const worker = startChild({ ...panel.env, LOG_LEVEL: 'info' }, 'start');
    await vi.waitFor(() => expect(worker.output()).toMatch(/telegram-panel is running/), { timeout: 60_000, interval: 50 });
    const mark = lastConnectionRow(panel.worldPath);

    const r = await act(panel.env, ['reaction', link, '👍', '--accounts', '3']);
    expect(r.code, r.stderr).toBe(0);
    const record = JSON.parse(r.stdout) as { status: string; summary: { done: number; failed: number }; results: Array<{ accountId: number; status: string }> };
    expect(record.status).toBe('finished');
    expect(record.summary).toMatchObject({ done: 3, failed: 0 });
    expect(record.results.map((x) => x.accountId).sort()).toEqual([...ids].sort());

    // The reactions are in the world, made over connections of the start process only.
    expect(reactors(panel, link, '👍').sort()).toEqual(userIds(panel).sort());
    const opened = connectionsAfter(panel.worldPath, mark);
    expect(opened.filter((c) => c.pid === process.pid)).toEqual([]);
    // Every row of the operation was executed by the worker, not by this process.
    const store = new OperationStore(panel.open().db);
    expect(store.get((JSON.parse(r.stdout) as { id: number }).id)?.results).toHaveLength(3);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  }, 120_000);

  it('on PostgreSQL, two workers each act for the accounts they hold; the caller prints all results', async () => {
    database = await freshPostgresDatabase();
    panel = simPanel({ accounts: 4, groups: 2, seed: 22 }, { ACTION_DELAY: '0-0', DATABASE_URL: database.url });
    const { ids, link } = await prepare(panel);
    const a = startChild(panel.env, ids.slice(0, 2).join(','));
    const b = startChild(panel.env, ids.slice(2).join(','));
    await vi.waitFor(() => expect(a.output() + '\n' + b.output()).toMatch(/worker \d+[\s\S]*worker \d+/), { timeout: 60_000, interval: 50 });
    const mark = lastConnectionRow(panel.worldPath);

    const r = await act(panel.env, ['reaction', link, '🔥', '--accounts', '4']);
    expect(r.code, r.stderr).toBe(0);
    const record = JSON.parse(r.stdout) as { summary: { done: number }; results: Array<{ accountId: number; status: string }> };
    expect(record.summary.done).toBe(4);
    expect(reactors(panel, link, '🔥').sort()).toEqual(userIds(panel).sort());
    const opened = connectionsAfter(panel.worldPath, mark);
    expect(opened.filter((c) => c.pid === process.pid)).toEqual([]);
    // Each worker's connections acted for its own accounts only (one connection per account, in its holder).
    const byUser = new Map(userIds(panel).map((u, i) => [u, ids[i]!]));
    for (const c of opened) {
      const holder = ids.slice(0, 2).includes(byUser.get(c.userId)!) ? a : b;
      expect(c.pid).toBe(holder.child.pid);
    }
  }, 120_000);

  it('a worker killed while holding queued work: the rows move to the accounts’ next holder, which acts', async () => {
    panel = simPanel({ accounts: 2, groups: 2, seed: 23 }, { ACTION_DELAY: '0-0' });
    const { ids, link } = await prepare(panel);
    // The first holder paces reactions two minutes apart after the join, so it claims the rows but cannot start them.
    const first = startChild({ ...panel.env, ACTION_DELAY: '120-120' }, ids.join(','));
    await vi.waitFor(() => expect(first.output()).toMatch(/worker \d+/), { timeout: 60_000, interval: 50 });

    const running = act(panel.env, ['reaction', link, '❤', '--accounts', '2']);
    const probe = panel.open();
    const claimed = (): Array<{ owner: string | null; state: string; attempts: number }> =>
      probe.db.prepare('SELECT owner, state, attempts FROM operation_work').all() as Array<{ owner: string | null; state: string; attempts: number }>;
    await vi.waitFor(() => expect(claimed().filter((w) => w.state === 'running' && w.attempts === 0)).toHaveLength(2), { timeout: 30_000, interval: 50 });
    expect(new Set(claimed().map((w) => w.owner?.split('/')[1]))).toEqual(new Set([String(first.child.pid)]));

    // The next holder is a live worker already (pinned to the same accounts), so the caller leaves the rows to it.
    const second = startChild({ ...panel.env, WORKER_HEARTBEAT_MS: '300' }, ids.join(','));
    await vi.waitFor(() => expect(second.output()).toMatch(/worker \d+/), { timeout: 60_000, interval: 50 });
    first.child.kill('SIGKILL');
    await first.exited;
    const r = await running;
    expect(r.code, r.stderr).toBe(0);
    const record = JSON.parse(r.stdout) as { summary: { done: number; failed: number } };
    expect(record.summary).toMatchObject({ done: 2, failed: 0 });
    expect(reactors(panel, link, '❤').sort()).toEqual(userIds(panel).sort());
    expect(new Set(claimed().map((w) => w.owner?.split('/')[1]))).toEqual(new Set([String(second.child.pid)]));
    expect(claimed().every((w) => w.state === 'done' && w.attempts === 1)).toBe(true);
  }, 120_000);
  it('on PostgreSQL, a profile photo named by a path only the caller can read is uploaded by the worker from the stored bytes', async () => {
    database = await freshPostgresDatabase();
    panel = simPanel({ accounts: 2, groups: 2, seed: 24 }, { ACTION_DELAY: '0-0', DATABASE_URL: database.url });
    const { ids } = await prepare(panel);
    const worker = startChild(panel.env, ids.join(','));
    await vi.waitFor(() => expect(worker.output()).toMatch(/worker \d+/), { timeout: 60_000, interval: 50 });
    const mark = lastConnectionRow(panel.worldPath);

    // The caller's own folder: 'face.png' there means nothing in the worker's working directory.
    const home = tempDir('caller-');
    const photo = png(64, 64);
    writeFileSync(join(home, 'face.png'), photo);
    const args = ['--json', 'accounts', 'profile', ...ids.map(String), '--first-name', 'Sara {n}', '--photo', 'face.png'];
    const caller = startChild(panel.env, 'cli', { arg: JSON.stringify({ cwd: home, args }), cwd: home });
    expect(await caller.exited, caller.output()).toBe(0);
    const record = JSON.parse(caller.output()) as { summary: { done: number; failed: number } };
    expect(record.summary).toMatchObject({ done: 2, failed: 0 });

    for (const [i, acc] of panel.summary.accounts.entries()) {
      const u = panel.world.account(acc.phone);
      expect(u).toMatchObject({ first_name: `Sara ${i + 1}` });
      expect(panel.world.db.prepare('SELECT mime, size FROM profile_photos WHERE user_id = ?').all(u.id)).toEqual([{ mime: 'image/png', size: photo.length }]);
    }
    // The worker's connections made the edits; the caller connected no account.
    const opened = connectionsAfter(panel.worldPath, mark);
    expect(opened.filter((c) => c.pid === caller.child.pid)).toEqual([]);
  }, 120_000);
});
