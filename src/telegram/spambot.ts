import type { SpamStatus } from '../core/session.ts';

/**
 * Reads @SpamBot's answer to /start. Only the bot's known sentences count: a clean account
 * gets "no limits are currently applied", a limited one "your account is now limited" or "will
 * be automatically released on <date>". Anything else is `unknown` with the text, never a guess
 * (the original read any "1" or "yes" as reported).
 */

const CLEAN = [
  /\bno limits are currently applied to your account\b/i,
  /\byou['’]re free as a bird\b/i,
  /к вашему аккаунту не применено никаких ограничений/i,
  /ваш аккаунт свободен от каких-либо ограничений/i,
];

const LIMITED = [
  /\byour account (?:is|was) (?:now )?limited\b/i,
  /\byour account is (?:currently )?restricted\b/i,
  /\bwill be automatically released on\b/i,
  /\bare limited until\b/i,
  /\byou can(?:not|['’]t) (?:send messages|write) to (?:people|users) who\b/i,
  /\byou will not be able to (?:send messages|write) to (?:people|users) who\b/i,
  /\bwhile the account is limited\b/i,
  /ваш аккаунт (?:временно )?ограничен/i,
  /будет автоматически освобожд[её]н/i,
];

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
  янв: 0, фев: 1, мар: 2, апр: 3, мая: 4, май: 4, июн: 5, июл: 6, авг: 7, сен: 8, окт: 9, ноя: 10, дек: 11,
};

/** "25 Jan 2027, 18:05 UTC" (also "January", Russian month names, with or without the time). */
const DATE = /(\d{1,2})\s+([A-Za-zА-Яа-яё]{3,})\.?\s+(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?:\s*UTC)?)?/;

function liftDate(text: string): number | null {
  const m = DATE.exec(text);
  if (!m) return null;
  const month = MONTHS[m[2]!.slice(0, 3).toLowerCase()];
  if (month === undefined) return null;
  const day = Number(m[1]);
  const year = Number(m[3]);
  const hour = m[4] !== undefined ? Number(m[4]) : 0;
  const minute = m[5] !== undefined ? Number(m[5]) : 0;
  if (day < 1 || day > 31 || hour > 23 || minute > 59) return null;
  return Date.UTC(year, month, day, hour, minute);
}

export function parseSpamBotReply(text: string): SpamStatus {
  const t = text.trim();
  const limited = LIMITED.some((re) => re.test(t));
  const clean = CLEAN.some((re) => re.test(t));
  if (limited && !clean) return { state: 'limited', until: liftDate(t) };
  if (clean && !limited) return { state: 'clean' };
  return { state: 'unknown', reply: t.slice(0, 500) };
}
