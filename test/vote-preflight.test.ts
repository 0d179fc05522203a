import { afterEach, describe, expect, it, vi } from 'vitest';
import { InputError } from '../src/core/errors.ts';
import type { MessageTarget } from '../src/core/session.ts';
import { runCli } from '../src/interfaces/cli/main.ts';
import { OperationStore } from '../src/store/operations.ts';
import { enrol, messageTarget, simPanel, type SimPanel } from './support/sim-panel.ts';
import { Sink } from './support/cli.ts';

/**
 * A vote whose options do not fit the poll is refused before any account votes: the engine reads
 * the poll once (production mtcute client against the simulator), lists its options, and records
 * nothing. The CLI and the bot both go through this engine call.
 */
let panel: SimPanel;
afterEach(async () => {
  vi.unstubAllEnvs();
  await panel.close();
});

const chatOf = (t: MessageTarget): string => ('username' in t.chat ? t.chat.username : String(t.chat.channelId));

describe('a vote checked against the poll before any account votes', () => {
  it('refuses an option beyond the poll, several options on a single-choice poll, and a message with no poll', async () => {
    panel = simPanel({ accounts: 3, groups: 4, seed: 11 }, { ACTION_DELAY: '0-0' });
    const app = panel.open();
    for (const acc of panel.summary.accounts) await enrol(app, acc);
    const single = panel.summary.posts.find((p) => p.poll && !p.poll.multiple && !p.link.includes('/c/'))!;
    const plain = panel.summary.posts.find((p) => p.poll === null && !p.link.includes('/c/'))!;
    const target = messageTarget(single.link);
    const before = panel.world.poll(chatOf(target), target.messageId).votes;
    const n = single.poll!.options;
    const ops = app.operations;

    const refusal = async (p: Promise<unknown>): Promise<string> => {
      const e = await p.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(InputError);
      return (e as InputError).message;
    };
    const beyond = await refusal(ops.runOperation({ kind: 'vote', target, options: [n + 1] }, { accounts: 3 }, { actor: 'test' }));
    expect(beyond).toContain(`option ${n + 1} is not in the poll (it has ${n})`);
    // The options are listed so the operator can pick again.
    expect(beyond).toMatch(new RegExp(Array.from({ length: n }, (_, i) => `${i + 1}\\. [^,]+`).join(', ')));
    expect(await refusal(ops.runOperation({ kind: 'vote', target, options: [1, 2] }, { accountIds: [1, 2] }, { actor: 'test' }))).toMatch(/takes one option, not 2: the options are 1\. /);
    expect(await refusal(ops.runOperation({ kind: 'vote', target: messageTarget(plain.link), options: [1] }, { accounts: 1 }, { actor: 'test' }))).toMatch(/is not a poll/);

    // Nobody voted and no operation was recorded.
    expect(panel.world.poll(chatOf(target), target.messageId).votes).toEqual(before);
    expect(new OperationStore(app.db).list()).toEqual([]);

    // A choice that fits goes through as before.
    const ok = await ops.runOperation({ kind: 'vote', target, options: [1] }, { accounts: 2 }, { actor: 'test' });
    expect(ok.summary).toMatchObject({ done: 2, failed: 0 });
  });

  it('makes `act vote` exit 2 with the poll options, recording nothing', async () => {
    panel = simPanel({ accounts: 2, groups: 4, seed: 11 });
    const app = panel.open();
    for (const acc of panel.summary.accounts) await enrol(app, acc);
    await app.close();
    for (const [k, v] of Object.entries({ ...panel.env, ACTION_DELAY: '0-0' })) vi.stubEnv(k, v);
    const single = panel.summary.posts.find((p) => p.poll && !p.poll.multiple && !p.link.includes('/c/'))!;

    const err = new Sink();
    expect(await runCli(['act', 'vote', single.link, '1', '2', '--accounts', '2'], new Sink(), err)).toBe(2);
    expect(err.text).toMatch(/this poll takes one option, not 2: the options are 1\. .+, 2\. /);
    const listed = new Sink();
    expect(await runCli(['--json', 'operations', 'list'], listed, new Sink())).toBe(0);
    expect(JSON.parse(listed.text)).toEqual([]);
  });
});
