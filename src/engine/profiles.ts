import { readFileSync, statSync } from 'node:fs';
import type { ProfileSpec } from '../core/actions.ts';
import { InputError } from '../core/errors.ts';
import { checkPhoto, MAX_PHOTO_BYTES, profileIssues, type PhotoInfo, type ProfileEdit } from '../core/profile.ts';
import { reason } from '../core/reasons.ts';

/**
 * What a profile edit needs beyond core's checks: the photo file read and checked before any
 * account uploads it, and the edit checked against the accounts it is for.
 */

/** Reads and checks a photo file; a missing, oversized or non-image file is an `InputError`. */
export function readPhoto(path: string): { bytes: Uint8Array; info: PhotoInfo } {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new InputError(`--photo ${path} is not a file`, reason('profile_invalid', { detail: 'photo' }));
    size = st.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read the photo ${path}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`, reason('profile_invalid', { detail: 'photo' }));
  }
  // Too large is known from the size alone: the file is not read.
  if (size > MAX_PHOTO_BYTES) {
    throw new InputError(`the photo has ${(size / 1048576).toFixed(1)} MB; Telegram takes up to ${MAX_PHOTO_BYTES / 1048576} MB`, reason('profile_photo_bad', { detail: 'size' }));
  }
  const bytes = new Uint8Array(readFileSync(path));
  const checked = checkPhoto(bytes);
  if (!checked.ok) throw new InputError(checked.problem, reason('profile_photo_bad', { detail: 'content' }));
  return { bytes, info: checked.info };
}

/** The spec for an edit; the photo (when given) is read and checked now. */
export function profileSpec(edit: Omit<ProfileEdit, 'photo'> & { photoFile?: string }): ProfileSpec {
  const { photoFile, ...fields } = edit;
  if (photoFile === undefined) return { kind: 'profile', edit: fields };
  return { kind: 'profile', edit: { ...fields, photo: { file: photoFile, ...readPhoto(photoFile).info } } };
}

/** Refuses an edit that some account could not take, before any account acts. */
export function checkProfileFor(edit: ProfileEdit, accounts: ReadonlyArray<{ id: number; phone: string }>): void {
  const issues = profileIssues(edit, accounts);
  if (issues.length === 0) return;
  const detail = issues.map((i) => i.english).join('; ');
  // The first rule broken rides along, so other languages word it instead of quoting the English.
  throw new InputError(`profile: ${detail}`, reason('profile_invalid', { ...issues[0]!.params, detail, issues: issues.length }));
}
