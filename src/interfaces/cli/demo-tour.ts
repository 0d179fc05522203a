import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp, type App } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import type { ActionSpec } from '../../core/actions.ts';
import { parseLink, toJoinTarget, toMessageTarget } from '../../core/links.ts';
import type { OperationRecord } from '../../store/operations.ts';
import type { Logger } from '../../log.ts';
import { createAndOpenWorld } from '../../sim/index.ts';
import type { SimWorld, WorldSummary } from '../../sim/index.ts';
import { binPath } from './bin-path.ts';
import { table } from './table.ts';

export interface TourOptions {
  seed: string;
  print: (line: string) => void;
  log: Logger;
  /** Whether the operator's environment sets PANEL_SECRET, which the printed command then clears. */
  operatorHasSecret?: boolean;
}

/**
 * The whole panel against a fresh simulated world, the way an operator would use it: log the
 * accounts in, run bulk actions, run a campaign that is killed midway and resumed, and watch
 * groups for keywords. Pacing is shortened so the tour takes seconds; the defaults are far slower.
 */
export async function runTour(o: TourOptions): Promise<{ dir: string; worldPath: string; tryIt: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'telegram-panel-demo-'));
  const worldPath = join(dir, 'world.db');
  const { world, summary } = createAndOpenWorld(worldPath, { seed: o.seed, accounts: 5, users: 40, groups: 8 });
  const env = {
    DATA_DIR: join(dir, 'data'),
    TELEGRAM_SIM: worldPath,
    // No PANEL_SECRET (an operator's own must not leak in either): the panel keeps a generated key
    // as secret.key in the data folder, so the data stays readable after the tour.
    PANEL_SECRET: '',
    ACTION_DELAY: '0-1',
    CAMPAIGN_DELAY: '1-2',
    LOG_LEVEL: 'warn',
  };
  const app = openApp(loadConfig(env), { log: o.log, connection: () => world.attach() });
  // Without the operator's PANEL_SECRET, which would not open this data (an empty one means none).
  const tryIt = `${o.operatorHasSecret ? 'PANEL_SECRET= ' : ''}npx telegram-panel --sim ${worldPath} --data-dir ${env.DATA_DIR}`;
  const p = o.print;
  try {
    p(`A simulated Telegram world: ${worldPath}`);
    p(`Panel data: ${env.DATA_DIR}   (demo pacing: ACTION_DELAY=${env.ACTION_DELAY}s, CAMPAIGN_DELAY=${env.CAMPAIGN_DELAY}s)\n`);
    await enrol(app, summary, p);
    await actions(app, world, summary, p);
    await monitor(app, world, summary, p);
    await campaign(app, world, summary, env, p);
    p(`\nTry it yourself on this world:  ${tryIt} <command>   (e.g. accounts list)`);
    p(`(the accounts' sessions there are encrypted with the key in ${join(env.DATA_DIR, 'secret.key')})`);
  } finally {
    await app.close();
    world.close();
  }
  return { dir, worldPath, tryIt };
}

async function enrol(app: App, summary: WorldSummary, p: (s: string) => void): Promise<void> {
  p('1. Accounts: logging in each phone through the real login path (code typed with separators, then 2FA)');
  for (const a of summary.accounts) {
    let step = await app.logins.start(a.phone);
    if (step.step === 'code') step = await app.logins.code(step.loginId, a.code.split('').join('-'));
    if (step.step === 'password') step = await app.logins.password(step.loginId, a.password ?? '');
    if (step.step !== 'done') throw new Error(`demo login of ${a.phone} failed: ${step.step === 'failed' ? step.error.message : step.step}`);
  }
  await app.fleet.start();
  const list = app.accounts.list(app.clock.now());
  p(table(['id', 'phone', 'username', 'status'], list.map((a) => [a.id, a.phone, a.username ? `@${a.username}` : null, a.status])));
}

function target(link: string): ReturnType<typeof toMessageTarget> {
  const parsed = parseLink(link);
  if (!parsed.ok) throw new Error(parsed.error);
  return toMessageTarget(parsed.link);
}

function summarize(r: OperationRecord): string {
  const s = r.summary;
  return `operation #${r.id} ${r.kind}: ${s.done} done, ${s.already} already, ${s.requested} requested, ${s.failed} failed`;
}

/** A public supergroup of the world, where people talk and the monitor listens. */
function chatGroup(world: SimWorld, summary: WorldSummary): string {
  const g = summary.groups.find((x) => {
    if (x.link.includes('/+')) return false;
    const row = world.findChat(x.link);
    return row.kind === 'supergroup' && !row.forum && !row.join_request;
  });
  if (!g) throw new Error('the demo world has no public supergroup');
  return g.link;
}

async function actions(app: App, world: SimWorld, summary: WorldSummary, p: (s: string) => void): Promise<void> {
  p('\n2. Actions with many accounts at once');
  const publicPosts = summary.posts.filter((x) => !x.link.includes('/c/'));
  const poll = publicPosts.find((x) => x.poll && !x.poll.multiple);
  const commented = publicPosts.find((x) => x.hasComments && !x.poll);
  const reacted = publicPosts.find((x) => !x.poll);
  const run = async (spec: ActionSpec, accounts: number, label: string): Promise<void> => {
    const r = await app.operations.runOperation(spec, { accounts }, { actor: 'demo' });
    p(`   ${label}\n     ${summarize(r)}`);
  };
  const channel = publicPosts[0]?.link.replace(/\/\d+$/, '');
  for (const link of [channel, chatGroup(world, summary)]) {
    if (!link) continue;
    const parsed = parseLink(link);
    const join = parsed.ok ? toJoinTarget(parsed.link) : { error: 'bad link' };
    if (!('error' in join)) await run({ kind: 'join', target: join }, 5, `join ${link}`);
  }
  if (reacted) {
    const t = target(reacted.link);
    if (!('error' in t)) await run({ kind: 'reaction', target: t, emoji: '👍' }, 5, `👍 on ${reacted.link}`);
  }
  if (poll) {
    const t = target(poll.link);
    if (!('error' in t)) await run({ kind: 'vote', target: t, options: [1] }, 3, `vote for option 1 in the poll ${poll.link}`);
  }
  if (commented) {
    const t = target(commented.link);
    if (!('error' in t)) await run({ kind: 'comment', target: t, text: 'Great post, thanks!' }, 1, `comment under ${commented.link}`);
  }
}

async function campaign(app: App, world: SimWorld, summary: WorldSummary, env: Record<string, string>, p: (s: string) => void): Promise<void> {
  p('\n4. A campaign: private messages spread over the accounts, killed midway and resumed');
  const targets = [...summary.usernames.slice(0, 16), ...summary.missingUsernames.slice(0, 2), 'bad!name'];
  const service = app.campaigns;
  const created = service.create({ name: 'demo', message: 'Hello from the Telegram Panel demo!', targets: targets.join('\n'), perAccountCap: 4 });
  p(`   created "demo": ${created.targetsNote}`);
  // The campaign runs in a separate process, which is killed without warning after a few sends.
  // This process lets go of the accounts first: one live connection per account, across processes.
  for (const id of app.fleet.liveIds()) await app.fleet.disconnect(id);
  const before = world.deliveries().length;
  const child = spawn(process.execPath, [binPath(), 'campaign', 'run', 'demo'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  while (world.deliveries().length - before < 5 && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGKILL');
  await exited;
  const midway = service.status('demo');
  p(`   killed the sender (SIGKILL) after ${world.deliveries().length - before} deliveries: ${countsLine(midway.counts)}`);
  const report = await service.run('demo');
  p(`   resumed in this process: ${countsLine(report.counts)} (state: ${report.state}${report.reason ? `, ${report.reason}` : ''})`);
  const status = service.status('demo');
  p(table(['account', 'sent', 'not found', 'privacy', 'failed', 'cap left'], status.accounts.map((a) => [a.phone ?? a.accountId, a.sent, a.notFound, a.privacyRestricted, a.failed, a.remainingCap])));
  const got = new Map<string, number>();
  for (const d of world.deliveries()) if (d.text === 'Hello from the Telegram Panel demo!') got.set(String(d.to ?? d.toId), (got.get(String(d.to ?? d.toId)) ?? 0) + 1);
  const twice = [...got.values()].filter((n) => n > 1).length;
  p(`   the world's delivery log: ${got.size} people got the message, ${twice} of them more than once`);
}

function countsLine(c: Record<string, number>): string {
  return Object.entries(c)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

async function monitor(app: App, world: SimWorld, summary: WorldSummary, p: (s: string) => void): Promise<void> {
  p('\n3. Monitor: keywords in every group the accounts are in, each hit queued once for the channel');
  const service = app.monitorService;
  service.addKeyword('usdt', 'word');
  service.addKeyword('فروش ویژه');
  p(`   keywords: ${service.keywords().map((k) => k.pattern).join(', ')}`);
  const runtime = app.monitorRuntime(null);
  await runtime.start();
  try {
    const group = chatGroup(world, summary);
    const messages = ['Selling USDT, good price', 'فروش ويژه امروز', 'just chatting, nothing to see'];
    for (const text of messages) world.post(group, text);
    const deadline = Date.now() + 20_000;
    while (service.outbox().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const rows = service.outbox();
    const stats = runtime.monitor.stats();
    p(`   posted ${messages.length} messages in ${group}: the accounts saw ${stats.messages} copies, ${stats.duplicates} duplicates dropped, ${rows.length} hits queued`);
    for (const r of rows) p(`   ---\n${r.payload.text.replace(/^/gm, '   ')}`);
  } finally {
    await runtime.stop();
  }
}
