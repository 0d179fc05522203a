import type { MenuRef } from '../../store/bot.ts';
import { botApiProblem } from './api-errors.ts';
import type { Runtime } from './runtime.ts';
import { clip, fingerprint, toMarkup, type View } from './ui.ts';

/**
 * Edits a message to show `view`. An edit that would change nothing is skipped (or, after a
 * restart emptied the cache, swallowed when Telegram says so); false when the message is gone.
 */
export async function editMessage(rt: Runtime, chatId: number, messageId: number, view: View, signal?: AbortSignal): Promise<boolean> {
  const shown: View = { ...view, text: clip(view.text) };
  const key = `${chatId}:${messageId}`;
  const fp = fingerprint(shown);
  if (rt.rendered.get(key) === fp) return true;
  try {
    await rt.api.editMessageText(
      chatId,
      messageId,
      shown.text,
      { reply_markup: toMarkup(shown.keyboard), link_preview_options: { is_disabled: true } },
      signal as Parameters<Runtime['api']['editMessageText']>[4],
    );
  } catch (e) {
    const problem = botApiProblem(e);
    if (problem === 'message_gone') return false;
    if (problem !== 'not_modified') throw e;
  }
  rt.rendered.set(key, fp);
  return true;
}

/**
 * Makes `ref` the admin's menu message. The previous one loses its buttons, so no message but the
 * live menu ever shows buttons that look pressable (a press there would only say "expired").
 */
export async function adoptMenu(rt: Runtime, adminId: number, ref: MenuRef): Promise<void> {
  const old = rt.store.menu(adminId);
  rt.store.setMenu(adminId, ref, rt.deps.clock.now());
  if (!old || (old.chatId === ref.chatId && old.messageId === ref.messageId)) return;
  await stripButtons(rt, old);
}

/** Removes a message's buttons; a message already gone or bare is fine. */
export async function stripButtons(rt: Runtime, ref: MenuRef): Promise<void> {
  rt.rendered.delete(`${ref.chatId}:${ref.messageId}`);
  try {
    await rt.api.editMessageReplyMarkup(ref.chatId, ref.messageId, { reply_markup: { inline_keyboard: [] } });
  } catch (e) {
    const problem = botApiProblem(e);
    if (problem !== 'message_gone' && problem !== 'not_modified') rt.deps.log.warn({ err: e }, 'could not remove the buttons of an old menu');
  }
}

/** Sends a view as a new message (not the menu); returns its id. */
export async function sendView(rt: Runtime, chatId: number, view: View): Promise<number> {
  const text = clip(view.text);
  const sent = await rt.api.sendMessage(chatId, text, { reply_markup: toMarkup(view.keyboard), link_preview_options: { is_disabled: true } });
  rt.rendered.set(`${chatId}:${sent.message_id}`, fingerprint({ ...view, text }));
  return sent.message_id;
}
