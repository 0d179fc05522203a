import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogFormat, LogLevel } from './config.ts';

export type { Logger };

/** Keys whose values never reach a log, at any depth. Compared case-insensitively, without `_`/`-`. */
const SECRET_KEYS = new Set(
  [
    'token', 'botToken', 'apiHash', 'phoneCode', 'loginCode', 'password', 'passwd', 'pass', 'twoFa', 'secret',
    'panelSecret', 'session', 'sessionString', 'authKey', 'authorization', 'key', 'proxyUrl', 'srp',
  ].map(normalize),
);

function normalize(k: string): string {
  return k.toLowerCase().replace(/[_-]/g, '');
}

/**
 * Bot tokens, the web dashboard's sign-in links, session cookies and API tokens (`tpl_`, `tps_`,
 * `tpa_`), and long base64/hex runs (auth keys, session strings) inside free text.
 */
const SECRET_TEXT = [/(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}/g, /tp[lsa]_[A-Za-z0-9_-]{20,}/g, /[A-Za-z0-9+/_-]{120,}={0,2}/g];

/** `code` is also an RPC error code (FLOOD_WAIT_X), which logs need; only digit codes are login codes. */
const LOGIN_CODE = /^[\d\s.-]{4,16}$/;

function isSecretEntry(key: string, value: unknown): boolean {
  if (value === null || value === undefined) return false;
  const k = normalize(key);
  if (k === 'code') return (typeof value === 'string' || typeof value === 'number') && LOGIN_CODE.test(String(value));
  return SECRET_KEYS.has(k);
}

export const REDACTED = '[redacted]';

export function scrubText(text: string): string {
  let out = text;
  for (const re of SECRET_TEXT) out = out.replace(re, REDACTED);
  return out;
}

/** Copies a log object with every secret replaced; depth-limited so cycles cannot hang a log call. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrubText(value.message), stack: value.stack ? scrubText(value.stack) : undefined };
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.length} bytes]`;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretEntry(k, v) ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

/**
 * How log lines are written: `json` (one object a line, for machines), `pretty` (pino-pretty:
 * time, level, message and fields, for a person watching `start`) or `lines` (the message alone,
 * `warning: …`/`error: …` before warnings and errors, like the CLI's own output).
 */
export type LogStyle = LogFormat | 'lines';

/**
 * The one rule for log output. LOG_FORMAT wins. Otherwise logs meant for a machine (not a
 * terminal) are JSON; on a terminal the long-running `start` is pretty and every other command
 * prints plain lines among its own output.
 */
export function logStyle(o: { format: LogFormat | undefined; tty: boolean; longRunning: boolean }): LogStyle {
  if (o.format) return o.format;
  if (!o.tty) return 'json';
  return o.longRunning ? 'pretty' : 'lines';
}

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; the CLI keeps stdout for data, so logs default to stderr. */
  destination?: NodeJS.WritableStream;
  /** Readable lines instead of JSON; defaults to whether the destination is a TTY. */
  pretty?: boolean;
  /** Overrides `pretty`. */
  style?: LogStyle;
}

/** A command's logger: LOG_FORMAT, or what suits its destination (see logStyle). */
export function cliLogger(o: { level: LogLevel; format: LogFormat | undefined; destination: NodeJS.WritableStream; longRunning?: boolean }): Logger {
  const tty = (o.destination as NodeJS.WriteStream).isTTY === true;
  return createLogger({ level: o.level, destination: o.destination, style: logStyle({ format: o.format, tty, longRunning: o.longRunning === true }) });
}

const LINE_PREFIX: Record<number, string> = { 10: 'trace: ', 20: 'debug: ', 30: '', 40: 'warning: ', 50: 'error: ', 60: 'error: ' };

/** Writes each (already redacted) JSON line as its message alone, prefixed by its level. */
function plainLines(dest: NodeJS.WritableStream): DestinationStream {
  return {
    write(line: string) {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      const text = entry.msg ?? entry.err?.message ?? '';
      dest.write(`${LINE_PREFIX[entry.level ?? 30] ?? ''}${text}\n`);
    },
  };
}

/** pino-pretty is loaded only by loggers that use it (the CLI's plain lines do not). */
const requireHere = createRequire(import.meta.url);

export function createLogger(opts: LoggerOptions): Logger {
  const dest = opts.destination ?? process.stderr;
  const isTty = (dest as NodeJS.WriteStream).isTTY === true;
  const style: LogStyle = opts.style ?? ((opts.pretty ?? isTty) ? 'pretty' : 'json');
  const options = {
    level: opts.level,
    base: undefined,
    formatters: { log: (obj: Record<string, unknown>) => redact(obj) as Record<string, unknown> },
    hooks: {
      // Messages are free text: scrub tokens and key material that a caller may have interpolated.
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        // pino takes an Error's message as the line's msg without passing it through formatters.
        const [first, ...rest] = args;
        if (first instanceof Error) {
          method.apply(this, [{ err: redact(first) }, ...(rest.length > 0 ? rest : [first.message])].map((a) => (typeof a === 'string' ? scrubText(a) : a)));
          return;
        }
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrubText(a) : a)));
      },
    },
  };
  if (style === 'lines') return pino(options, plainLines(dest));
  if (style === 'pretty') {
    const pretty = requireHere('pino-pretty') as typeof PinoPretty;
    return pino(options, pretty({ destination: dest, sync: true, colorize: isTty, translateTime: 'SYS:HH:MM:ss' }));
  }
  return pino(options, dest);
}

export const silentLogger: Logger = pino({ level: 'silent' });
