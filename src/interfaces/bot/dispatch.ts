import { Composer, type Context } from 'grammy';
import { describeError } from './errors.ts';
import type { Runtime } from './runtime.ts';
import { Turn } from './turn.ts';
import { parseCb } from './ui.ts';

/**
 * Turns an admin's update into a menu route or a flow answer. Every failure ends as a message in
 * the admin's language: a stack trace never reaches the chat, and a bad answer repeats the question.
 */
export function dispatcher(rt: Runtime): Composer<Context> {
  const c = new Composer<Context>();

  const withTurn = async (ctx: Context, fn: (turn: Turn) => Promise<void>): Promise<void> => {
    const turn = new Turn(rt, ctx, ctx.from!.id);
    try {
      await fn(turn);
    } catch (e) {
      const { text, expected } = describeError(turn.t, e);
      if (!expected) rt.deps.log.error({ err: e, adminId: turn.adminId }, 'bot handler failed');
      await turn.retry(text);
    }
  };

  c.command('start', (ctx) =>
    withTurn(ctx, async (turn) => {
      await turn.leaveFlow();
      await turn.send(await rt.home(turn));
    }),
  );

  c.command('cancel', (ctx) =>
    withTurn(ctx, async (turn) => {
      const had = turn.flow() !== undefined;
      await turn.leaveFlow();
      const home = await rt.home(turn);
      await turn.send({ ...home, text: `${had ? turn.t.cancelled : turn.t.nothingToCancel}\n\n${home.text}` });
    }),
  );

  // A message of its own, not the menu: the link must not be edited away or previewed (a preview
  // would fetch the sign-in page; the GET only shows a button, but nothing should be fetched).
  c.command('web', (ctx) =>
    withTurn(ctx, async (turn) => {
      const web = rt.deps.services.web;
      if (!web) {
        await ctx.reply(turn.t.webOff);
        return;
      }
      const { url } = web.link(`bot:${turn.adminId}`);
      await ctx.reply(turn.t.webLink(url), { link_preview_options: { is_disabled: true } });
    }),
  );

  c.on('callback_query:data', (ctx) =>
    withTurn(ctx, async (turn) => {
      const parsed = parseCb(ctx.callbackQuery.data);
      if (parsed.kind === 'foreign') {
        const h = rt.registry.foreign.find((f) => ctx.callbackQuery.data.startsWith(f.prefix));
        if (h) await h.handler(turn, ctx.callbackQuery.data);
        else await expired(turn);
        return;
      }
      const handler = parsed.kind === 'menu' ? rt.registry.routes.get(parsed.route) : undefined;
      // Menus live on one message per admin: buttons anywhere else are from an older menu.
      if (!handler || parsed.kind !== 'menu' || !turn.onMenu) {
        await expired(turn);
        return;
      }
      await handler(turn, parsed.args);
    }),
  );

  c.on('message:text', (ctx) =>
    withTurn(ctx, async (turn) => {
      const rec = turn.flow();
      if (!rec) {
        const why = turn.flowDropped ? turn.t.flowReset : ctx.message.text.startsWith('/') ? turn.t.unknownCommand : turn.t.useMenu;
        await turn.send(withPrefix(await rt.home(turn), why));
        return;
      }
      const def = turn.flowDef(rec);
      if (!def.onText) {
        await turn.retry(turn.t.useButtons);
        return;
      }
      await def.onText(turn, rec, ctx.message.text);
    }),
  );

  c.on('message:document', (ctx) =>
    withTurn(ctx, async (turn) => {
      const rec = turn.flow();
      const doc = ctx.message.document;
      if (!rec) {
        await turn.send(withPrefix(await rt.home(turn), turn.flowDropped ? turn.t.flowReset : turn.t.useMenu));
        return;
      }
      const def = turn.flowDef(rec);
      if (!def.onDocument) {
        await turn.retry(def.onText ? turn.t.expectedText : turn.t.useButtons);
        return;
      }
      await def.onDocument(turn, rec, { fileId: doc.file_id, fileName: doc.file_name, size: doc.file_size });
    }),
  );

  c.on('message:photo', async (ctx, next) => {
    const rec = new Turn(rt, ctx, ctx.from.id).flow();
    if (!rec || !rt.registry.flows.get(rec.flow)?.onPhoto) return next();
    await withTurn(ctx, async (turn) => {
      const sizes = ctx.message.photo;
      const largest = sizes.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a), sizes[0]!);
      await turn.flowDef(rec).onPhoto!(turn, rec, { fileId: largest.file_id, fileName: undefined, size: largest.file_size });
    });
  });

  c.on('message', (ctx) =>
    withTurn(ctx, async (turn) => {
      const rec = turn.flow();
      if (!rec) {
        await turn.send(withPrefix(await rt.home(turn), turn.flowDropped ? turn.t.flowReset : turn.t.useMenu));
        return;
      }
      const def = turn.flowDef(rec);
      await turn.retry(def.onText ? turn.t.expectedText : turn.t.useButtons);
    }),
  );

  c.on('inline_query', async (ctx) => {
    await ctx.answerInlineQuery([], { cache_time: 0, is_personal: true });
  });

  return c;
}

async function expired(turn: Turn): Promise<void> {
  await turn.answer(turn.t.menuExpired);
  await turn.current(undefined, true);
}

function withPrefix<V extends { text: string }>(view: V, prefix: string): V {
  return { ...view, text: `${prefix}\n\n${view.text}` };
}
