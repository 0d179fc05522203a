import { accountLabel, type AccountSummary } from '../../../core/accounts.ts';
import { iso } from '../i18n/bidi.ts';
import type { AccountsPort } from '../services.ts';
import type { Turn } from '../turn.ts';
import { button, cb, type Button, type Keyboard } from '../ui.ts';
import { navRow } from './home.ts';

/** Says the service behind a menu is not running here, with a way back. */
export async function unavailable(turn: Turn, back = cb('home')): Promise<void> {
  await turn.show({ text: turn.t.notAvailable, keyboard: [navRow(turn, back)] });
}

export const STATUS_ICON: Record<AccountSummary['status'], string> = {
  active: '🟢',
  disabled: '⚪',
  connecting: '🟡',
  flood_wait: '⏳',
  peer_flood: '🟠',
  revoked: '🔴',
  banned: '⛔',
  frozen: '🧊',
  error: '❗',
};

/** `#3 +15550001 @name`, isolated so it reads right inside Persian text. */
export function accountName(a: Pick<AccountSummary, 'id' | 'phone' | 'username'>): string {
  return iso(accountLabel(a));
}

/** A UTC time as `2026-01-01 12:00 UTC` (Telegram shows no local time to the bot). */
export function when(ms: number): string {
  return iso(new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC');
}

/** One page of `items` (the page number clamped to those that exist). */
export function page<T>(items: readonly T[], requested: number, perPage: number): { items: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const p = Math.min(Math.max(0, requested), pages - 1);
  return { items: items.slice(p * perPage, (p + 1) * perPage), page: p, pages };
}

/** Previous / "n of m" / next, or nothing when there is one page. */
export function pageNav(turn: Turn, p: number, pages: number, pageRoute: (page: number) => string): Keyboard {
  if (pages <= 1) return [];
  const nav: Button[] = [];
  if (p > 0) nav.push(button(turn.t.btnPrev, pageRoute(p - 1)));
  nav.push(button(turn.t.pageOf(p + 1, pages), pageRoute(p)));
  if (p < pages - 1) nav.push(button(turn.t.btnNext, pageRoute(p + 1)));
  return [nav];
}

/** A button per item of one page, with the page navigation under them. */
export function paged<T>(
  turn: Turn,
  items: readonly T[],
  requested: number,
  perPage: number,
  toButton: (item: T) => Button,
  pageRoute: (page: number) => string,
): { rows: Keyboard; page: number; pages: number } {
  const p = page(items, requested, perPage);
  return { rows: [...p.items.map((i) => [toButton(i)]), ...pageNav(turn, p.page, p.pages, pageRoute)], page: p.page, pages: p.pages };
}

/** A whole number from a callback argument, or undefined. */
export function intArg(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,15}$/.test(s)) return undefined;
  return Number(s);
}

/**
 * Runs `fn` with a card menu's services and the account its button names. Says so when the
 * services are off, or when the account was removed meanwhile (with a way back to the list).
 */
export async function withCardAccount<P extends { accounts: AccountsPort }>(
  turn: Turn,
  services: P | undefined,
  idArg: string | undefined,
  fn: (p: P, a: AccountSummary) => Promise<void>,
): Promise<void> {
  if (!services) return unavailable(turn);
  const id = intArg(idArg);
  const a = id === undefined ? undefined : services.accounts.get(id);
  if (!a) {
    await turn.answer(turn.t.accountGone);
    return turn.show({ text: turn.t.accountGone, keyboard: [navRow(turn, cb('acc.l', 0))] });
  }
  await fn(services, a);
}
