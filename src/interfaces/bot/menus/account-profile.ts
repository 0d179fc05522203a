import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountSummary } from '../../../core/accounts.ts';
import type { ProfileSpec } from '../../../core/actions.ts';
import { InputError } from '../../../core/errors.ts';
import { isTelegramFailure } from '../../../core/failures.ts';
import { MAX_PHOTO_BYTES, type ProfileEdit } from '../../../core/profile.ts';
import { reason } from '../../../core/reasons.ts';
import { normalizeUsername } from '../../../core/usernames.ts';
import type { FlowRecord } from '../../../store/bot.ts';
import { profileSpec } from '../../../engine/profiles.ts';
import type { OperationRecord } from '../../../store/operations.ts';
import { FileTooLarge } from '../bot.ts';
import { describeError, refusal } from '../errors.ts';
import { num, str, type IncomingDocument } from '../flows.ts';
import { iso } from '../i18n/bidi.ts';
import { adoptMenu, editMessage, sendView } from '../render.ts';
import type { Registry } from '../runtime.ts';
import type { AccountsPort } from '../services.ts';
import type { Turn } from '../turn.ts';
import { button, cb, type View } from '../ui.ts';
import { cardView } from './accounts.ts';
import type { Ops } from './action-wizard.ts';
import { accountName, unavailable, withCardAccount } from './common.ts';
import { navRow } from './home.ts';
import { currentPacing } from './settings.ts';

/** The fields the bot edits as text, one at a time (the placeholders are the CLI's); the photo is sent. */
export const PROFILE_FIELDS = ['firstName', 'lastName', 'bio', 'username'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

/** Short names in callback data. */
const FIELD_ARG: Record<ProfileField, string> = { firstName: 'f', lastName: 'l', bio: 'b', username: 'u' };

function fieldOf(arg: string | undefined): ProfileField | undefined {
  return PROFILE_FIELDS.find((f) => FIELD_ARG[f] === arg || f === arg);
}

/** Fields that may be emptied; a lone dash asks for that (an empty message cannot be sent). */
const CLEARABLE: readonly ProfileField[] = ['lastName', 'bio'];

function editOf(field: ProfileField, typed: string): ProfileEdit {
  const value = CLEARABLE.includes(field) && /^\s*[-–—]\s*$/.test(typed) ? '' : typed;
  return { [field]: value };
}

/**
 * One account's profile from its card, a field at a time. Each change is the engine's `profile`
 * operation, the one `accounts profile` runs: checked before anything acts, paced, recorded.
 */
export function registerAccountProfile(reg: Registry): void {
  const ports = (turn: Turn): { accounts: AccountsPort; ops: Ops } | undefined => {
    const s = turn.rt.deps.services;
    return s.accounts && s.operations ? { accounts: s.accounts, ops: s.operations } : undefined;
  };

  const profileView = (turn: Turn, a: AccountSummary): View => {
    const t = turn.t;
    return {
      text: `${t.profileTitle(accountName(a))}\n${t.cardName(iso(a.firstName || '-'), a.username ? iso(`@${a.username}`) : '-')}\n\n${t.profileChoose}`,
      keyboard: [
        [button(t.profileField('firstName'), cb('acc.pfe', a.id, FIELD_ARG.firstName)), button(t.profileField('lastName'), cb('acc.pfe', a.id, FIELD_ARG.lastName))],
        [button(t.profileField('bio'), cb('acc.pfe', a.id, FIELD_ARG.bio)), button(t.profileField('username'), cb('acc.pfe', a.id, FIELD_ARG.username))],
        [button(t.btnProfilePhoto, cb('acc.pfp', a.id))],
        navRow(turn, cb('acc.c', a.id)),
      ],
    };
  };

  const withAccount = (turn: Turn, idArg: string | undefined, fn: (p: { accounts: AccountsPort; ops: Ops }, a: AccountSummary) => Promise<void>): Promise<void> => withCardAccount(turn, ports(turn), idArg, fn);

  reg.route('acc.pf', (turn, [id]) =>
    withAccount(turn, id, async (_p, a) => {
      await turn.leaveFlow();
      await turn.show(profileView(turn, a));
    }),
  );

  const valuePrompt = (turn: Turn, flow: FlowRecord): View => {
    const id = num(flow, 'accountId');
    const field = fieldOf(str(flow, 'field')) ?? 'firstName';
    const a = id === undefined ? undefined : turn.rt.deps.services.accounts?.get(id);
    const name = a ? accountName(a) : iso(`#${id ?? '?'}`);
    return {
      text: flow.step === 'photo' ? turn.t.askProfilePhoto(name) : turn.t.askProfileValue(field, name),
      keyboard: [navRow(turn, cb('acc.pf', id ?? 0))],
    };
  };

  reg.route('acc.pfe', (turn, [id, f]) =>
    withAccount(turn, id, async (_p, a) => {
      const field = fieldOf(f);
      if (!field) return turn.show(profileView(turn, a));
      const rec = turn.setFlow('profile', 'value', { accountId: a.id, field });
      await turn.show(valuePrompt(turn, rec));
    }),
  );

  reg.route('acc.pfp', (turn, [id]) =>
    withAccount(turn, id, async (_p, a) => {
      const rec = turn.setFlow('profile', 'photo', { accountId: a.id });
      await turn.show(valuePrompt(turn, rec));
    }),
  );

  /**
   * A photo sent as a photo or as a file: downloaded (refused by its size before that), checked by
   * the engine's photo rules from a private temporary file, and run as the profile operation, which
   * reads the same file; the file goes when the operation ends.
   */
  const onImage = async (turn: Turn, flow: FlowRecord, file: IncomingDocument): Promise<void> => {
    if (flow.step !== 'photo') return turn.retry(turn.t.expectedText);
    const p = ports(turn);
    if (!p) return unavailable(turn);
    const id = num(flow, 'accountId');
    const a = id === undefined ? undefined : p.accounts.get(id);
    if (!a) {
      await turn.leaveFlow();
      return turn.current(turn.t.accountGone, true);
    }
    const tooBig = (): Promise<void> => {
      const r = reason('profile_photo_bad', { detail: 'size' });
      return turn.retry(turn.t.inputRefused(turn.t.reason(r, `the photo is larger than ${MAX_PHOTO_BYTES / 1048576} MB; Telegram takes up to ${MAX_PHOTO_BYTES / 1048576} MB`)));
    };
    if (file.size !== undefined && file.size > MAX_PHOTO_BYTES) return tooBig();
    let bytes: Buffer;
    try {
      bytes = await turn.rt.download(file.fileId, MAX_PHOTO_BYTES);
    } catch (e) {
      if (e instanceof FileTooLarge) return tooBig();
      throw e;
    }
    const dir = await mkdtemp(join(tmpdir(), 'tp-photo-'));
    const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
    let spec: ProfileSpec;
    try {
      const path = join(dir, 'photo');
      await writeFile(path, bytes, { mode: 0o600 });
      spec = profileSpec({ photoFile: path });
      p.ops.check(spec, { accountIds: [a.id] });
    } catch (e) {
      await cleanup();
      if (e instanceof InputError) return turn.retry(turn.t.inputRefused(refusal(turn.t, e)));
      throw e;
    }
    await turn.leaveFlow();
    runEdit(turn, p, a, 'photo', spec, cleanup);
  };

  reg.flow({
    name: 'profile',
    prompt: valuePrompt,
    onDocument: onImage,
    onPhoto: onImage,
    async onText(turn, flow, text) {
      const p = ports(turn);
      if (!p) return unavailable(turn);
      if (flow.step === 'photo') return turn.retry(turn.t.expectedPhoto);
      const id = num(flow, 'accountId');
      const field = fieldOf(str(flow, 'field'));
      const a = id === undefined ? undefined : p.accounts.get(id);
      if (!a || !field) {
        await turn.leaveFlow();
        return turn.current(turn.t.accountGone, true);
      }
      const spec: ProfileSpec = { kind: 'profile', edit: editOf(field, text) };
      // Refused in place, before any account acts, by the engine's own checks.
      try {
        p.ops.check(spec, { accountIds: [a.id] });
      } catch (e) {
        if (e instanceof InputError) return turn.retry(turn.t.inputRefused(refusal(turn.t, e)));
        throw e;
      }
      await turn.leaveFlow();
      runEdit(turn, p, a, field, spec);
    },
  });
}

/** What the edit came to, in the admin's language. */
function outcomeText(turn: Turn, field: ProfileField | 'photo', spec: ProfileSpec, record: OperationRecord | undefined, error: unknown): string {
  const t = turn.t;
  const r = record?.results[0];
  if (!record || !r) return `⚠️ ${error === undefined ? t.profileNotRun : describeError(t, error).text}`;
  if (r.status === 'failed') {
    // The one refusal an operator meets often enough to deserve its own sentence.
    if (r.failure.code === 'USERNAME_OCCUPIED') return `❌ ${t.usernameTaken(iso(`@${normalizeUsername(spec.edit.username ?? '')}`))}`;
    return `❌ ${t.failure(r.failure.kind, r.failure.code, r.failure.seconds)}`;
  }
  if (field === 'photo') return t.profilePhotoSaved(record.id);
  return r.status === 'already' ? `↩️ ${t.profileUnchanged(field)}` : `✅ ${t.profileSaved(field, record.id)}`;
}

/**
 * Runs the edit in the background (pacing may make it wait): the prompt the admin answered turns
 * into "saving…" and then into the account's card with the outcome on top.
 */
function runEdit(turn: Turn, p: { accounts: AccountsPort; ops: Ops }, a: AccountSummary, field: ProfileField | 'photo', spec: ProfileSpec, cleanup?: () => Promise<void>): void {
  const rt = turn.rt;
  const t = turn.t;
  const adminId = turn.adminId;
  const over = rt.store.menu(adminId);
  rt.store.clearMenu(adminId);
  rt.jobs.run('profile edit', async (signal) => {
    const chatId = turn.chatId;
    const saving: View = { text: field === 'photo' ? t.profilePhotoSaving(accountName(a)) : t.profileSaving(t.profileField(field), accountName(a)) };
    let messageId = over && over.chatId === chatId && (await editMessage(rt, chatId, over.messageId, saving, signal)) ? over.messageId : await sendView(rt, chatId, saving);
    let record: OperationRecord | undefined;
    let error: unknown;
    try {
      record = await p.ops.runOperation(spec, { accountIds: [a.id] }, { actor: `bot:${adminId}`, signal, concurrency: currentPacing(turn).actionConcurrency });
    } catch (e) {
      error = e;
      if (!(e instanceof InputError) && !isTelegramFailure(e)) rt.deps.log.error({ err: e }, 'profile edit from the bot failed');
    } finally {
      await cleanup?.();
    }
    // The card shows the stored name and username, which the panel learns from Telegram (getMe).
    if (record?.results[0]?.status === 'done' && (field === 'firstName' || field === 'username')) {
      await p.accounts.check([a.id], false).catch((e: unknown) => rt.deps.log.debug({ err: e, accountId: a.id }, 'could not refresh the card after a profile edit'));
    }
    const card = cardView(turn, p.accounts.get(a.id) ?? a, outcomeText(turn, field, spec, record, error));
    // The card becomes the menu again unless the admin opened another one meanwhile.
    const becomesMenu = rt.store.menu(adminId) === undefined;
    const view: View = becomesMenu ? card : { text: card.text, keyboard: [] };
    if (!(await editMessage(rt, chatId, messageId, view))) messageId = await sendView(rt, chatId, view);
    if (becomesMenu) await adoptMenu(rt, adminId, { chatId, messageId });
  });
}
