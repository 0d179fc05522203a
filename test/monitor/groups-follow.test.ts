import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { parseLink, toJoinTarget, toLeaveTarget } from '../../src/core/links.ts';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';

/**
 * The chats stored for an account follow its own joins and leaves (through the production
 * client against the simulator), so every view of them agrees without a manual refresh: the
 * accounts list's group count, `monitor groups list`, the status's watched chats and
 * `monitor targets add`.
 */
let panel: SimPanel | undefined;
afterEach(async () => {
  await panel?.close();
  panel = undefined;
});

async function act(app: App, kind: 'join' | 'leave', link: string, accounts: number): Promise<void> {
  const parsed = parseLink(link);
  if (!parsed.ok) throw new Error(parsed.error);
  let r;
  if (kind === 'join') {
    const target = toJoinTarget(parsed.link);
    if ('error' in target) throw new Error(target.error);
    r = await app.operations.runOperation({ kind, target }, { accounts }, { actor: 'test' });
  } else {
    const target = toLeaveTarget(parsed.link);
    if ('error' in target) throw new Error(target.error);
    r = await app.operations.runOperation({ kind, target }, { accounts }, { actor: 'test' });
  }
  expect(r.summary.failed, link).toBe(0);
}

describe('stored chats follow joins and leaves', () => {
  it('after a join every view lists the chat; after a leave none does', async () => {
    const p = (panel = simPanel({ accounts: 2, users: 10, groups: 8, seed: 9 }, { ACTION_DELAY: '0-0', ACTION_CONCURRENCY: '2' }));
    const app = p.open();
    const ids: number[] = [];
    for (const acc of p.summary.accounts) ids.push(await enrol(app, acc));
    const chats = p.summary.groups.map((g) => ({ ...g, row: p.world.findChat(g.link) }));
    const supergroup = chats.find((c) => c.row.kind === 'supergroup' && c.row.username && !c.row.forum && !c.row.join_request)!;
    const basic = chats.find((c) => c.row.kind === 'group')!;
    const superId = -1_000_000_000_000 - supergroup.row.id;
    const basicId = -basic.row.id;
    const groupsOf = (id: number): number => app.accounts.list(app.clock.now()).find((a) => a.id === id)!.groupsCount;

    await act(app, 'join', supergroup.link, 2);
    await act(app, 'join', basic.link, 1);

    const known = app.monitorService.knownChats();
    expect(known.map((k) => k.chat.id).sort()).toEqual([superId, basicId].sort());
    expect(known.find((k) => k.chat.id === superId)).toMatchObject({ chat: { kind: 'supergroup', title: supergroup.row.title }, skip: null });
    expect(known.find((k) => k.chat.id === superId)!.accountIds.sort()).toEqual([...ids].sort());
    expect(ids.map(groupsOf).sort()).toEqual([1, 2]);
    const status = app.monitorService.status();
    expect(status.accounts.map((a) => `${a.watchedChats}/${a.chats}`).sort()).toEqual(['1/1', '2/2']);
    expect(app.monitorService.addTarget(supergroup.link).chat.id).toBe(superId);

    await act(app, 'leave', supergroup.link, 2);
    expect(app.monitorService.knownChats().map((k) => k.chat.id)).toEqual([basicId]);
    expect(ids.map(groupsOf).sort()).toEqual([0, 1]);
    app.monitorService.removeTarget(String(superId));
    expect(() => app.monitorService.addTarget(supergroup.link)).toThrow(/no account is in the chat/);
  }, 120_000);
});
