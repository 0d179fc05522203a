import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { LoginStep } from '../../../engine/login.ts';
import type { ImportResult } from '../../../engine/import.ts';
import type { FlowRecord } from '../../../store/bot.ts';
import { importErrorText, loginErrorText } from '../../i18n/account-errors.ts';
import { FileTooLarge } from '../bot.ts';
import { num, str, type IncomingDocument } from '../flows.ts';
import type { Registry } from '../runtime.ts';
import type { BotServices } from '../services.ts';
import type { Turn } from '../turn.ts';
import { cb, type View } from '../ui.ts';
import { cardView } from './accounts.ts';
import { unavailable } from './common.ts';
import { navRow } from './home.ts';

type Login = NonNullable<BotServices['login']>;

/** Session files are small; anything bigger is not one. */
const MAX_SESSION_FILE = 4 * 1024 * 1024;

function addPrompt(turn: Turn, flow: FlowRecord): View {
  const t = turn.t;
  const nav = [navRow(turn, cb('acc'))];
  switch (flow.step) {
    case 'code':
      return { text: t.askCode(t.delivery(str(flow, 'delivery') ?? 'other'), num(flow, 'codeLength') ?? null), keyboard: nav };
    case 'password': {
      const hint = str(flow, 'hint');
      return { text: t.askPassword(hint ?? null), keyboard: nav };
    }
    default:
      return { text: t.askPhone, keyboard: nav };
  }
}

export function registerAddAccount(reg: Registry): void {
  const loginOf = (turn: Turn): Login | undefined => turn.rt.deps.services.login;

  /** Moves the flow to where the login now stands; true when the flow ended. */
  const follow = async (turn: Turn, step: LoginStep, phone: string, prefix?: string): Promise<void> => {
    const t = turn.t;
    switch (step.step) {
      case 'code': {
        const rec = turn.setFlow('add', 'code', { loginId: step.loginId, delivery: step.delivery, codeLength: step.codeLength ?? undefined }, { phone });
        const view = addPrompt(turn, rec);
        await turn.send(prefix ? { ...view, text: `${prefix}\n\n${view.text}` } : view);
        return;
      }
      case 'password': {
        const rec = turn.setFlow('add', 'password', { loginId: step.loginId, hint: step.hint ?? undefined }, { phone });
        await turn.send(addPrompt(turn, rec));
        return;
      }
      case 'done':
        turn.rt.store.clearFlow(turn.adminId);
        await turn.send(cardView(turn, step.account, t.accountAdded));
        return;
      case 'failed': {
        // `retry`: the same question is asked again (the login stays open); without it the flow is over.
        const reason = loginErrorText(step.error, turn.lang);
        if (step.retry) return turn.retry(reason);
        // The login is over: ask for the phone again (another number, or the same later).
        turn.setFlow('add', 'phone');
        await turn.retry(reason);
        return;
      }
    }
  };

  /**
   * The login this flow points at is gone (the panel restarted, or it expired): the code or
   * password typed cannot be used, so a new code goes to the same phone.
   */
  const restart = async (turn: Turn, login: Login, flow: FlowRecord): Promise<void> => {
    const phone = flow.secret?.phone;
    if (!phone) {
      turn.setFlow('add', 'phone');
      return turn.retry(turn.t.loginLost);
    }
    const step = await login.start(phone);
    await follow(turn, step, phone, turn.t.loginRestarted);
  };

  reg.route('acc.add', async (turn) => {
    if (!loginOf(turn)) return unavailable(turn, cb('acc'));
    await turn.leaveFlow();
    const rec = turn.setFlow('add', 'phone');
    await turn.show(addPrompt(turn, rec));
  });

  reg.flow({
    name: 'add',
    prompt: addPrompt,
    async onText(turn, flow, text) {
      const login = loginOf(turn);
      if (!login) {
        await turn.leaveFlow();
        return unavailable(turn, cb('acc'));
      }
      const loginId = str(flow, 'loginId');
      if (flow.step === 'phone' || loginId === undefined) {
        const step = await login.start(text);
        return follow(turn, step, step.step === 'code' ? step.phone : text.trim());
      }
      // A code or a password: out of the chat as soon as it has been read.
      await turn.deleteIncoming();
      const step = flow.step === 'code' ? await login.code(loginId, text) : await login.password(loginId, text);
      if (step.step === 'failed' && (step.error.kind === 'no_login' || (step.error.kind === 'expired_code' && !step.retry))) {
        return restart(turn, login, flow);
      }
      return follow(turn, step, flow.secret?.phone ?? '');
    },
    async onLeave(turn, flow) {
      const loginId = str(flow, 'loginId');
      if (loginId !== undefined) await loginOf(turn)?.cancel(loginId);
    },
  });

  // --- import ---

  const importPrompt = (turn: Turn): View => ({ text: turn.t.askImport, keyboard: [navRow(turn, cb('acc'))] });

  const importDone = async (turn: Turn, res: ImportResult): Promise<void> => {
    if (res.ok) {
      turn.rt.store.clearFlow(turn.adminId);
      await turn.send(cardView(turn, res.account, turn.t.accountImported(res.format)));
      return;
    }
    await turn.retry(importErrorText(res.error, turn.lang));
  };

  reg.route('acc.imp', async (turn) => {
    if (!turn.rt.deps.services.importer) return unavailable(turn, cb('acc'));
    await turn.leaveFlow();
    turn.setFlow('import', 'input');
    await turn.show(importPrompt(turn));
  });

  reg.flow({
    name: 'import',
    prompt: importPrompt,
    async onText(turn, _flow, text) {
      const importer = turn.rt.deps.services.importer;
      if (!importer) return unavailable(turn, cb('acc'));
      await turn.deleteIncoming();
      const s = text.trim();
      // The service also reads paths; from a chat only the string itself is accepted.
      if (/^(\.{0,2}\/|~|[A-Za-z]:\\)/.test(s) || /\.(session|txt)$/i.test(s) || s.length < 20) return turn.retry(turn.t.importNotString);
      await importDone(turn, await importer.import(s));
    },
    async onDocument(turn, _flow, doc: IncomingDocument) {
      const importer = turn.rt.deps.services.importer;
      if (!importer) return unavailable(turn, cb('acc'));
      let data: Buffer;
      try {
        data = await turn.rt.download(doc.fileId, MAX_SESSION_FILE);
      } catch (e) {
        await turn.deleteIncoming();
        if (e instanceof FileTooLarge) return turn.retry(turn.t.fileTooLarge);
        throw e;
      }
      await turn.deleteIncoming();
      const dir = await mkdtemp(join(tmpdir(), 'tp-import-'));
      const ext = /\.(session|txt)$/i.exec(doc.fileName ?? '')?.[0]?.toLowerCase() ?? '.txt';
      const path = join(dir, `upload${ext}`);
      try {
        await writeFile(path, data, { mode: 0o600 });
        await importDone(turn, await importer.import(path));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  });
}
