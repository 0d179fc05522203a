import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from './config.ts';

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

/** Bot tokens and long base64/hex runs (auth keys, session strings) inside free text. */
const SECRET_TEXT = [/(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}/g, /[A-Za-z0-9+/_-]{120,}={0,2}/g];

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

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; the CLI keeps stdout for data, so logs default to stderr. */
  destination?: NodeJS.WritableStream;
  /** Readable lines instead of JSON; defaults to whether the destination is a TTY. */
  pretty?: boolean;
}

export function createLogger(opts: LoggerOptions): Logger {
  const dest = opts.destination ?? process.stderr;
  const isTty = (dest as NodeJS.WriteStream).isTTY === true;
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
  if (opts.pretty ?? isTty) {
    return pino(options, pretty({ destination: dest, sync: true, colorize: isTty, translateTime: 'SYS:HH:MM:ss' }));
  }
  return pino(options, dest);
}

export const silentLogger: Logger = pino({ level: 'silent' });
