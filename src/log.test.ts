import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cliLogger, createLogger, logStyle, REDACTED } from './log.ts';

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

/** A stream that says it is a terminal, as process.stderr does on one. */
function terminal(): { stream: Writable; text: () => string } {
  const out = capture();
  (out.stream as Writable & { isTTY: boolean }).isTTY = true;
  return out;
}

describe('log format', () => {
  it('LOG_FORMAT wins; otherwise JSON off a terminal, pretty for start on one, plain lines for other commands on one', () => {
    expect(logStyle({ format: undefined, tty: false, longRunning: true })).toBe('json');
    expect(logStyle({ format: undefined, tty: false, longRunning: false })).toBe('json');
    expect(logStyle({ format: undefined, tty: true, longRunning: true })).toBe('pretty');
    expect(logStyle({ format: undefined, tty: true, longRunning: false })).toBe('lines');
    expect(logStyle({ format: 'json', tty: true, longRunning: false })).toBe('json');
    expect(logStyle({ format: 'pretty', tty: false, longRunning: true })).toBe('pretty');
  });

  it('a command on a terminal prints human lines: the message, warnings and errors named, no JSON, no secret', () => {
    const out = terminal();
    const log = cliLogger({ level: 'info', format: undefined, destination: out.stream });
    log.info({ accountId: 3 }, 'fleet: 2 connected');
    log.warn({ botToken: BOT_TOKEN }, `account #3 is waiting ${BOT_TOKEN}`);
    log.error(new Error('the proxy refused the connection'));
    log.debug('not shown at info');
    expect(out.text()).toBe(`fleet: 2 connected\nwarning: account #3 is waiting ${REDACTED}\nerror: the proxy refused the connection\n`);
  });

  it('start on a terminal is pretty, and JSON when LOG_FORMAT=json or off a terminal', () => {
    const pretty = terminal();
    cliLogger({ level: 'info', format: undefined, destination: pretty.stream, longRunning: true }).info('telegram-panel is running');
    expect(pretty.text()).toMatch(/INFO.*telegram-panel is running/);
    expect(() => JSON.parse(pretty.text()) as unknown).toThrow();

    for (const [out, format] of [[terminal(), 'json'], [capture(), undefined]] as const) {
      cliLogger({ level: 'info', format, destination: out.stream, longRunning: true }).info('telegram-panel is running');
      expect(JSON.parse(out.text())).toMatchObject({ level: 30, msg: 'telegram-panel is running' });
    }
  });
});
