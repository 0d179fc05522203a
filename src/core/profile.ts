import { quoteInput } from './text.ts';
import { normalizeUsername, usernameProblem, usernameRule } from './usernames.ts';

/**
 * Bulk profile edits: the operator writes each field once, with placeholders that differ per
 * account, and every value is checked for every account before any account changes anything.
 */

/** `{phone4}`: the account's last four phone digits; `{n}`: its running number in the selection (from 1). */
export const PROFILE_PLACEHOLDERS = ['phone4', 'n'] as const;

/** Telegram's limits: names up to 64 characters, a bio up to 70 (without Premium). */
export const MAX_NAME_LENGTH = 64;
export const MAX_BIO_LENGTH = 70;
/** Telegram takes profile photos up to 10 MB, with width + height at most 10000 and sides at most 20:1. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const MAX_PHOTO_SIDES = 10_000;
export const MIN_PHOTO_SIDE = 16;
export const MAX_PHOTO_RATIO = 20;

export interface PhotoInfo {
  mime: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
  size: number;
}

/** A profile edit as asked: templates, and a photo already checked (its bytes travel separately). */
export interface ProfileEdit {
  firstName?: string;
  lastName?: string;
  bio?: string;
  username?: string;
  photo?: PhotoInfo & { file: string };
}

/** One account's values, placeholders filled in. */
export interface ProfileValues {
  firstName?: string;
  lastName?: string;
  bio?: string;
  username?: string;
}

const FIELDS = ['firstName', 'lastName', 'bio', 'username'] as const;
const FLAG: Record<(typeof FIELDS)[number], string> = { firstName: '--first-name', lastName: '--last-name', bio: '--bio', username: '--username' };

/** Placeholders a template uses that are not known. */
export function unknownPlaceholders(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(/\{([^{}]*)\}/g)) if (!(PROFILE_PLACEHOLDERS as readonly string[]).includes(m[1]!)) out.push(`{${m[1]}}`);
  return out;
}

export function fillTemplate(template: string, account: { phone: string }, n: number): string {
  const digits = account.phone.replace(/\D/g, '');
  return template.replace(/\{phone4\}/g, digits.slice(-4)).replace(/\{n\}/g, String(n));
}

/** Every account's values, the `n`th (from 1) in the order given. */
export function fillProfile(edit: ProfileEdit, account: { phone: string }, n: number): ProfileValues {
  const out: ProfileValues = {};
  for (const f of FIELDS) {
    const t = edit[f];
    if (t === undefined) continue;
    const v = fillTemplate(t, account, n);
    out[f] = f === 'username' ? normalizeUsername(v) : v.trim();
  }
  return out;
}

/** A profile field by its name in reasons (`first_name`, not the code's `firstName`). */
export type ProfileFieldName = 'first_name' | 'last_name' | 'bio' | 'username';
const FIELD_NAME: Record<(typeof FIELDS)[number], ProfileFieldName> = { firstName: 'first_name', lastName: 'last_name', bio: 'bio', username: 'username' };

/**
 * One thing wrong with an edit, with what another language needs to word it: the English sentence
 * and the rule it breaks with its values (`account` when the edit is for several accounts).
 */
export interface ProfileIssue {
  english: string;
  params: Readonly<Record<string, string | number>>;
}

/**
 * Everything wrong with an edit for these accounts: nothing to change, unknown placeholders,
 * names and bios too long, usernames that break Telegram's rules or that two accounts would
 * share. Empty when every account may go ahead.
 */
export function profileIssues(edit: ProfileEdit, accounts: ReadonlyArray<{ id: number; phone: string }>): ProfileIssue[] {
  const issues: ProfileIssue[] = [];
  if (FIELDS.every((f) => edit[f] === undefined) && edit.photo === undefined) {
    return [{ english: 'say what to change: --first-name, --last-name, --bio, --username or --photo', params: { rule: 'nothing' } }];
  }
  for (const f of FIELDS) {
    const t = edit[f];
    if (t === undefined) continue;
    const unknown = unknownPlaceholders(t);
    if (unknown.length > 0) issues.push({ english: `${FLAG[f]} uses ${unknown.join(', ')}: the placeholders are {phone4} and {n}`, params: { rule: 'placeholder', field: FIELD_NAME[f], placeholders: unknown.join(', ') } });
  }
  if (issues.length > 0) return issues;
  const usernames = new Map<string, number>();
  const seen = new Set<string>();
  const add = (issue: ProfileIssue): void => {
    if (seen.has(issue.english)) return;
    seen.add(issue.english);
    issues.push(issue);
  };
  accounts.forEach((a, i) => {
    const v = fillProfile(edit, a, i + 1);
    const several = accounts.length > 1;
    const at = several ? ` (for #${a.id})` : '';
    const who: Record<string, number> = several ? { account: a.id } : {};
    if (v.firstName !== undefined && v.firstName === '') add({ english: `the first name is empty${at}`, params: { rule: 'empty', field: 'first_name', ...who } });
    const long = (f: 'firstName' | 'lastName' | 'bio', max: number, words: string): void => {
      const value = v[f];
      if (value !== undefined && value.length > max) add({ english: `the ${words} has ${value.length} characters; Telegram allows ${max}${at}`, params: { rule: 'too_long', field: FIELD_NAME[f], length: value.length, max, ...who } });
    };
    long('firstName', MAX_NAME_LENGTH, 'first name');
    long('lastName', MAX_NAME_LENGTH, 'last name');
    long('bio', MAX_BIO_LENGTH, 'bio');
    if (v.username !== undefined) {
      const p = usernameProblem(v.username);
      if (p) add({ english: `username ${p}${at}`, params: { rule: 'username', value: v.username, username_rule: usernameRule(v.username) ?? 'chars', ...who } });
      const other = usernames.get(v.username);
      if (other !== undefined) add({ english: `#${other} and #${a.id} would both be @${v.username}: put {n} or {phone4} in --username`, params: { rule: 'username_shared', value: v.username, accounts: `#${other}, #${a.id}` } });
      usernames.set(v.username, a.id);
    }
  });
  return issues;
}

/** Everything wrong with an edit for these accounts, in English (`profileIssues` for other languages). */
export function profileProblems(edit: ProfileEdit, accounts: ReadonlyArray<{ id: number; phone: string }>): string[] {
  return profileIssues(edit, accounts).map((i) => i.english);
}

/** The fields an edit changes, for reports: `first name, bio, @name, photo`. */
export function describeValues(v: ProfileValues, photo: boolean): string {
  const parts: string[] = [];
  if (v.firstName !== undefined) parts.push(`first name ${quoteInput(v.firstName)}`);
  if (v.lastName !== undefined) parts.push(v.lastName === '' ? 'last name cleared' : `last name ${quoteInput(v.lastName)}`);
  if (v.bio !== undefined) parts.push(v.bio === '' ? 'bio cleared' : `bio ${quoteInput(v.bio, 30)}`);
  if (v.username !== undefined) parts.push(`@${v.username}`);
  if (photo) parts.push('photo');
  return parts.join(', ');
}

// ---- photos ----------------------------------------------------------------------------------

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from a JPEG's first frame header (SOF0-SOF15 except DHT, JPG and DAC). */
function jpegSize(b: Uint8Array): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    // Markers without a length.
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (b[i + 5]! << 8) | b[i + 6]!, width: (b[i + 7]! << 8) | b[i + 8]! };
    }
    if (len < 2) return undefined;
    i += 2 + len;
  }
  return undefined;
}

/** What the image is by its first bytes (not its name), or why it cannot be a profile photo. */
export function checkPhoto(bytes: Uint8Array): { ok: true; info: PhotoInfo } | { ok: false; problem: string } {
  const size = bytes.length;
  if (size > MAX_PHOTO_BYTES) return { ok: false, problem: `the photo has ${(size / 1048576).toFixed(1)} MB; Telegram takes up to ${MAX_PHOTO_BYTES / 1048576} MB` };
  let mime: PhotoInfo['mime'];
  let dims: { width: number; height: number } | undefined;
  if (size >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    mime = 'image/jpeg';
    dims = jpegSize(bytes);
  } else if (size >= 24 && PNG_SIGNATURE.every((x, i) => bytes[i] === x)) {
    mime = 'image/png';
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    dims = { width: view.getUint32(16), height: view.getUint32(20) };
  } else return { ok: false, problem: 'the photo must be a JPEG or PNG image (read from its content, not its name)' };
  if (!dims || dims.width === 0 || dims.height === 0) return { ok: false, problem: `the ${mime === 'image/jpeg' ? 'JPEG' : 'PNG'} image is damaged: its size cannot be read` };
  const { width, height } = dims;
  if (Math.min(width, height) < MIN_PHOTO_SIDE) return { ok: false, problem: `the photo is ${width}x${height}; each side needs at least ${MIN_PHOTO_SIDE} pixels` };
  if (width + height > MAX_PHOTO_SIDES) return { ok: false, problem: `the photo is ${width}x${height}; Telegram takes width + height up to ${MAX_PHOTO_SIDES}` };
  if (Math.max(width, height) / Math.min(width, height) > MAX_PHOTO_RATIO) return { ok: false, problem: `the photo is ${width}x${height}; its sides may differ at most ${MAX_PHOTO_RATIO} times` };
  return { ok: true, info: { mime, width, height, size } };
}
