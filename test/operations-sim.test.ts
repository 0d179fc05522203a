import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/interfaces/cli/main.ts';
import { OperationStore } from '../src/store/operations.ts';
import { enrol, joinTarget, messageTarget, simPanel, type SimPanel } from './support/sim-panel.ts';
import { Sink } from './support/cli.ts';

/**
 * The operations engine over the real fleet and the production mtcute client, against the
 * simulated Telegram: bulk actions land in the world, a FLOOD_WAIT moves work to another account.
 */
let panel: SimPanel;
afterEach(async () => {
  vi.unstubAllEnvs();
  await panel.close();
});

describe('operations against the simulator', () => {
  it('joins, reacts (moving a FLOOD_WAIT to another account), votes and comments with the fleet', async () => {
    // No pauses: the real clock runs this test.
    panel = simPanel({ accounts: 4, groups: 4, seed: 11 }, { ACTION_DELAY: '0-0', ACTION_CONCURRENCY: '4' });
    const app = panel.open();
    const ids: number[] = [];
    for (const acc of panel.summary.accounts) ids.push(await enrol(app, acc));

    const post = panel.summary.posts.find((p) => p.hasComments && p.link.includes('t.me/') && !p.link.includes('/c/'))!;
    const pollPost = panel.summary.posts.find((p) => p.poll !== null && !p.link.includes('/c/'))!;
    const channel = post.link.replace(/\/\d+$/, '');
    const ops = app.operations;

    const join = await ops.runOperation({ kind: 'join', target: joinTarget(channel) }, { accounts: 4 }, { actor: 'test' });
    expect(join.summary).toMatchObject({ planned: 4, failed: 0 });
    expect(join.summary.done + join.summary.already).toBe(4);

    // Account ids[0] is flooded on reactions and is the least recently used, so it is picked first.
    panel.world.setFault(panel.summary.accounts[0]!.phone, 'flood:300:messages.sendReaction');
    const later = app.clock.now() + 1000;
    for (const id of ids.slice(1)) app.accounts.markUsed(id, later);
    const target = messageTarget(post.link);
    const reaction = await ops.runOperation({ kind: 'reaction', target, emoji: '👍' }, { accounts: 3 }, { actor: 'test' });
    expect(reaction.status).toBe('finished');
    expect(reaction.summary).toMatchObject({ planned: 3, done: 3, failed: 1, replaced: 1, shortfall: 0 });
    expect(reaction.results.find((r) => r.accountId === ids[0])).toMatchObject({ status: 'failed', replaced: true, failure: { kind: 'flood_wait', seconds: 300 } });
    const chatRef = 'username' in target.chat ? target.chat.username : String(target.chat.channelId);
    expect(panel.world.reactions(chatRef, target.messageId).filter((r) => r.emoji === '👍')).toHaveLength(3);
    // Parked for reactions in the store: only 3 accounts can react now; the flooded one still votes.
    expect(app.fleet.accounts().find((a) => a.id === ids[0])!.parkedUntil.reaction).toBeGreaterThan(app.clock.now());
    await expect(ops.runOperation({ kind: 'reaction', target, emoji: '🔥' }, { accounts: 4 })).rejects.toThrow(/only 3 can do reactions now/);

    const pollTarget = messageTarget(pollPost.link);
    const vote = await ops.runOperation({ kind: 'vote', target: pollTarget, options: [1] }, { accountIds: [ids[0]!, ids[1]!] }, { actor: 'test' });
    expect(vote.summary).toMatchObject({ done: 2, failed: 0 });
    const pollChat = 'username' in pollTarget.chat ? pollTarget.chat.username : String(pollTarget.chat.channelId);
    expect(panel.world.poll(pollChat, pollTarget.messageId).votes[0]).toBeGreaterThanOrEqual(2);

    // An option the poll does not have is refused before any account votes, and nothing is recorded.
    await expect(ops.runOperation({ kind: 'vote', target: pollTarget, options: [99] }, { accounts: 3 }, { actor: 'test', concurrency: 1 })).rejects.toThrow(/option 99 is not in the poll/);

    const comment = await ops.runOperation({ kind: 'comment', target, text: 'nice post' }, { accounts: 2 }, { actor: 'test' });
    expect(comment.summary).toMatchObject({ done: 2, failed: 0 });
    expect(comment.results.every((r) => r.status === 'done' && /^message \d+$/.test(r.detail ?? ''))).toBe(true);

    const stored = new OperationStore(app.db).list();
    expect(stored.map((o) => o.kind)).toEqual(['comment', 'vote', 'reaction', 'join']);
  });

  it('runs `act` from the command line with named and counted accounts, and shows the record', async () => {
    panel = simPanel({ accounts: 3, groups: 3, seed: 5 });
    const app = panel.open();
    for (const acc of panel.summary.accounts) await enrol(app, acc);
    await app.close();
    for (const [k, v] of Object.entries({ ...panel.env, ACTION_DELAY: '0-0' })) vi.stubEnv(k, v);
    const post = panel.summary.posts.find((p) => !p.link.includes('/c/'))!;
    const channel = post.link.replace(/\/\d+$/, '');
    const user = panel.summary.accounts[1]!.username;

    const out = new Sink();
    const err = new Sink();
    expect(await runCli(['act', 'join', channel, '--accounts', '3'], out, err)).toBe(0);
    expect(out.text).toMatch(/operation #1: join @\w+\nfinished, 3 done/);
    const out2 = new Sink();
    expect(await runCli(['--json', 'act', 'reaction', post.link, '❤', '--account', '1', '--account', `@${user}`], out2, err)).toBe(0);
    expect(JSON.parse(out2.text)).toMatchObject({ id: 2, kind: 'reaction', selection: { accountIds: [1, 2] }, summary: { done: 2 } });
    // Bad input: exit 2, nothing recorded.
    expect(await runCli(['act', 'reaction', post.link, '❤', '--accounts', '9'], new Sink(), err)).toBe(2);
    expect(err.text).toMatch(/asked for 9 accounts but only 3 can do reactions now/);
    const shown = new Sink();
    expect(await runCli(['operations', 'show', '2'], shown, err)).toBe(0);
    expect(shown.text).toMatch(new RegExp(`#2 @${user}\\s+done`));
    const listed = new Sink();
    expect(await runCli(['--json', 'operations', 'list'], listed, err)).toBe(0);
    expect((JSON.parse(listed.text) as unknown[]).length).toBe(2);
  });
});
