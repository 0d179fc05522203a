import type { Command } from 'commander';
import { InputError } from '../../../core/errors.ts';
import { createWorld, describeApplied, FAULT_SYNTAX, isOneShot, openWorld, type SimWorld } from '../../../sim/index.ts';
import type { CliContext } from '../context.ts';
import { table } from '../table.ts';

function wholeNumber(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim())) throw new InputError(`${flag} takes a whole number (got "${value}")`);
    const n = Number(value);
    if (n < min || n > max) throw new InputError(`${flag} must be from ${min} to ${max} (got ${n})`);
    return n;
  };
}

function withWorld<T>(path: string, fn: (world: SimWorld) => T): T {
  const world = openWorld(path);
  try {
    return fn(world);
  } finally {
    world.close();
  }
}

/** `+90m`, `+2h`, `+3d` (forward from the world's now), an ISO time, epoch ms, or `wall`. */
export function parseWorldTime(value: string, now: number): number | 'wall' {
  const v = value.trim();
  if (v === 'wall') return 'wall';
  const rel = /^\+(\d+)(s|m|h|d)$/.exec(v);
  if (rel) return now + Number(rel[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 's' | 'm' | 'h' | 'd'];
  if (/^\d{12,}$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InputError(`cannot read the time "${value}": use wall, +30m, +2h, +1d, an ISO time or epoch milliseconds`);
  return t;
}

export function registerSim(sim: Command, ctx: CliContext): void {

  sim
    .command('create')
    .description('create a world file deterministically from a seed and print its accounts, usernames, groups and posts as JSON')
    .argument('<world.db>', 'the new world file (must not exist)')
    .option('--accounts <n>', 'fleet accounts (your own)', wholeNumber('--accounts', 1, 1000), 5)
    .option('--users <n>', 'other people', wholeNumber('--users', 0, 100_000), 50)
    .option('--groups <n>', 'chats to join (channels come with a discussion group)', wholeNumber('--groups', 0, 1000), 8)
    .option('--seed <seed>', 'the same seed builds the same world', '1')
    .option('--faults <mode>', 'none | default (Telegram-like flood and spam budgets)', 'default')
    .action((path: string, o: { accounts: number; users: number; groups: number; seed: string; faults: string }) => {
      if (o.faults !== 'none' && o.faults !== 'default') throw new InputError(`--faults takes none or default (got "${o.faults}")`);
      const summary = createWorld(path, { accounts: o.accounts, users: o.users, groups: o.groups, seed: o.seed, faults: o.faults });
      ctx.print(JSON.stringify(summary, null, 2));
    });

  sim
    .command('deliveries')
    .description('print the delivery log: every private message the accounts sent (JSON with --json)')
    .argument('<world.db>', 'the world file')
    .action((path: string) => {
      const rows = withWorld(path, (w) => w.deliveries());
      ctx.emit(
        rows.map((d) => ({ from: d.from, to: d.to, text: d.text, at: d.at })),
        () => (rows.length === 0 ? 'no deliveries yet' : table(['at', 'from', 'to', 'text'], rows.map((d) => [d.at, d.from, d.to ? `@${d.to}` : `id ${d.toId}`, d.text.slice(0, 60)]))),
      );
    });

  sim
    .command('post')
    .description('make a member of a chat post a message (pushed to every attached account in the chat, for trying the monitor)')
    .argument('<world.db>', 'the world file')
    .argument('<chat>', '@username, t.me link, chat id or exact title')
    .argument('<text>', 'the message')
    .option('--from <user>', 'who posts (username or id; default: the first ordinary member)')
    .action((path: string, chat: string, text: string, o: { from?: string }) => {
      const r = withWorld(path, (w) => w.post(chat, text, o.from));
      ctx.emit(r, () => `posted message ${r.messageId}${r.link ? ` (${r.link})` : ''}`);
    });

  sim
    .command('fault')
    .description('inject a fault for one account, or clear its faults with --clear')
    .argument('<world.db>', 'the world file')
    .argument('<account>', 'phone, username or user id of a fleet account')
    .argument('[fault]', FAULT_SYNTAX)
    .option('--clear', 'clear the account\'s faults (all, or only the kind given)')
    .addHelpText('after', `\nFaults: ${FAULT_SYNTAX}\n  revoked/session-revoked/duplicated end the account's current sessions once; the rest stay until --clear.`)
    .action((path: string, account: string, fault: string | undefined, o: { clear?: boolean }) => {
      if (!o.clear && fault === undefined) throw new InputError(`name a fault (${FAULT_SYNTAX}) or pass --clear`);
      const r = withWorld(path, (w) => {
        let applied: string | null = null;
        let sessions: number | undefined;
        if (o.clear) w.clearFault(account, fault?.split(':')[0]);
        else {
          const done = w.setFault(account, fault!);
          applied = describeApplied(done.fault, done.sessions);
          if (isOneShot(done.fault.kind)) sessions = done.sessions;
        }
        return { applied, sessions, faults: w.faultsOf(w.account(account).id) };
      });
      const lasting = r.faults.length ? r.faults.join(', ') : 'no faults';
      ctx.emit(
        { account, ...(r.applied !== null ? { applied: r.applied } : {}), ...(r.sessions !== undefined ? { sessions: r.sessions } : {}), faults: r.faults },
        () => (r.applied !== null && r.sessions !== undefined ? `${account}: ${r.applied}; lasting faults: ${lasting}` : `${account}: ${lasting}`),
      );
    });

  sim
    .command('time')
    .description("set the world's clock: wall, +30m / +2h / +1d from its now, an ISO time or epoch ms")
    .argument('<world.db>', 'the world file')
    .argument('<time>', 'wall | +N(s|m|h|d) | ISO time | epoch ms')
    .action((path: string, value: string) => {
      const r = withWorld(path, (w) => {
        const t = parseWorldTime(value, w.now());
        if (t === 'wall') w.useWallClock();
        else w.setTime(t);
        return { clock: w.clockMode, now: new Date(w.now()).toISOString() };
      });
      ctx.emit(r, () => `world time ${r.now} (${r.clock === 'wall' ? 'follows the wall clock' : 'fixed until told otherwise'})`);
    });

  sim
    .command('show')
    .description('show what is in a world: accounts (with login codes), chats, posts, clock and budgets')
    .argument('<world.db>', 'the world file')
    .action((path: string) => {
      const data = withWorld(path, (w) => ({
        clock: w.clockMode,
        now: new Date(w.now()).toISOString(),
        ...w.summary(),
        accounts: w.accounts(),
        budgets: w.budgets(),
        deliveries: w.deliveries().length,
      }));
      ctx.emit(data, () =>
        [
          `world time ${data.now} (${data.clock})`,
          '',
          table(
            ['phone', 'code', '2FA password', 'username', 'state', 'sessions', 'faults'],
            data.accounts.map((a) => [a.phone, a.code, a.password ?? '-', a.username ? `@${a.username}` : '-', a.state, a.sessions, a.faults.join(', ') || '-']),
          ),
          '',
          table(['group', 'link'], data.groups.map((g) => [g.title, g.link])),
          '',
          table(['post', 'comments', 'poll'], data.posts.map((p) => [p.link, p.hasComments ? 'yes' : 'no', p.poll ? `${p.poll.options} options${p.poll.multiple ? ', multiple' : ''}` : '-'])),
          '',
          `${data.usernames.length} people with usernames, ${data.missingUsernames.length} usernames that do not resolve, ${data.deliveries} deliveries`,
          `budgets: ${data.budgets.map((b) => `${b.method} ${b.max}/${Math.round(b.windowMs / 60_000)}min`).join(', ') || 'none'}`,
        ].join('\n'),
      );
    });
}
