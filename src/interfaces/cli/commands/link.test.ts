import { describe, expect, it } from 'vitest';
import { cli as run } from '../../../../test/support/cli.ts';

/** Runs the command line through the CLI's entry function, as the bin does. */
function cli(...args: string[]): ReturnType<typeof run> {
  return run(args);
}

/** stdout must be exactly one JSON object on one line. */
function oneObject(stdout: string): unknown {
  const lines = stdout.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  const value: unknown = JSON.parse(lines[0]!);
  expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true);
  return value;
}

describe('telegram-panel link', () => {
  it('prints a message link with --json after the argument', async () => {
    const r = await cli('link', 'https://T.me/Durov/123?single&comment=5', '--json');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{"kind":"message","chat":{"username":"durov"},"messageId":123,"commentId":5}\n');
  });

  it('prints a private topic message with the global --json before the command', async () => {
    const r = await cli('--json', 'link', 'tg://privatepost?channel=1234567890&post=55&thread=3');
    expect(r.code).toBe(0);
    expect(oneObject(r.stdout)).toEqual({ kind: 'message', chat: { channelId: 1234567890 }, messageId: 55, topicId: 3 });
  });

  it('keeps the case of invite hashes and lowercases names', async () => {
    const invite = await cli('link', '  T.ME/+AbCdEfGh  ', '--json');
    expect(invite.code).toBe(0);
    expect(invite.stdout).toBe('{"kind":"invite","hash":"AbCdEfGh"}\n');
    const peer = await cli('link', '@Durov', '--json');
    expect(peer.code).toBe(0);
    expect(peer.stdout).toBe('{"kind":"peer","username":"durov"}\n');
  });

  it('refuses a bad link with exit code 2 and a single {"error"} object', async () => {
    const r = await cli('link', 'https://t.me/addlist/AbCdEfGh', '--json');
    expect(r.code).toBe(2);
    const value = oneObject(r.stdout);
    expect(Object.keys(value as object)).toEqual(['error']);
    expect((value as { error: string }).error).toMatch(/folder links.*not supported/);
  });

  it('prints a readable line without --json, and the reason on stderr when refused', async () => {
    const ok = await cli('link', 't.me/c/1234567890/3/55');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('message 55 in private chat 1234567890, topic 3: https://t.me/c/1234567890/3/55\n');
    const bad = await cli('link', 'https://example.com/durov/1');
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/unknown host "example\.com"/);
  });
});
