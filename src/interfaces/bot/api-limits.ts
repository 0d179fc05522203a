import { HttpError, type Transformer } from 'grammy';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../log.ts';

/**
 * One spacing rule: `intervalMs` between calls on average, with up to `burst` calls at once.
 * Implemented as GCRA (a virtual-scheduling token bucket) so a reservation is one number per key.
 */
export interface Rate {
  intervalMs: number;
  burst: number;
}

export interface ApiLimitOptions {
  clock: Clock;
  log?: Logger;
  /** A private chat: about one message a second, short bursts allowed. */
  privateChat?: Rate;
  /** Groups and channels: Telegram allows about 20 messages a minute. */
  groupChat?: Rate;
  /** Every chat together: about 30 messages a second. */
  global?: Rate;
  /** How many times one call is retried after a 429 or a network error. */
  maxRetries?: number;
}

const DEFAULTS = {
  privateChat: { intervalMs: 1000, burst: 4 },
  groupChat: { intervalMs: 3000, burst: 3 },
  global: { intervalMs: 34, burst: 30 },
  maxRetries: 6,
};

/** Methods that do not post into a chat and are not subject to per-chat limits. */
const UNTHROTTLED = new Set(['getUpdates', 'getMe', 'getFile', 'deleteWebhook', 'answerCallbackQuery', 'answerInlineQuery', 'setMyCommands']);

class Gcra {
  private tat = new Map<string, number>();

  /** Reserves a slot and returns how long to wait for it (0 when it is free now). */
  reserve(key: string, rate: Rate, now: number): number {
    const tau = (rate.burst - 1) * rate.intervalMs;
    const tat = Math.max(this.tat.get(key) ?? now, now);
    const wait = Math.max(0, tat - tau - now);
    this.tat.set(key, tat + rate.intervalMs);
    return wait;
  }

  /** Telegram said "not before `until`": nothing for `key` goes out earlier. */
  block(key: string, rate: Rate, until: number): void {
    const tau = (rate.burst - 1) * rate.intervalMs;
    this.tat.set(key, Math.max(this.tat.get(key) ?? 0, until + tau));
  }
}

/**
 * An API transformer that spaces calls per chat and globally, and retries after Telegram's
 * `retry_after` on 429 (and with backoff on network errors). All waiting goes through the Clock,
 * so tests drive it with a virtual clock; calls that need no wait never touch the clock.
 */
export function apiLimits(opts: ApiLimitOptions): Transformer {
  const privateChat = opts.privateChat ?? DEFAULTS.privateChat;
  const groupChat = opts.groupChat ?? DEFAULTS.groupChat;
  const global = opts.global ?? DEFAULTS.global;
  const maxRetries = opts.maxRetries ?? DEFAULTS.maxRetries;
  const gcra = new Gcra();
  const { clock } = opts;

  const chatOf = (payload: unknown): { key: string; rate: Rate } | undefined => {
    const id = (payload as { chat_id?: unknown } | undefined)?.chat_id;
    if (typeof id !== 'number' && typeof id !== 'string') return undefined;
    const isGroup = typeof id === 'string' || id < 0;
    return { key: `chat:${id}`, rate: isGroup ? groupChat : privateChat };
  };

  return async (prev, method, payload, signal) => {
    const chat = UNTHROTTLED.has(method) ? undefined : chatOf(payload);
    let attempt = 0;
    let backoffMs = 1000;
    for (;;) {
      if (chat) {
        const now = clock.now();
        const wait = Math.max(gcra.reserve(chat.key, chat.rate, now), gcra.reserve('global', global, now));
        if (wait > 0) await clock.sleep(wait, signal as AbortSignal | undefined);
      }
      let result;
      try {
        result = await prev(method, payload, signal);
      } catch (e) {
        // getUpdates has its own retry loop in grammY; an aborted call must not be repeated.
        if (!(e instanceof HttpError) || method === 'getUpdates' || signal?.aborted || attempt >= maxRetries) throw e;
        attempt++;
        opts.log?.warn({ method, attempt }, 'Bot API network error, retrying');
        await clock.sleep(backoffMs, signal as AbortSignal | undefined);
        backoffMs = Math.min(backoffMs * 2, 60_000);
        continue;
      }
      const retryAfter = result.ok ? undefined : result.parameters?.retry_after;
      if (result.ok || result.error_code !== 429 || typeof retryAfter !== 'number' || attempt >= maxRetries || method === 'getUpdates') {
        return result;
      }
      attempt++;
      const until = clock.now() + retryAfter * 1000;
      if (chat) gcra.block(chat.key, chat.rate, until);
      opts.log?.warn({ method, retryAfter, attempt }, 'Bot API rate limit, waiting');
      await clock.sleep(retryAfter * 1000, signal as AbortSignal | undefined);
    }
  };
}
