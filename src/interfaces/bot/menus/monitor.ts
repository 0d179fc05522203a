import { InputError } from '../../../core/errors.ts';
import { parseIgnoreSenderCallback } from '../../../core/forward-format.ts';
import { KEYWORD_MODES, type KeywordMode } from '../../../core/keywords.ts';
import type { FlowRecord } from '../../../store/bot.ts';
import type { IgnoredRow } from '../../../store/monitor.ts';
import { refusal } from '../errors.ts';
import { str } from '../flows.ts';
import { iso } from '../i18n/bidi.ts';
import { editMessage } from '../render.ts';
import type { Registry } from '../runtime.ts';
import type { Turn } from '../turn.ts';
import { button, cb, type Keyboard, type View } from '../ui.ts';
import { intArg, page, paged, pageNav, unavailable, when } from './common.ts';
import { navRow } from './home.ts';

type Monitor = NonNullable<Turn['rt']['deps']['services']['monitor']>;

const PER_PAGE = 10;

function senderRef(r: Pick<IgnoredRow, 'senderId' | 'username'>): string {
  return r.senderId !== null ? String(r.senderId) : `@${r.username ?? ''}`;
}

function statusView(turn: Turn, svc: Monitor): View {
  const t = turn.t;
  const s = svc.status();
  const channel = s.channel === null ? t.monNoChannel : iso('id' in s.channel ? String(s.channel.id) : `@${s.channel.username}`);
  const lines = [
    t.monTitle,
    '',
    t.monCounts(s.keywords, s.ignored, s.targets),
    t.monWatching(s.targets > 0, s.options.channels, s.options.private),
    t.monChannel(channel),
    t.monOutbox(s.outbox.pending, s.outbox.held, s.outbox.sent),
  ];
  if (s.outbox.lastHit) lines.push(t.monLastHit(when(s.outbox.lastHit.at), iso(s.outbox.lastHit.chatTitle), s.outbox.lastHit.keywords.map((k) => iso(k)).join(', ')));
  if (s.outbox.lastError) lines.push(t.monLastError(iso(s.outbox.lastError)));
  if (s.accounts.length > 0) {
    lines.push('', t.monAccountsHead);
    for (const a of s.accounts.slice(0, 20)) lines.push(t.monAccountLine(iso(a.label), t.watchState(a.state), a.watchedChats, a.chats, a.lastActivityAt === null ? t.never : when(a.lastActivityAt)));
  }
  return {
    text: lines.join('\n'),
    keyboard: [
      [button(t.btnKeywords, cb('mon.k', 0)), button(t.btnIgnored, cb('mon.i', 0))],
      [button(t.btnTargets, cb('mon.t', 0)), button(t.btnGroups, cb('mon.g', 0))],
      [button(t.btnWatchChannels(s.options.channels), cb('mon.o', 'channels')), button(t.btnWatchPrivate(s.options.private), cb('mon.o', 'private'))],
      [button(t.btnRefresh, cb('mon'))],
      navRow(turn, cb('home')),
    ],
  };
}

function addPrompt(turn: Turn, flow: FlowRecord): View {
  const t = turn.t;
  const back: Keyboard = [navRow(turn, cb(flow.flow === 'monkw' ? 'mon.k' : flow.flow === 'monig' ? 'mon.i' : 'mon.t', 0))];
  if (flow.flow === 'monkw') {
    const mode = (str(flow, 'mode') ?? 'plain') as KeywordMode;
    return {
      text: t.askKeyword(t.keywordMode(mode)),
      keyboard: [KEYWORD_MODES.map((m) => button(`${m === mode ? '✅ ' : ''}${t.keywordMode(m)}`, cb('mon.km', m))), ...back],
    };
  }
  return { text: flow.flow === 'monig' ? t.askIgnored : t.askTarget_chat, keyboard: back };
}

export function registerMonitor(reg: Registry): void {
  const svcOf = (turn: Turn): Monitor | undefined => turn.rt.deps.services.monitor;
  const needs = async (turn: Turn, fn: (svc: Monitor) => Promise<void>): Promise<void> => {
    const svc = svcOf(turn);
    if (!svc) return unavailable(turn);
    await fn(svc);
  };

  reg.route('mon', (turn) =>
    needs(turn, async (svc) => {
      await turn.leaveFlow();
      await turn.show(statusView(turn, svc));
    }),
  );

  reg.route('mon.o', (turn, [which]) =>
    needs(turn, async (svc) => {
      if (which !== 'channels' && which !== 'private') return turn.current(turn.t.menuExpired);
      const o = svc.options();
      svc.setOptions({ [which]: !o[which] });
      await turn.show(statusView(turn, svc));
    }),
  );

  // --- keywords ---

  const keywordsView = (turn: Turn, svc: Monitor, page: number, prefix?: string): View => {
    const t = turn.t;
    const all = svc.keywords();
    const p = paged(turn, all, page, PER_PAGE, (k) => button(`✖ ${k.pattern}${k.mode === 'plain' ? '' : ` (${t.keywordMode(k.mode)})`}`, cb('mon.kr', k.id, page)), (n) => cb('mon.k', n));
    return {
      text: `${prefix ? `${prefix}\n\n` : ''}${all.length === 0 ? t.noKeywords : t.keywordsTitle(all.length)}`,
      keyboard: [[button(t.btnAddKeyword, cb('mon.ka'))], ...p.rows, navRow(turn, cb('mon'))],
    };
  };

  reg.route('mon.k', (turn, [page]) =>
    needs(turn, async (svc) => {
      await turn.leaveFlow();
      await turn.show(keywordsView(turn, svc, intArg(page) ?? 0));
    }),
  );

  reg.route('mon.kr', (turn, [id, page]) =>
    needs(turn, async (svc) => {
      const k = svc.keywords().find((x) => String(x.id) === id);
      if (!k) {
        await turn.answer(turn.t.alreadyGone);
        return turn.show(keywordsView(turn, svc, intArg(page) ?? 0));
      }
      svc.removeKeyword(`#${k.id}`);
      await turn.show(keywordsView(turn, svc, intArg(page) ?? 0, turn.t.keywordRemoved(iso(k.pattern))));
    }),
  );

  reg.route('mon.ka', (turn) =>
    needs(turn, async () => {
      const rec = turn.setFlow('monkw', 'pattern', { mode: 'plain' });
      await turn.show(addPrompt(turn, rec));
    }),
  );

  reg.route('mon.km', async (turn, [mode]) => {
    const rec = turn.flow();
    if (rec?.flow !== 'monkw' || !KEYWORD_MODES.includes(mode as KeywordMode)) return turn.current(turn.t.menuExpired);
    await turn.show(addPrompt(turn, turn.setFlow('monkw', 'pattern', { mode })));
  });

  reg.flow({
    name: 'monkw',
    prompt: addPrompt,
    async onText(turn, flow, text) {
      const svc = svcOf(turn);
      if (!svc) return unavailable(turn);
      const mode = (str(flow, 'mode') ?? 'plain') as KeywordMode;
      let r;
      try {
        r = svc.addKeyword(text, mode);
      } catch (e) {
        if (e instanceof InputError) return turn.retry(turn.t.inputRefused(refusal(turn.t, e)));
        throw e;
      }
      await turn.leaveFlow();
      await turn.send(keywordsView(turn, svc, 0, r.added ? turn.t.keywordAdded(iso(r.rule.pattern)) : turn.t.keywordExists(iso(r.rule.pattern))));
    },
  });

  // --- ignored senders ---

  const ignoredView = (turn: Turn, svc: Monitor, page: number, prefix?: string): View => {
    const t = turn.t;
    const all = svc.ignored();
    const p = paged(turn, all, page, PER_PAGE, (r) => button(`✖ ${senderRef(r)}`, cb('mon.ir', r.senderId !== null ? `i${r.senderId}` : `u${r.username ?? ''}`, page)), (n) => cb('mon.i', n));
    return {
      text: `${prefix ? `${prefix}\n\n` : ''}${all.length === 0 ? t.noIgnored : t.ignoredTitle(all.length)}`,
      keyboard: [[button(t.btnAddIgnored, cb('mon.ia'))], ...p.rows, navRow(turn, cb('mon'))],
    };
  };

  reg.route('mon.i', (turn, [page]) =>
    needs(turn, async (svc) => {
      await turn.leaveFlow();
      await turn.show(ignoredView(turn, svc, intArg(page) ?? 0));
    }),
  );

  reg.route('mon.ir', (turn, [ref, page]) =>
    needs(turn, async (svc) => {
      const r = ref?.startsWith('i') ? ref.slice(1) : ref?.startsWith('u') ? `@${ref.slice(1)}` : undefined;
      try {
        if (r === undefined) throw new InputError('bad reference');
        svc.removeIgnored(r);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        await turn.answer(turn.t.alreadyGone);
        return turn.show(ignoredView(turn, svc, intArg(page) ?? 0));
      }
      await turn.show(ignoredView(turn, svc, intArg(page) ?? 0, turn.t.ignoredRemoved(iso(r))));
    }),
  );

  reg.route('mon.ia', (turn) =>
    needs(turn, async () => {
      await turn.show(addPrompt(turn, turn.setFlow('monig', 'ref')));
    }),
  );

  reg.flow({
    name: 'monig',
    prompt: addPrompt,
    async onText(turn, _flow, text) {
      const svc = svcOf(turn);
      if (!svc) return unavailable(turn);
      let r;
      try {
        r = svc.addIgnored(text);
      } catch (e) {
        if (e instanceof InputError) return turn.retry(turn.t.inputRefused(refusal(turn.t, e)));
        throw e;
      }
      await turn.leaveFlow();
      const who = iso('senderId' in r.sender ? String(r.sender.senderId) : `@${r.sender.username}`);
      await turn.send(ignoredView(turn, svc, 0, r.added ? turn.t.ignoredAdded(who) : turn.t.ignoredExists(who)));
    },
  });

  // --- target chats ---

  const targetsView = (turn: Turn, svc: Monitor, page: number, prefix?: string): View => {
    const t = turn.t;
    const all = svc.targets();
    const p = paged(turn, all, page, PER_PAGE, (r) => button(`✖ ${r.title}${r.username ? ` @${r.username}` : ''}`, cb('mon.tr', r.chatId, page)), (n) => cb('mon.t', n));
    return {
      text: `${prefix ? `${prefix}\n\n` : ''}${all.length === 0 ? t.noTargets : t.targetsTitle(all.length)}`,
      keyboard: [[button(t.btnAddTarget, cb('mon.ta'))], ...p.rows, navRow(turn, cb('mon'))],
    };
  };

  reg.route('mon.t', (turn, [page]) =>
    needs(turn, async (svc) => {
      await turn.leaveFlow();
      await turn.show(targetsView(turn, svc, intArg(page) ?? 0));
    }),
  );

  reg.route('mon.tr', (turn, [chatId, page]) =>
    needs(turn, async (svc) => {
      const row = svc.targets().find((x) => String(x.chatId) === chatId);
      if (!row) {
        await turn.answer(turn.t.alreadyGone);
        return turn.show(targetsView(turn, svc, intArg(page) ?? 0));
      }
      svc.removeTarget(String(row.chatId));
      await turn.show(targetsView(turn, svc, intArg(page) ?? 0, turn.t.targetRemoved(iso(row.title))));
    }),
  );

  reg.route('mon.ta', (turn) =>
    needs(turn, async () => {
      await turn.show(addPrompt(turn, turn.setFlow('montg', 'ref')));
    }),
  );

  reg.flow({
    name: 'montg',
    prompt: addPrompt,
    async onText(turn, _flow, text) {
      const svc = svcOf(turn);
      if (!svc) return unavailable(turn);
      let r;
      try {
        r = svc.addTarget(text);
      } catch (e) {
        if (e instanceof InputError) return turn.retry(turn.t.inputRefused(refusal(turn.t, e)));
        throw e;
      }
      await turn.leaveFlow();
      await turn.send(targetsView(turn, svc, 0, r.added ? turn.t.targetAdded(iso(r.chat.title)) : turn.t.targetExists(iso(r.chat.title))));
    },
  });

  // --- groups ---

  const groupsView = (turn: Turn, svc: Monitor, requested: number, prefix?: string): View => {
    const t = turn.t;
    const all = svc.knownChats();
    const p = page(all, requested, 15);
    const shown = p.items.map((k) => `${k.skip === null ? '👁' : '·'} ${iso(k.chat.title)}${k.chat.username ? ` ${iso(`@${k.chat.username}`)}` : ''}${k.target ? ' 🎯' : ''} (${t.chatKind(k.chat.kind)}, ${t.n(k.accountIds.length)})${k.skip === null ? '' : ` — ${t.skipReason(k.skip)}`}`);
    return {
      text: `${prefix ? `${prefix}\n\n` : ''}${all.length === 0 ? t.noGroups : t.monGroupsTitle(all.length, all.filter((k) => k.skip === null).length)}${shown.length ? `\n\n${shown.join('\n')}` : ''}`,
      keyboard: [...pageNav(turn, p.page, p.pages, (n) => cb('mon.g', n)), [button(t.btnRefreshGroups, cb('mon.gr'))], navRow(turn, cb('mon'))],
    };
  };

  reg.route('mon.g', (turn, [page]) =>
    needs(turn, async (svc) => {
      await turn.show(groupsView(turn, svc, intArg(page) ?? 0));
    }),
  );

  reg.route('mon.gr', (turn) =>
    needs(turn, async (svc) => {
      const pool = turn.rt.deps.services.pool;
      if (!pool) return unavailable(turn, cb('mon'));
      await turn.answer(turn.t.refreshing);
      const t = turn.t;
      const rt = turn.rt;
      const adminId = turn.adminId;
      await turn.show({ text: t.refreshingGroups, keyboard: [[button(t.btnHome, cb('home'))]] });
      // Reading every account's dialogs takes a while; updates keep flowing meanwhile.
      rt.jobs.run('refresh groups', async () => {
        let prefix: string;
        try {
          const report = await svc.refreshGroups(pool);
          const failed = report.accounts.filter((a) => 'error' in a).length;
          prefix = t.groupsRefreshed(report.chats, report.accounts.length - failed, failed);
        } catch (e) {
          prefix = `⚠️ ${e instanceof InputError ? t.inputRefused(refusal(t, e)) : t.unexpected}`;
          if (!(e instanceof InputError)) rt.deps.log.error({ err: e }, 'group refresh from the bot failed');
        }
        const view = groupsView(turn, svc, 0, prefix);
        const ref = rt.store.menu(adminId);
        if (!ref || !(await editMessage(rt, ref.chatId, ref.messageId, view))) await turn.send(view);
      });
    }),
  );

  // --- "Ignore this sender" under forwarded hits (the forwarder's buttons, in the channel) ---

  reg.onForeign('mon:ignore:', async (turn, data) => {
    const svc = svcOf(turn);
    const senderId = parseIgnoreSenderCallback(data);
    if (!svc || senderId === null) return turn.answer(turn.t.menuExpired);
    const r = svc.addIgnored(String(senderId));
    await turn.answer(r.added ? turn.t.senderIgnored(senderId) : turn.t.senderAlreadyIgnored(senderId));
    turn.rt.deps.log.info({ senderId, adminId: turn.adminId }, 'sender ignored from a forwarded hit');
  });
}
