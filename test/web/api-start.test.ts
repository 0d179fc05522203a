import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/fake-bot-api.ts';
import { enrolThroughBin } from '../support/bin-enrol.ts';
import { BIN, cli } from '../support/cli.ts';
import { simPanel, type SimPanel } from '../support/sim-panel.ts';
import { readEvents } from './support.ts';

/**
 * The dashboard's API as `start` serves it: a real `start --sim --no-bot` process, signed in by a
 * link the CLI made in the same data folder, running actions over the simulated Telegram with the
 * production mtcute client, watched over Server-Sent Events.
 */
const children: ChildProcess[] = [];
let panel: SimPanel | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await panel?.close();
  panel = undefined;
});

const bearerAgain = (made: { stdout: string }): Record<string, string> => ({ authorization: `Bearer ${(JSON.parse(made.stdout) as { token: string }).token}` });

type Ev = { id: string; event: string; data: unknown };
const json = { 'content-type': 'application/json' };

describe('start serves the dashboard API', () => {
  it('signs in by a CLI link, runs a reaction with several accounts, streams its progress to done and a monitor hit, and resumes a stream by Last-Event-ID', async () => {
    panel = simPanel({ accounts: 3, users: 6, groups: 3, seed: 21 }, { ACTION_DELAY: '0-0', ACTION_CONCURRENCY: '3' });
    const p = panel;
    enrolThroughBin(p, 120_000);

    const child = spawn(process.execPath, [BIN, 'start', '--no-bot'], {
      env: { ...process.env, ...p.env, LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let logs = '';
    child.stdout.on('data', (d: Buffer) => (logs += d.toString()));
    child.stderr.on('data', (d: Buffer) => (logs += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const address = await eventually(() => /the dashboard listens on (http:\/\/127\.0\.0\.1:\d+)/.exec(logs)?.[1], 'the dashboard to listen', 90_000);
    await eventually(() => logs.includes('telegram-panel is running'), 'the panel to start', 60_000);

    // The CLI writes the link into the panel's database; the running panel takes it.
    const link = await cli(['web', 'link', '--origin', address, '--json'], p.env);
    expect(link.code, link.stderr).toBe(0);
    const { url } = JSON.parse(link.stdout) as { url: string };
    const token = new URL(url).searchParams.get('t')!;
    const signIn = await fetch(`${address}/signin`, { method: 'POST', body: new URLSearchParams({ t: token }), redirect: 'manual' });
    expect(signIn.status).toBe(303);
    const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const session = { cookie };
    const page = await fetch(`${address}/signin?t=${token}`, { headers: session });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    // The CSRF token comes from the pages; without them, derive it the way the server does.
    const csrfToken = csrf ?? (await import('node:crypto')).createHmac('sha256', cookie.split('=')[1]!).update('csrf').digest('base64url');
    const post = (path: string, body: unknown): Promise<Response> =>
      fetch(address + path, { method: 'POST', headers: { ...json, ...session, 'x-csrf-token': csrfToken }, body: JSON.stringify(body) });

    const post0 = p.summary.posts.find((x) => x.link.includes('t.me/') && !x.link.includes('/c/'))!;
    const channel = post0.link.replace(/\/\d+$/, '');
    const events = await fetch(`${address}/api/v1/events`, { headers: session });
    expect(events.status).toBe(200);
    expect(events.headers.get('content-type')).toMatch(/text\/event-stream/);

    // Bad input: 400 with the link parser's code, and nothing recorded.
    const bad = await post('/api/v1/operations', { action: 'reaction', link: 'https://example.com/x/1', emoji: '👍', accounts: 2 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'unknown_host', problems: [] });
    const tooMany = await post('/api/v1/operations', { action: 'join', link: channel, accounts: 9 });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ code: 'accounts_too_few', params: { wanted: 9, usable: 3 } });
    expect(await (await fetch(`${address}/api/v1/operations`, { headers: session })).json()).toEqual([]);

    const join = await post('/api/v1/operations', { action: 'join', link: channel, accounts: 3 });
    expect(join.status).toBe(202);
    const joinId = ((await join.json()) as { id: number }).id;
    const finished = (id: number) => (e: Ev) => e.event === 'operation' && (e.data as { type: string; operationId: number }).type === 'finished' && (e.data as { operationId: number }).operationId === id;
    const seen = await readEvents(events, finished(joinId));
    expect(seen.filter((e) => e.event === 'operation').map((e) => (e.data as { type: string }).type)).toEqual(['started', 'result', 'result', 'result', 'finished']);

    const react = await post('/api/v1/operations', { action: 'reaction', link: post0.link, emoji: '👍', accounts: ['#1', 2, '#3'] });
    expect(react.status).toBe(202);
    const reactId = ((await react.json()) as { id: number }).id;
    // A stream resumed from the join's last event gets everything after it, the reaction's progress included.
    const lastJoinEvent = seen.at(-1)!.id;
    const resumed = await fetch(`${address}/api/v1/events`, { headers: { ...session, 'last-event-id': lastJoinEvent } });
    const after = await readEvents(resumed, finished(reactId));
    const ops = after.filter((e) => e.event === 'operation').map((e) => e.data as { type: string; operationId: number; summary?: { done: number } });
    expect(ops[0]).toMatchObject({ type: 'started', operationId: reactId });
    expect(ops.at(-1)).toMatchObject({ type: 'finished', operationId: reactId, summary: { done: 3 } });
    expect(Number(after[0]!.id.split('.')[1])).toBe(Number(lastJoinEvent.split('.')[1]) + 1);

    const record = (await (await fetch(`${address}/api/v1/operations/${reactId}`, { headers: session })).json()) as { status: string; actor: string; results: unknown[] };
    expect(record).toMatchObject({ status: 'finished', actor: expect.stringMatching(/^web:session:/) as string });
    expect(record.results).toHaveLength(3);
    const [, chat, msg] = /t\.me\/([^/]+)\/(\d+)/.exec(post0.link)!;
    expect(p.world.reactions(chat!, Number(msg)).filter((r) => r.emoji === '👍')).toHaveLength(3);

    // A monitor hit reaches the stream: an account joins a group, a keyword is added over the API,
    // someone posts in the group.
    const group = p.summary.groups.map((g) => ({ ...g, row: p.world.findChat(g.link) })).find((g) => g.row.kind === 'supergroup' && g.row.username && !g.row.forum && !g.row.join_request)!;
    const feed = await fetch(`${address}/api/v1/events`, { headers: session });
    const joinGroup = await post('/api/v1/operations', { action: 'join', link: group.link, accounts: 1 });
    expect(joinGroup.status).toBe(202);
    const joinGroupId = ((await joinGroup.json()) as { id: number }).id;
    expect((await post('/api/v1/monitor/keywords', { keyword: 'usdt' })).status).toBe(201);
    const hitEvents = await readEvents(feed, (e) => {
      if (finished(joinGroupId)(e)) p.world.post(group.link, 'cheap USDT here, write me');
      return e.event === 'hit';
    });
    expect(hitEvents.at(-1)!.data).toMatchObject({ keywords: ['usdt'], text: expect.stringContaining('cheap USDT here') as string });

    // A resume id from before a restart (another epoch) gets a reset, not silence.
    const stale = await fetch(`${address}/api/v1/events`, { headers: { ...session, 'last-event-id': '00000000.5' } });
    const [reset] = await readEvents(stale, () => true);
    expect(reset!.event).toBe('reset');

    // API tokens: made by the CLI, used by a script, revoked by the CLI.
    const made = await cli(['web', 'token', 'create', 'script', '--json'], p.env);
    expect(made.code, made.stderr).toBe(0);
    const apiToken = (JSON.parse(made.stdout) as { token: string }).token;
    const bearer = { authorization: `Bearer ${apiToken}` };
    const status = await fetch(`${address}/api/v1/status`, { headers: bearer });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ accounts: { total: 3 } });
    expect((await cli(['web', 'token', 'revoke', 'script'], p.env)).code).toBe(0);
    expect((await fetch(`${address}/api/v1/status`, { headers: bearer })).status).toBe(401);

    // Sessions: listed and revoked by the CLI.
    const list = await cli(['web', 'sessions', '--json'], p.env);
    const [s] = JSON.parse(list.stdout) as Array<{ id: number }>;
    expect((await cli(['web', 'sessions', 'revoke', String(s!.id)], p.env)).code).toBe(0);
    expect((await fetch(`${address}/api/v1/status`, { headers: session })).status).toBe(401);

    // A stream left open does not hold the shutdown up.
    const open = await fetch(`${address}/api/v1/events`, { headers: bearerAgain(await cli(['web', 'token', 'create', 'watcher', '--json'], p.env)) });
    expect(open.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(logs).toContain('stop: the web stopped');
    for (const secret of [token, cookie.split('=')[1]!, apiToken]) expect(logs).not.toContain(secret);
  }, 240_000);

  it('refuses to bind beyond loopback without WEB_ORIGIN (exit 2, nothing served)', async () => {
    panel = simPanel({ accounts: 1 });
    const r = await cli(['start', '--no-bot'], { ...panel.env, WEB_ADDR: '0.0.0.0:0' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('WEB_ORIGIN');
    const origin = await cli(['config', 'check'], { ...panel.env, WEB_ORIGIN: 'http://panel.example.com' });
    expect(origin.code).toBe(2);
    expect(origin.stderr).toContain('WEB_ORIGIN is not an https origin');
  });
});
