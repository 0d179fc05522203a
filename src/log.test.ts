import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED } from './log.ts';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const BOT_TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_';
const SESSION = 'BQAAAAEBAAAA' + 'x'.repeat(300);

describe('logger redaction', () => {
  it('never writes secrets, at any depth, in JSON lines', () => {
    const out = capture();
    const log = createLogger({ level: 'trace', destination: out.stream, pretty: false });
    log.info(
      {
        botToken: BOT_TOKEN,
        api_hash: 'abcdef0123456789abcdef0123456789',
        login: { phone: '+15550001', code: '1-2-3-4-5', password: 'hunter2' },
        account: { sessionString: SESSION, authKey: Buffer.alloc(256, 1), proxyUrl: 'socks5://u:p@h:1' },
        list: [{ PANEL_SECRET: 'k'.repeat(44) }],
        rpc: { code: 'FLOOD_WAIT_X', seconds: 30 },
      },
      'logging in with token %s',
      BOT_TOKEN,
    );
    log.error(new Error(`request to https://api.telegram.org/bot${BOT_TOKEN}/getMe failed`));
    const text = out.text();
    for (const secret of [BOT_TOKEN, 'hunter2', '1-2-3-4-5', SESSION.slice(0, 40), 'abcdef0123456789abcdef0123456789', 'u:p@h', 'k'.repeat(44)]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain(REDACTED);
    // What the operator needs stays.
    expect(text).toContain('+15550001');
    expect(text).toContain('FLOOD_WAIT_X');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]!.msg).toBe(`logging in with token ${REDACTED}`);
  });

  it('redacts in readable (pretty) output too', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out.stream, pretty: true });
    log.warn({ password: 'hunter2', token: BOT_TOKEN }, 'pretty line');
    expect(out.text()).toContain('pretty line');
    expect(out.text()).not.toContain('hunter2');
    expect(out.text()).not.toContain(BOT_TOKEN);
  });
});
