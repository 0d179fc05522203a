/**
 * The account's own profile as Telegram answers it: names and bio (account.updateProfile), the
 * username (account.checkUsername, account.updateUsername) and the profile photo, uploaded in
 * parts first (upload.saveFilePart, upload.saveBigFilePart) and then set
 * (photos.uploadProfilePhoto). Limits are Telegram's: names up to 64 characters, a bio up to 70.
 */
import { createHash } from 'node:crypto';
import { Long, type tl } from '@mtcute/core';
import { isUsername, normalizeUsername } from '../../core/usernames.ts';
import { findByUsername } from './users.ts';
import { fail, sec, type CallContext, type UserRow } from './context.ts';
import { userTl } from './tl.ts';

const MAX_NAME = 64;
const MAX_ABOUT = 70;
/** Telegram's limit for a photo upload. */
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const MAX_PART_BYTES = 512 * 1024;

function me(ctx: CallContext): UserRow {
  return ctx.db.prepare('SELECT * FROM users WHERE id = ?').get(ctx.me.id) as UserRow;
}

export function updateProfile(ctx: CallContext, req: tl.account.RawUpdateProfileRequest): tl.TypeUser {
  const first = req.firstName?.trim();
  if (first !== undefined && (first === '' || first.length > MAX_NAME)) throw fail.badRequest('FIRSTNAME_INVALID');
  const last = req.lastName?.trim();
  if (last !== undefined && last.length > MAX_NAME) throw fail.badRequest('LASTNAME_INVALID');
  if (req.about !== undefined && req.about.length > MAX_ABOUT) throw fail.badRequest('ABOUT_TOO_LONG');
  const u = me(ctx);
  ctx.db
    .prepare('UPDATE users SET first_name = ?, last_name = ?, about = ? WHERE id = ?')
    .run(first ?? u.first_name, last === undefined ? u.last_name : last === '' ? null : last, req.about ?? u.about, u.id);
  return userTl(ctx, me(ctx));
}

/** Whether `name` is free for this account (its own current name counts as free). */
function usernameFree(ctx: CallContext, name: string): boolean {
  const found = findByUsername(ctx, name);
  if (found.chat) return false;
  return !found.user || found.user.id === ctx.me.id;
}

function readUsername(input: string): string {
  const name = normalizeUsername(input);
  if (!isUsername(name)) throw fail.badRequest('USERNAME_INVALID');
  return name;
}

export function checkUsername(ctx: CallContext, req: tl.account.RawCheckUsernameRequest): boolean {
  return usernameFree(ctx, readUsername(req.username));
}

export function updateUsername(ctx: CallContext, req: tl.account.RawUpdateUsernameRequest): tl.TypeUser {
  const u = me(ctx);
  if (req.username === '') {
    if (u.username === null) throw fail.badRequest('USERNAME_NOT_MODIFIED');
    ctx.db.prepare('UPDATE users SET username = NULL WHERE id = ?').run(u.id);
    return userTl(ctx, me(ctx));
  }
  const name = readUsername(req.username);
  if (u.username?.toLowerCase() === name) throw fail.badRequest('USERNAME_NOT_MODIFIED');
  // A deleted account keeps its name in the table; Telegram frees it, the world does too.
  const found = findByUsername(ctx, name);
  if (found.chat || (found.user && found.user.id !== u.id)) throw fail.badRequest('USERNAME_OCCUPIED');
  ctx.db.prepare("UPDATE users SET username = NULL WHERE username = ? AND deleted = 1").run(name);
  ctx.db.prepare('UPDATE users SET username = ? WHERE id = ?').run(name, u.id);
  return userTl(ctx, me(ctx));
}

function savePart(ctx: CallContext, fileId: tl.Long, part: number, bytes: Uint8Array, total: number | null): boolean {
  if (!Number.isInteger(part) || part < 0 || part >= 4000) throw fail.badRequest('FILE_PART_INVALID');
  if (bytes.length === 0 || bytes.length > MAX_PART_BYTES) throw fail.badRequest('FILE_PART_SIZE_INVALID');
  ctx.db
    .prepare('INSERT OR REPLACE INTO upload_parts (user_id, file_id, part, total_parts, bytes, at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(ctx.me.id, fileId.toString(), part, total, Buffer.from(bytes), ctx.now);
  return true;
}

export function saveFilePart(ctx: CallContext, req: tl.upload.RawSaveFilePartRequest): boolean {
  return savePart(ctx, req.fileId, req.filePart, req.bytes, null);
}

export function saveBigFilePart(ctx: CallContext, req: tl.upload.RawSaveBigFilePartRequest): boolean {
  if (!(req.fileTotalParts > 0)) throw fail.badRequest('FILE_PARTS_INVALID');
  return savePart(ctx, req.fileId, req.filePart, req.bytes, req.fileTotalParts);
}

/** The uploaded file's bytes, parts in order; every part must be there. */
function assemble(ctx: CallContext, file: tl.TypeInputFile): Buffer {
  if (file._ !== 'inputFile' && file._ !== 'inputFileBig') throw fail.badRequest('PHOTO_FILE_MISSING');
  const rows = ctx.db
    .prepare('SELECT part, bytes FROM upload_parts WHERE user_id = ? AND file_id = ? ORDER BY part')
    .all(ctx.me.id, file.id.toString()) as Array<{ part: number; bytes: Buffer }>;
  if (rows.length === 0) throw fail.badRequest('PHOTO_FILE_MISSING');
  if (rows.length !== file.parts || rows.some((r, i) => r.part !== i)) throw fail.badRequest('FILE_PARTS_INVALID');
  ctx.db.prepare('DELETE FROM upload_parts WHERE user_id = ? AND file_id = ?').run(ctx.me.id, file.id.toString());
  return Buffer.concat(rows.map((r) => r.bytes));
}

function imageMime(b: Buffer): string | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return undefined;
}

export function uploadProfilePhoto(ctx: CallContext, req: tl.photos.RawUploadProfilePhotoRequest): tl.photos.RawPhoto {
  if (req.video) throw fail.badRequest('VIDEO_FILE_INVALID');
  if (!req.file) throw fail.badRequest('PHOTO_FILE_MISSING');
  const bytes = assemble(ctx, req.file);
  if (bytes.length > MAX_PHOTO_BYTES) throw fail.badRequest('PHOTO_FILE_TOO_BIG');
  const mime = imageMime(bytes);
  if (!mime) throw fail.badRequest('IMAGE_PROCESS_FAILED');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const id = Number(
    ctx.db.prepare('INSERT INTO profile_photos (user_id, mime, size, sha256, at) VALUES (?, ?, ?, ?, ?)').run(ctx.me.id, mime, bytes.length, sha256, ctx.now).lastInsertRowid,
  );
  return {
    _: 'photos.photo',
    photo: {
      _: 'photo',
      id: Long.fromNumber(id),
      accessHash: Long.fromNumber(id * 7919),
      fileReference: new Uint8Array([1]),
      date: sec(ctx.now),
      sizes: [{ _: 'photoSize', type: 'x', w: 640, h: 640, size: bytes.length }],
      dcId: 2,
    },
    users: [userTl(ctx, me(ctx))],
  };
}

/** The account's current profile photo, for getFullUser and the world's inspection. */
export function currentPhoto(ctx: Pick<CallContext, 'db'>, userId: number): { id: number; mime: string; size: number; sha256: string; at: number } | undefined {
  return ctx.db.prepare('SELECT id, mime, size, sha256, at FROM profile_photos WHERE user_id = ? ORDER BY id DESC LIMIT 1').get(userId) as
    | { id: number; mime: string; size: number; sha256: string; at: number }
    | undefined;
}
