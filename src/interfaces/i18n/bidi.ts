/**
 * Unicode isolates keep a Latin username, a phone number or a link from reordering the
 * right-to-left text around it (and Persian names from reordering English text). Every value
 * interpolated into a message goes through `iso`.
 */
const FSI = '\u2068';
const PDI = '\u2069';

export function iso(value: string | number | bigint): string {
  return FSI + String(value) + PDI;
}

const FA_DIGITS = '۰۱۲۳۴۵۶۷۸۹';

/** A count written with Persian digits, for Persian messages. */
export function faNum(n: number): string {
  return iso(String(n).replace(/\d/g, (d) => FA_DIGITS[Number(d)]!));
}

/** Removes the isolate marks, for tests and for text that goes into files. */
export function stripIsolates(text: string): string {
  return text.replace(/[\u2066-\u2069]/g, '');
}
