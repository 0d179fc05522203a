import { createHash } from 'node:crypto';
import type { AccountSummary } from '../../../core/accounts.ts';
import { InputError } from '../../../core/errors.ts';
import { RESERVE_TAG } from '../../../core/tags.ts';
import type { FlowRecord } from '../../../store/bot.ts';
import { refusal } from '../errors.ts';
import { num } from '../flows.ts';
import { iso } from '../i18n/bidi.ts';
import type { Registry } from '../runtime.ts';
import type { AccountsPort, TagsPort } from '../services.ts';
import type { Turn } from '../turn.ts';
import { button, cb, grid, type View } from '../ui.ts';
import { accountName, unavailable, withCardAccount } from './common.ts';
import { navRow } from './home.ts';

/**
 * A tag in callback data: a tag of 32 Persian letters alone fills Telegram's 64 bytes, and an
 * index would name another tag once the list changed under an old button.
 */
function tagKey(tag: string): string {
  return createHash('sha256').update(tag).digest('base64url').slice(0, 10);
}

/** Tags as the admin reads them, each isolated so Latin and Persian tags keep their order. */
export function tagList(tags: readonly string[]): string {
  return tags.map((x) => iso(x)).join(', ');
}

/** An account's tags: remove one with its button, add one by typing it (checked by the engine). */
export function registerAccountTags(reg: Registry): void {
  const ports = (turn: Turn): { accounts: AccountsPort; tags: TagsPort } | undefined => {
    const s = turn.rt.deps.services;
    return s.accounts && s.tags ? { accounts: s.accounts, tags: s.tags } : undefined;
  };

  const tagsView = (turn: Turn, a: AccountSummary, prefix?: string): View => {
    const t = turn.t;
    const tags = a.tags ?? [];
    const lines = [t.tagsTitle(accountName(a)), tags.length > 0 ? t.tagsNow(tagList(tags)) : t.tagsNone, '', t.tagsReserveNote(iso(RESERVE_TAG))];
    return {
      text: `${prefix ? `${prefix}\n\n` : ''}${lines.join('\n')}`,
      keyboard: [
        ...grid(
          tags.map((tag) => button(t.btnRemoveTag(iso(tag)), cb('acc.tgr', a.id, tagKey(tag)))),
          2,
        ),
        [button(t.btnAddTag, cb('acc.tga', a.id)), ...(tags.includes(RESERVE_TAG) ? [] : [button(t.btnAddReserve(iso(RESERVE_TAG)), cb('acc.tgv', a.id))])],
        navRow(turn, cb('acc.c', a.id)),
      ],
    };
  };

  const withAccount = (turn: Turn, idArg: string | undefined, fn: (p: { accounts: AccountsPort; tags: TagsPort }, a: AccountSummary) => Promise<void>): Promise<void> => withCardAccount(turn, ports(turn), idArg, fn);

  /** Adds a tag through the engine; its refusal is worded in the admin's language. */
  const add = (turn: Turn, p: { accounts: AccountsPort; tags: TagsPort }, id: number, typed: string): { ok: true; prefix: string } | { ok: false; reason: string } => {
    try {
      const r = p.tags.change([id], 'add', typed);
      return { ok: true, prefix: r.changed.length > 0 ? turn.t.tagAdded(iso(r.tag)) : turn.t.tagHad(iso(r.tag)) };
    } catch (e) {
      if (e instanceof InputError) return { ok: false, reason: turn.t.inputRefused(refusal(turn.t, e)) };
      throw e;
    }
  };

  reg.route('acc.tg', (turn, [id]) =>
    withAccount(turn, id, async (_p, a) => {
      await turn.leaveFlow();
      await turn.show(tagsView(turn, a));
    }),
  );

  reg.route('acc.tgr', (turn, [id, key]) =>
    withAccount(turn, id, async (p, a) => {
      const tag = (a.tags ?? []).find((x) => tagKey(x) === key);
      // Already gone (removed from another screen or the CLI): show what is there now.
      if (tag === undefined) {
        await turn.answer(turn.t.menuExpired);
        return turn.show(tagsView(turn, a));
      }
      p.tags.change([a.id], 'remove', tag);
      await turn.show(tagsView(turn, p.accounts.get(a.id) ?? a, turn.t.tagRemoved(iso(tag))));
    }),
  );

  reg.route('acc.tgv', (turn, [id]) =>
    withAccount(turn, id, async (p, a) => {
      const r = add(turn, p, a.id, RESERVE_TAG);
      await turn.show(tagsView(turn, p.accounts.get(a.id) ?? a, r.ok ? r.prefix : r.reason));
    }),
  );

  const tagPrompt = (turn: Turn, flow: FlowRecord): View => {
    const id = num(flow, 'accountId');
    const a = id === undefined ? undefined : turn.rt.deps.services.accounts?.get(id);
    return {
      text: turn.t.askTag(a ? accountName(a) : iso(`#${id ?? '?'}`), iso(RESERVE_TAG)),
      keyboard: [navRow(turn, cb('acc.tg', id ?? 0))],
    };
  };

  reg.route('acc.tga', (turn, [id]) =>
    withAccount(turn, id, async (_p, a) => {
      const rec = turn.setFlow('tag', 'name', { accountId: a.id });
      await turn.show(tagPrompt(turn, rec));
    }),
  );

  reg.flow({
    name: 'tag',
    prompt: tagPrompt,
    async onText(turn, flow, text) {
      const p = ports(turn);
      if (!p) return unavailable(turn);
      const id = num(flow, 'accountId');
      const a = id === undefined ? undefined : p.accounts.get(id);
      if (!a) {
        await turn.leaveFlow();
        return turn.current(turn.t.accountGone, true);
      }
      const r = add(turn, p, a.id, text);
      if (!r.ok) return turn.retry(r.reason);
      await turn.leaveFlow();
      await turn.send(tagsView(turn, p.accounts.get(a.id) ?? a, r.prefix));
    },
  });
}
