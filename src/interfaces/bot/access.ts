import type { Context, MiddlewareFn } from 'grammy';
import { messages } from './i18n/index.ts';
import type { Runtime } from './runtime.ts';

type Attempt = 'message' | 'command' | 'callback' | 'inline' | 'other';

function attemptOf(ctx: Context): Attempt {
  if (ctx.callbackQuery) return 'callback';
  if (ctx.inlineQuery) return 'inline';
  if (ctx.message?.text?.startsWith('/')) return 'command';
  if (ctx.message) return 'message';
  return 'other';
}

/**
 * Lets only ADMIN_IDS through. Anyone else gets at most one short refusal an hour (counted in the
 * database, so a restart does not reset it), nothing changes, and the log records who and what
 * kind of attempt, never the content.
 */
export function accessGate(rt: Runtime): MiddlewareFn<Context> {
  return async (ctx, next) => {
    const user = ctx.from;
    // Channel posts and service updates have no person behind them: nothing to answer.
    if (!user) return;
    if (rt.adminIds.has(user.id)) {
      // Menus live in the admin's private chat; the bot may also sit in the forward channel.
      if (ctx.message && ctx.chat?.type !== 'private') return;
      await next();
      return;
    }
    const kind = attemptOf(ctx);
    if (kind === 'other') return;
    const refuse = rt.store.shouldRefuse(user.id, rt.deps.clock.now());
    rt.deps.log.warn({ userId: user.id, attempt: kind, answered: refuse }, 'refused a user who is not an admin');
    const t = messages(user.language_code?.startsWith('fa') ? 'fa' : 'en');
    if (ctx.callbackQuery) {
      // A pressed button must be answered or it spins; the text only when a refusal is due.
      await ctx.answerCallbackQuery(refuse ? { text: t.refused } : undefined);
      return;
    }
    if (ctx.inlineQuery) {
      await ctx.answerInlineQuery([], refuse ? { cache_time: 3600, is_personal: true, button: { text: t.refused, start_parameter: 'refused' } } : { cache_time: 3600, is_personal: true });
      return;
    }
    if (refuse && ctx.chat?.type === 'private') await ctx.reply(t.refused);
  };
}
