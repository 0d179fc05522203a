import { afterEach, describe, expect, it } from 'vitest';
import type { ChatInfo } from '../../src/core/session.ts';
import type { AccountSession } from '../../src/core/session.ts';
import { MonitorService, type ChatDirectory } from '../../src/engine/monitor-service.ts';
import { poolAccount } from '../support/memory-pool.ts';
import type { AccountPool } from '../../src/engine/ports.ts';
import { MonitorStore } from '../../src/store/monitor.ts';
import { ADMIN, harness, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.db.close());

const CHATS: ChatInfo[] = [
  { id: -1001111, kind: 'supergroup', title: 'Crypto talk', username: 'crypto_talk' },
  { id: -1002222, kind: 'channel', title: 'News', username: 'news_channel' },
  { id: -3333, kind: 'group', title: 'گروه دوستان', username: null },
];

function setup(channelId = -1009999) {
  h = harness();
  const saved = new Map<number, ChatInfo[]>();
  const directory: ChatDirectory = {
    accounts: () => [...saved.entries()].map(([accountId, chats]) => ({ accountId, label: `#${accountId} @acct${accountId}`, chats, refreshedAt: 1 })),
    save: (accountId, chats) => void saved.set(accountId, chats),
  };
  const svc = new MonitorService({ store: new MonitorStore(h.db), clock: h.clock, channel: { id: channelId }, directory });
  const pool: AccountPool = {
    accounts: () => [poolAccount(1), poolAccount(2)],
    session: (id) => Promise.resolve({ dialogs: () => Promise.resolve(id === 1 ? CHATS : CHATS.slice(0, 1)) } as unknown as AccountSession),
    reportFailure: () => undefined,
    markUsed: () => undefined,
  };
  h.deps.services = { monitor: svc, pool };
  return { svc };
}

async function openMonitor(): Promise<void> {
  await h.text('/start');
  await h.press('Monitor');
}

describe('monitor menu', () => {
  it('shows the status and toggles channels and private chats', async () => {
    const { svc } = setup();
    await openMonitor();
    expect(h.screen()).toContain('Keywords: 0 · ignored senders: 0 · target chats: 0');
    expect(h.screen()).toContain('Watching: every group');
    expect(h.screen()).toContain('Forward channel: -1009999');
    await h.press('Channels');
    expect(h.screen()).toContain('Watching: every group, channels');
    expect(svc.options().channels).toBe(true);
    await h.press('Private chats');
    expect(svc.options().private).toBe(true);
  });

  it('adds keywords (with the match mode), refuses bad ones, and removes them', async () => {
    const { svc } = setup();
    await openMonitor();
    await h.press('Keywords');
    expect(h.screen()).toContain('No keywords yet');
    await h.press('Add a keyword');
    await h.text('   ');
    expect(h.screen()).toContain('Cannot do that: keyword refused');
    expect(h.screen()).toContain('Type the keyword');
    await h.text('بیت‌کوین');
    expect(h.screen()).toContain('Keyword بیت‌کوین added.');
    await h.press('Add a keyword');
    await h.press('regular expression');
    expect(h.labels()).toContain('✅ regular expression');
    await h.text('btc(');
    expect(h.screen()).toContain('keyword refused');
    await h.text('btc\\d+');
    expect(h.screen()).toContain('Keywords (2)');
    await h.press('Add a keyword');
    await h.text('بيت‌كوين');
    expect(h.screen()).toContain('is already there');
    await h.press('✖ بیت‌کوین');
    expect(h.screen()).toContain('removed');
    expect(svc.keywords().map((k) => k.pattern)).toEqual(['btc\\d+']);
  });

  it('ignores senders by id or @username and removes them', async () => {
    const { svc } = setup();
    await openMonitor();
    await h.press('Ignored senders');
    await h.press('Ignore a sender');
    await h.text('not a sender!');
    expect(h.screen()).toContain('not a sender id or @username');
    await h.text('@Spam_Bot_x');
    expect(h.screen()).toContain('@spam_bot_x is ignored now.');
    await h.press('Ignore a sender');
    await h.text('123456');
    await h.press('✖ 123456');
    expect(h.screen()).toContain('123456 is no longer ignored.');
    expect(svc.ignored().map((r) => r.username)).toEqual(['spam_bot_x']);
  });

  it('refreshes groups in the background, lists them, and sets a target chat', async () => {
    const { svc } = setup();
    await openMonitor();
    await h.press('Groups');
    expect(h.screen()).toContain('No chats known yet');
    await h.press('Refresh from Telegram');
    await h.clock.run(h.bot.idle());
    expect(h.screen()).toContain('Refreshed: 3 chats from 2 accounts.');
    expect(h.screen()).toContain('👁 Crypto talk @crypto_talk (supergroup, 2)');
    expect(h.screen()).toContain('· News @news_channel (channel, 1) — channels or private chats are off');
    await h.press('Back');
    await h.press('Target chats');
    await h.press('Add a target chat');
    await h.text('@nowhere_chat');
    expect(h.screen()).toContain('no account is in the chat');
    await h.text('https://t.me/crypto_talk');
    expect(h.screen()).toContain('Crypto talk is a target chat now.');
    expect(svc.targets().map((t) => t.chatId)).toEqual([-1001111]);
    await h.press('✖ Crypto talk');
    expect(svc.targets()).toEqual([]);
  });

  it('handles "Ignore this sender" pressed under a forwarded hit in the channel', async () => {
    const { svc } = setup();
    await h.update(h.api.callbackUpdate(ADMIN, 77, 'mon:ignore:555', -1009999));
    expect(h.api.callsOf('answerCallbackQuery').at(-1)!.payload.text).toBe('Sender 555 is ignored now.');
    await h.update(h.api.callbackUpdate(ADMIN, 77, 'mon:ignore:555', -1009999));
    expect(h.api.callsOf('answerCallbackQuery').at(-1)!.payload.text).toBe('Sender 555 was already ignored.');
    expect(svc.ignored().map((r) => r.senderId)).toEqual([555]);
    // No menu was sent into the channel.
    expect(h.api.callsOf('sendMessage')).toHaveLength(0);
  });

  it('a stranger pressing "Ignore this sender" changes nothing', async () => {
    const { svc } = setup();
    await h.update(h.api.callbackUpdate({ id: 999, first_name: 'X' }, 77, 'mon:ignore:555', -1009999));
    expect(svc.ignored()).toEqual([]);
  });
});
