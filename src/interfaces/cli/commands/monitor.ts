import type { Command } from 'commander';
import { InputError } from '../../../core/errors.ts';
import type { KeywordMode } from '../../../core/keywords.ts';
import type { ChannelRef } from '../../../core/monitor-filter.ts';
import type { MonitorStatus } from '../../../engine/monitor-service.ts';
import type { CliContext } from '../context.ts';
import { table } from '../table.ts';

function time(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

function onOff(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (['on', 'yes', 'true', '1'].includes(v)) return true;
  if (['off', 'no', 'false', '0'].includes(v)) return false;
  throw new InputError(`--${name} takes on or off (got "${value}")`);
}

function channelText(c: ChannelRef | null): string {
  if (c === null) return 'off (CHANNEL_ID is not set)';
  return 'id' in c ? String(c.id) : `@${c.username}`;
}

export function renderStatus(s: MonitorStatus): string {
  const watching = s.targets > 0 ? `${s.targets} target chat${s.targets === 1 ? '' : 's'} only` : `every group${s.options.channels ? ', channels' : ''}${s.options.private ? ', private chats' : ''}`;
  const lines = [
    `keywords: ${s.keywords}, ignored senders: ${s.ignored}, watching: ${watching}`,
    `forward channel: ${channelText(s.channel)}`,
    `outbox: ${s.outbox.pending} waiting${s.outbox.held ? ` (${s.outbox.held} held: ${s.outbox.lastError ?? 'refused'})` : s.outbox.lastError && s.outbox.pending ? ` (last error: ${s.outbox.lastError})` : ''}, ${s.outbox.sent} sent recently`,
    `last hit: ${s.outbox.lastHit ? `${time(s.outbox.lastHit.at)} in ${s.outbox.lastHit.chatTitle} (${s.outbox.lastHit.keywords.join(', ')}), ${s.outbox.lastHit.state}` : 'none yet'}`,
  ];
  if (s.accounts.length === 0) return lines.join('\n') + '\nno accounts';
  const rows = s.accounts.map((a) => [a.label, a.state, `${a.watchedChats}/${a.chats}`, time(a.lastActivityAt), time(a.lastCatchUpAt), a.resyncs, problem(a)]);
  return lines.join('\n') + '\n\n' + table(['account', 'updates', 'watched/chats', 'last update', 'caught up', 'resyncs', 'problem'], rows);
}

/** The account's error, and a gap Telegram would not fill (hits in it may be lost). */
function problem(a: MonitorStatus['accounts'][number]): string {
  const parts: string[] = [];
  if (a.lastError) parts.push(a.lastError);
  if (a.gap) {
    const where = a.gap.chats.map((c) => (c === null ? 'private chats and basic groups' : String(c))).join(', ');
    parts.push(`gap too long to recover at ${time(a.gap.at)} (${where}): hits in it may be lost`);
  }
  return parts.join('; ');
}

export function registerMonitor(monitor: Command, ctx: CliContext): void {

  // --- keywords ---
  const keywords = monitor.command('keywords').description('keywords that make a message a hit');
  keywords
    .command('add')
    .description('add a keyword (case, Persian/Arabic letter variants, diacritics and digits do not matter)')
    .argument('<keyword...>', 'the keyword; several words make one phrase')
    .option('--word', 'match whole words only (not inside longer words)')
    .option('--regex', 'a regular expression (RE2 syntax: linear time, no backreferences or lookaround; at most 200 characters) over the folded lowercase text')
    .action(async (words: string[], opts: { word?: boolean; regex?: boolean }) => {
      if (opts.word && opts.regex) throw new InputError('--word and --regex cannot be combined (use \\b in the expression)');
      const mode: KeywordMode = opts.regex ? 'regex' : opts.word ? 'word' : 'plain';
      await ctx.withApp([], (app) => {
        const r = app.monitorService.addKeyword(words.join(' '), mode);
        ctx.emit({ added: r.added, keyword: r.rule }, () => (r.added ? `added keyword #${r.rule.id}: ${r.rule.pattern} (${r.rule.mode})` : `already there as keyword #${r.rule.id}: ${r.rule.pattern} (${r.rule.mode})`));
        return Promise.resolve();
      });
    });
  keywords
    .command('remove')
    .description('remove a keyword by its number (#3) or its text')
    .argument('<keyword...>', 'number or text')
    .action(async (words: string[]) => {
      await ctx.withApp([], (app) => {
        const rule = app.monitorService.removeKeyword(words.join(' '));
        ctx.emit({ removed: rule }, () => `removed keyword #${rule.id}: ${rule.pattern}`);
        return Promise.resolve();
      });
    });
  keywords
    .command('list')
    .description('list the keywords')
    .action(async () => {
      await ctx.withApp([], (app) => {
        const list = app.monitorService.keywords();
        ctx.emit(list, () => (list.length === 0 ? 'no keywords: add one with monitor keywords add <keyword>' : table(['#', 'keyword', 'mode', 'added'], list.map((k) => [k.id, k.pattern, k.mode, time(k.createdAt)]))));
        return Promise.resolve();
      });
    });
  keywords
    .command('test')
    .description('show which keywords a text would match')
    .argument('<text...>', 'a message text')
    .action(async (words: string[]) => {
      await ctx.withApp([], (app) => {
        const matched = app.monitorService.testText(words.join(' '));
        ctx.emit({ matched }, () => (matched.length === 0 ? 'no keyword matches' : `matches: ${matched.map((r) => `#${r.id} ${r.pattern}`).join(', ')}`));
        return Promise.resolve();
      });
    });

  // --- ignored senders ---
  const ignore = monitor.command('ignore').description('senders whose messages are never forwarded');
  ignore
    .command('add')
    .description('ignore a sender by numeric user id or @username')
    .argument('<sender>', 'user id or @username')
    .action(async (ref: string) => {
      await ctx.withApp([], (app) => {
        const r = app.monitorService.addIgnored(ref);
        const name = 'senderId' in r.sender ? String(r.sender.senderId) : `@${r.sender.username}`;
        ctx.emit(r, () => (r.added ? `ignoring ${name}` : `${name} was already ignored`));
        return Promise.resolve();
      });
    });
  ignore
    .command('remove')
    .description('stop ignoring a sender')
    .argument('<sender>', 'user id or @username')
    .action(async (ref: string) => {
      await ctx.withApp([], (app) => {
        const s = app.monitorService.removeIgnored(ref);
        ctx.emit({ removed: s }, () => `no longer ignoring ${'senderId' in s ? s.senderId : `@${s.username}`}`);
        return Promise.resolve();
      });
    });
  ignore
    .command('list')
    .description('list ignored senders')
    .action(async () => {
      await ctx.withApp([], (app) => {
        const list = app.monitorService.ignored();
        ctx.emit(list, () => (list.length === 0 ? 'no ignored senders' : table(['sender', 'since'], list.map((i) => [i.senderId ?? `@${i.username}`, time(i.createdAt)]))));
        return Promise.resolve();
      });
    });

  // --- targets ---
  const targets = monitor.command('targets').description('when any are set, only these chats are watched');
  targets
    .command('add')
    .description('watch only this chat (plus other targets); it must be one the accounts are in')
    .argument('<chat>', 'chat id (-100…), @username, t.me/<name> or a message link')
    .action(async (ref: string) => {
      await ctx.withApp([], (app) => {
        const r = app.monitorService.addTarget(ref);
        ctx.emit(r, () => `${r.added ? 'added target' : 'already a target'}: ${r.chat.title} (${r.chat.id})`);
        return Promise.resolve();
      });
    });
  targets
    .command('remove')
    .description('remove a target chat (with none left, every group is watched)')
    .argument('<chat>', 'chat id or @username')
    .action(async (ref: string) => {
      await ctx.withApp([], (app) => {
        const t = app.monitorService.removeTarget(ref);
        ctx.emit({ removed: t }, () => `removed target: ${t.title} (${t.chatId})`);
        return Promise.resolve();
      });
    });
  targets
    .command('list')
    .description('list target chats')
    .action(async () => {
      await ctx.withApp([], (app) => {
        const list = app.monitorService.targets();
        ctx.emit(list, () => (list.length === 0 ? 'no targets: every group the accounts are in is watched' : table(['chat', 'id', 'kind', 'username'], list.map((t) => [t.title, t.chatId, t.kind, t.username ? `@${t.username}` : null]))));
        return Promise.resolve();
      });
    });

  // --- groups ---
  const groups = monitor.command('groups').description('the chats the accounts are in');
  groups
    .command('list')
    .description('list every chat any account is in, and whether it is watched')
    .action(async () => {
      await ctx.withApp([], (app) => {
        const chats = app.monitorService.knownChats();
        ctx.emit(chats, () =>
          chats.length === 0
            ? 'no chats known: run monitor groups refresh'
            : table(
                ['chat', 'id', 'kind', 'accounts', 'watched'],
                chats.map((k) => [k.chat.title, k.chat.id, k.chat.kind, k.accountIds.length, k.skip === null ? 'yes' : `no (${k.skip.replace('_', ' ')})`]),
              ),
        );
        return Promise.resolve();
      });
    });
  groups
    .command('refresh')
    .description("read every active account's chats from Telegram")
    .action(async () => {
      await ctx.withApp(['telegram'], async (app) => {
        const r = await app.monitorService.refreshGroups(app.fleet);
        ctx.emit(r, () =>
          [`${r.chats} chats over ${r.accounts.length} accounts`, ...r.accounts.map((a) => ('error' in a ? `  #${a.accountId}: failed (${a.error})` : `  #${a.accountId}: ${a.chats} chats`))].join('\n'),
        );
      });
    });

  // --- options ---
  monitor
    .command('options')
    .description('show or change what is watched besides groups')
    .option('--channels <on|off>', 'watch channels the accounts follow')
    .option('--private <on|off>', "watch the accounts' private chats")
    .action(async (opts: { channels?: string; private?: string }) => {
      const change = { channels: onOff(opts.channels, 'channels'), private: onOff(opts.private, 'private') };
      await ctx.withApp([], (app) => {
        const service = app.monitorService;
        const o = change.channels === undefined && change.private === undefined ? service.options() : service.setOptions(change);
        ctx.emit(o, () => `channels: ${o.channels ? 'on' : 'off'}\nprivate chats: ${o.private ? 'on' : 'off'}`);
        return Promise.resolve();
      });
    });

  // --- status and outbox ---
  monitor
    .command('status')
    .description('watched chats per account, update health, outbox length and the last hit')
    .action(async () => {
      await ctx.withApp([], (app) => {
        const s = app.monitorService.status();
        ctx.emit(s, () => renderStatus(s));
        return Promise.resolve();
      });
    });
  const outbox = monitor.command('outbox').description('forwards waiting for the channel');
  outbox
    .command('list')
    .description('list waiting forwards (and the most recent sent ones)')
    .option('--limit <n>', 'rows to show', '20')
    .action(async (opts: { limit: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new InputError('--limit takes a whole number from 1 to 1000');
      await ctx.withApp([], (app) => {
        const rows = app.monitorService.outbox(limit);
        ctx.emit(rows, () =>
          rows.length === 0
            ? 'the outbox is empty'
            : table(
                ['#', 'queued', 'chat', 'keywords', 'state', 'attempts', 'problem'],
                rows.map((r) => [r.id, time(r.createdAt), r.chatTitle, r.keywords.join(', '), r.state === 'sent' ? 'sent' : r.held ? 'held' : 'waiting', r.attempts, r.state === 'sent' ? '' : (r.lastError ?? '')]),
              ),
        );
        return Promise.resolve();
      });
    });
  outbox
    .command('retry')
    .description('retry held forwards now (after giving the bot the right to post in the channel)')
    .action(async () => {
      await ctx.withApp([], (app) => {
        const n = app.monitorService.retryHeld();
        ctx.emit({ released: n }, () => (n === 0 ? 'no held forwards' : `${n} held forward${n === 1 ? '' : 's'} will be retried by the running panel`));
        return Promise.resolve();
      });
    });
}
