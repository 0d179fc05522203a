import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import type { App } from '../../../app.ts';
import { accountLabel, type AccountSummary } from '../../../core/accounts.ts';
import type { CallKind } from '../../../core/actions.ts';
import { InputError, PanelError } from '../../../core/errors.ts';
import { findAccount, parsePhone, resolveAccountRefs } from '../../../core/account-refs.ts';
import { readTag, taggedIds } from '../../../engine/account-selection.ts';
import type { CheckResult } from '../../../engine/health.ts';
import { profileSpec } from '../../../engine/profiles.ts';
import { IMPORT_FORMATS, isImportFormat } from '../../../core/import-formats.ts';
import type { ImportError } from '../../../engine/import.ts';
import type { LoginError, LoginStep } from '../../../engine/login.ts';
import type { CliContext } from '../context.ts';
import { registerAccountCare } from './account-care.ts';
import { registerPrune } from './accounts-prune.ts';
import { table } from '../table.ts';

/**
 * Answers to the login's questions. On a terminal it prompts (the password without echo);
 * otherwise it reads the code from the first line of stdin and the password from the second,
 * so scripts and tests can enrol accounts.
 */
export class Answers {
  private readonly tty: boolean;
  private lines: string[] = [];
  private waiting: Array<(line: string | null) => void> = [];
  private ended = false;
  private rl: Interface | undefined;

  constructor(
    private readonly input: NodeJS.ReadStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stderr,
  ) {
    this.tty = input.isTTY === true;
    if (!this.tty) {
      this.rl = createInterface({ input, terminal: false });
      this.rl.on('line', (l) => {
        const w = this.waiting.shift();
        if (w) w(l);
        else this.lines.push(l);
      });
      this.rl.on('close', () => {
        this.ended = true;
        for (const w of this.waiting.splice(0)) w(null);
      });
    }
  }

  get interactive(): boolean {
    return this.tty;
  }

  private nextLine(): Promise<string | null> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async ask(question: string, opts: { hidden?: boolean; what: string }): Promise<string> {
    if (!this.tty) {
      const line = await this.nextLine();
      if (line === null) throw new InputError(`stdin ended before the ${opts.what} (give the code on the first line and the 2FA password on the second)`);
      return line;
    }
    let muted = false;
    const out = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        if (!muted) this.output.write(chunk);
        cb();
      },
    });
    const rl = createInterface({ input: this.input, output: out, terminal: true });
    try {
      const answer = new Promise<string>((resolve) => rl.question(question, resolve));
      muted = opts.hidden === true;
      const a = await answer;
      if (opts.hidden) this.output.write('\n');
      return a;
    } finally {
      rl.close();
    }
  }

  close(): void {
    this.rl?.close();
  }
}

const BAD_INPUT: ReadonlySet<LoginError['kind']> = new Set(['invalid_phone', 'bad_code', 'wrong_code', 'expired_code', 'wrong_password', 'already_exists', 'bad_proxy', 'no_login']);

function loginFailure(error: LoginError): Error {
  return BAD_INPUT.has(error.kind) ? new InputError(error.message) : new PanelError(error.message);
}

function importFailure(error: ImportError): Error {
  return error.kind === 'rejected' ? new PanelError(error.message) : new InputError(error.message);
}

/** A length of time for people: `45s`, `12m`, `3h`, `2d`. */
function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  if (s < 129_600) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

function ago(ms: number | null, now: number): string {
  return ms === null ? '-' : `${span(now - ms)} ago`;
}

/** Flood waits in force, per kind of call (a wait closes only the kind that met it). */
export type AccountWaits = Partial<Record<CallKind, number>>;

/** `flood_wait (join 12m, check 9m)`, `peer_flood (lifts in 3d)`: times as long as they last, like "last used". */
function statusText(a: AccountSummary, waits: AccountWaits, now: number): string {
  const open = (Object.entries(waits) as Array<[CallKind, number]>).filter(([, until]) => until > now).sort((x, y) => x[1] - y[1]);
  if (open.length > 0) return `${a.status} (${open.map(([kind, until]) => `${kind} ${span(until - now)}`).join(', ')})`;
  if (a.statusUntil !== null && a.statusUntil > now) return `${a.status} (lifts in ${span(a.statusUntil - now)})`;
  return a.status;
}

/** `defaultProxy`: whether PROXY_URL is set (accounts without their own proxy use it). */
export function accountsTable(accounts: readonly AccountSummary[], now: number, defaultProxy = false, waits: ReadonlyMap<number, AccountWaits> = new Map()): string {
  if (accounts.length === 0) return 'no accounts yet: add one with `accounts add <phone>` or `accounts import <session>`';
  return table(
    ['id', 'phone', 'username', 'status', 'reason', 'proxy', 'groups', 'last used', 'tags', 'other sessions'],
    accounts.map((a) => [
      a.id,
      a.phone,
      a.username ? `@${a.username}` : null,
      statusText(a, waits.get(a.id) ?? {}, now),
      a.statusReason,
      a.proxyUrl ?? (defaultProxy ? 'PROXY_URL' : null),
      a.groupsCount,
      ago(a.lastUsedAt, now),
      a.tags && a.tags.length > 0 ? a.tags.join(',') : null,
      a.otherSessions ?? null,
    ]),
  );
}

/** The JSON form: every account with its waits as absolute times. */
export function accountsJson(accounts: readonly AccountSummary[], waits: ReadonlyMap<number, AccountWaits>): unknown[] {
  return accounts.map((a) => ({
    ...a,
    waits: Object.fromEntries(Object.entries(waits.get(a.id) ?? {}).map(([kind, until]) => [kind, new Date(until).toISOString()])),
  }));
}

function resolve(app: App, ref: string): AccountSummary {
  const found = findAccount(app.accounts.list(app.clock.now()), ref);
  if (!found.ok) throw new InputError(found.problem);
  return found.value;
}

function resolveAll(app: App, refs: readonly string[]): number[] {
  const found = resolveAccountRefs(app.accounts.list(app.clock.now()), refs);
  if (!found.ok) throw new InputError(found.problem);
  return found.value;
}

/** `<accounts...> add|remove <tag>`: the word before the last names the change. */
export function parseTagChange(args: readonly string[]): { refs: string[]; op: 'add' | 'remove'; tag: string } {
  const op = args.at(-2);
  if (args.length < 3 || (op !== 'add' && op !== 'remove')) throw new InputError('usage: accounts tag <accounts...> add|remove <tag>');
  return { refs: args.slice(0, -2), op, tag: readTag(args.at(-1)!) };
}

function checkTable(results: readonly CheckResult[]): string {
  if (results.length === 0) return 'no enabled accounts to check';
  return table(
    ['id', 'phone', 'getMe', 'status', 'reason', 'spam'],
    results.map((r) => [
      r.accountId,
      r.phone,
      r.ok ? 'ok' : (r.failure?.code ?? 'failed'),
      r.status,
      r.reason ?? (r.ok ? null : r.failure?.message),
      r.spam === null ? null : r.spam.state === 'limited' ? `limited${r.spam.until ? ` until ${new Date(r.spam.until).toISOString()}` : ''}` : r.spam.state,
    ]),
  );
}

/** Drives one login to its end with the operator's answers; returns the stored account. */
async function runLogin(app: App, phone: string, proxyUrl: string | undefined, answers: Answers, tell: (s: string) => void): Promise<AccountSummary> {
  let step: LoginStep = await app.logins.start(phone, proxyUrl !== undefined ? { proxyUrl } : {});
  const tries = { code: 0, password: 0 };
  for (;;) {
    switch (step.step) {
      case 'done':
        return step.account;
      case 'code': {
        tell(`Telegram sent a ${step.codeLength ?? ''}${step.codeLength ? '-digit ' : ''}code (${step.delivery}). Type it with spaces or dashes between the digits (e.g. 1 2 3 4 5).`);
        const code = await answers.ask('code: ', { what: 'login code' });
        step = await app.logins.code(step.loginId, code);
        break;
      }
      case 'password': {
        const hint = step.hint ? ` (hint: ${step.hint})` : '';
        const pw = await answers.ask(`two-step verification password${hint}: `, { hidden: true, what: '2FA password' });
        step = await app.logins.password(step.loginId, pw);
        break;
      }
      case 'failed': {
        const retry = step.retry;
        // On a terminal a typo can be fixed (three tries per step); a script gets one go.
        if (retry && answers.interactive && tries[retry.step]++ < 2) {
          tell(step.error.message);
          step =
            retry.step === 'code'
              ? await app.logins.code(retry.loginId, await answers.ask('code: ', { what: 'login code' }))
              : await app.logins.password(retry.loginId, await answers.ask('two-step verification password: ', { hidden: true, what: '2FA password' }));
          break;
        }
        if (retry) await app.logins.cancel(retry.loginId);
        throw loginFailure(step.error);
      }
    }
  }
}

/**
 * Logs in accounts whose code (and password) are known, through the same login steps an
 * operator takes (the code typed with separators). For the demo and scripted setups.
 */
export async function enrolKnown(app: App, accounts: ReadonlyArray<{ phone: string; code: string; password: string | null }>): Promise<AccountSummary[]> {
  const out: AccountSummary[] = [];
  for (const acc of accounts) {
    let step = await app.logins.start(acc.phone);
    if (step.step === 'code') step = await app.logins.code(step.loginId, acc.code.split('').join(' '));
    if (step.step === 'password') step = await app.logins.password(step.loginId, acc.password ?? '');
    if (step.step !== 'done') throw new PanelError(`${acc.phone}: ${step.step === 'failed' ? step.error.message : `stopped at the ${step.step} step`}`);
    out.push(step.account);
  }
  return out;
}

export function registerAccounts(accounts: Command, ctx: CliContext): void {
  const err = (s: string): void => void process.stderr.write(s.endsWith('\n') ? s : s + '\n');

  accounts
    .command('add')
    .description('log in a phone number: asks for the code Telegram sends and the 2FA password when the account has one (without a terminal: code on the first stdin line, password on the second)')
    .argument('<phone>', 'the number with its country code, e.g. +15551234567')
    .option('--proxy <url>', "this account's own proxy (socks5://, http(s)://, tg://proxy?…); default PROXY_URL")
    .action(async (phoneArg: string, o: { proxy?: string }) => {
      const phone = parsePhone(phoneArg);
      if (!phone.ok) throw new InputError(phone.problem);
      const answers = new Answers();
      try {
        await ctx.withApp(['telegram'], async (app) => {
          const account = await runLogin(app, phone.value, o.proxy, answers, err);
          ctx.emit(account, () => `added account ${accountLabel(account)} (${account.firstName})`);
        });
      } finally {
        answers.close();
      }
    });

  accounts
    .command('import')
    .description('import a session made elsewhere: a string (mtcute, Telethon, Pyrogram, GramJS, MTKruto), a file holding one, a Telethon/Pyrogram .session file, or a Telegram Desktop tdata folder; checked with Telegram before it is stored')
    .argument('<input>', 'the session string, or the path of a file or folder')
    .addOption(new Option('--format <format>', 'skip detection and read this format').choices([...IMPORT_FORMATS]))
    .option('--proxy <url>', "this account's own proxy; default PROXY_URL")
    .option('--passcode <passcode>', 'the local passcode of a protected tdata folder')
    .action(async (input: string, o: { format?: string; proxy?: string; passcode?: string }) => {
      if (o.format !== undefined && !isImportFormat(o.format)) throw new InputError(`unknown format ${o.format}; one of ${IMPORT_FORMATS.join(', ')}`);
      await ctx.withApp(['telegram'], async (app) => {
        const res = await app.imports.import(input, {
          ...(o.format !== undefined && isImportFormat(o.format) ? { format: o.format } : {}),
          ...(o.proxy !== undefined ? { proxyUrl: o.proxy } : {}),
          ...(o.passcode !== undefined ? { passcode: o.passcode } : {}),
        });
        if (!res.ok) throw importFailure(res.error);
        ctx.emit({ ...res.account, format: res.format }, () => `imported account ${accountLabel(res.account)} from a ${res.format} session`);
      });
    });

  accounts
    .command('list')
    .description('every account: id, phone, username, status and why, proxy, groups, last used')
    .action(async () => {
      await ctx.withApp([], (app) => {
        const now = app.clock.now();
        const list = app.accounts.list(now);
        const waits = app.accounts.parks(now);
        ctx.emit(accountsJson(list, waits), () => accountsTable(list, now, app.config.proxyUrl !== undefined, waits));
        return Promise.resolve();
      });
    });

  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    accounts
      .command(name)
      .description(enabled ? 'let the panel use this account again' : 'stop using this account (kept with its session; a running panel lets go of it)')
      .argument('<account>', 'id, phone or @username')
      .action(async (ref: string) => {
        await ctx.withApp([], async (app) => {
          const a = resolve(app, ref);
          const after = await app.fleet.setEnabled(a.id, enabled);
          ctx.emit(after, () => `account ${accountLabel(after)} is ${enabled ? 'enabled' : 'disabled'}`);
        });
      });
  }

  accounts
    .command('remove')
    .description('delete an account and its session keys from the panel (the only way keys are deleted)')
    .argument('<account>', 'id, phone or @username')
    .option('--yes', 'do not ask for confirmation')
    .action(async (ref: string, o: { yes?: boolean }) => {
      await ctx.withApp([], async (app) => {
        const a = resolve(app, ref);
        if (!o.yes) {
          if (process.stdin.isTTY !== true) throw new InputError(`removing deletes the session of ${accountLabel(a)}; confirm with --yes`);
          const answers = new Answers();
          const reply = await answers.ask(`remove ${accountLabel(a)} and delete its session keys? type "yes": `, { what: 'confirmation' });
          answers.close();
          if (reply.trim().toLowerCase() !== 'yes') {
            ctx.emit({ removed: false, id: a.id }, () => 'nothing removed');
            return;
          }
        }
        await app.fleet.remove(a.id);
        ctx.emit({ removed: true, id: a.id }, () => `removed account ${accountLabel(a)} and its session`);
      });
    });

  registerPrune(accounts, ctx, () => new Answers());

  registerAccountCare(accounts, ctx, (input) => new Answers(input, ctx.err));

  accounts
    .command('proxy')
    .description("set an account's own proxy, or `none` to use PROXY_URL (or a direct connection when that is unset)")
    .argument('<account>', 'id, phone or @username')
    .argument('<url>', 'socks5://[user:pass@]host:port, http(s)://host:port, tg://proxy?server=..&port=..&secret=.., or none')
    .action(async (ref: string, url: string) => {
      await ctx.withApp([], async (app) => {
        const a = resolve(app, ref);
        const after = await app.fleet.setProxy(a.id, url.trim().toLowerCase() === 'none' ? null : url);
        ctx.emit(after, () => `account #${after.id} now uses ${after.proxyUrl ?? (app.config.proxyUrl ? 'PROXY_URL' : 'a direct connection')}`);
      });
    });

  accounts
    .command('check')
    .description('connect every enabled account and ask getMe; with --spam also ask @SpamBot whether it is limited')
    .option('--spam', 'also ask @SpamBot (sends it /start; deletes nothing)')
    .option('--all', 'every enabled account, whatever its last status (what no account named means; e.g. before accounts prune)')
    .option('--tag <tag>', 'only the accounts with this tag (with named accounts: both)')
    .argument('[accounts...]', 'only these accounts (id, phone or @username)')
    .action(async (refs: string[], o: { spam?: boolean; tag?: string; all?: boolean }) => {
      if (o.tag !== undefined) readTag(o.tag);
      if (o.all === true && refs.length > 0) throw new InputError('give account names or --all, not both');
      if (ctx.capture) return ctx.capture({ kind: 'accounts-check', refs, spam: o.spam === true, ...(o.tag !== undefined ? { tag: o.tag } : {}) });
      await ctx.withApp(['telegram'], async (app) => {
        const named = refs.map((r) => resolve(app, r).id);
        const tagged = o.tag === undefined ? [] : taggedIds(app.accounts.list(app.clock.now()), o.tag);
        const ids = named.length + tagged.length > 0 ? [...new Set([...named, ...tagged])] : undefined;
        const results = await app.health.check({ ...(ids ? { ids } : {}), spam: o.spam === true });
        ctx.emit(results, () => checkTable(results));
      });
    });

  accounts
    .command('tag')
    .description('add a tag to accounts or remove it (accounts tagged reserve are never picked by --accounts N or a campaign\'s default set)')
    .argument('<args...>', '<accounts...> add|remove <tag>: accounts by id, phone or @username')
    .action(async (args: string[]) => {
      const change = parseTagChange(args);
      await ctx.withApp([], (app) => {
        const ids = resolveAll(app, change.refs);
        const r = app.tags.change(ids, change.op, change.tag);
        ctx.emit(r, () => `${change.op === 'add' ? 'tagged' : 'untagged'} ${r.changed.length} account(s) ${change.op === 'add' ? 'with' : 'from'} ${r.tag}${r.unchanged.length > 0 ? `; ${r.unchanged.length} ${change.op === 'add' ? 'had it already' : 'did not have it'}` : ''}`);
        return Promise.resolve();
      });
    });

  accounts
    .command('profile')
    .description("edit accounts' own profiles, paced like every action; placeholders {phone4} (last four phone digits) and {n} (running number) make each account's values its own")
    .argument('[accounts...]', 'id, phone or @username (or --tag)')
    .option('--tag <tag>', 'the accounts with this tag (after any named ones)')
    .option('--first-name <text>', 'first name (up to 64 characters)')
    .option('--last-name <text>', 'last name ("" clears it)')
    .option('--bio <text>', 'bio (up to 70 characters; "" clears it)')
    .option('--username <name>', 'username; checked for availability first (a taken one fails that account only)')
    .option('--photo <file>', 'a JPEG or PNG photo up to 10 MB, checked before any upload')
    .addHelpText('after', '\nExample: accounts profile --tag batch2 --first-name "Sara {n}" --username "sara_{phone4}". Bad input exits 2 before any account acts.')
    .action(async (refs: string[], o: { tag?: string; firstName?: string; lastName?: string; bio?: string; username?: string; photo?: string }) => {
      if (refs.length === 0 && o.tag === undefined) throw new InputError('name the accounts (id, phone or @username) or give --tag <tag>');
      if (o.tag !== undefined) readTag(o.tag);
      const spec = profileSpec({
        ...(o.firstName !== undefined ? { firstName: o.firstName } : {}),
        ...(o.lastName !== undefined ? { lastName: o.lastName } : {}),
        ...(o.bio !== undefined ? { bio: o.bio } : {}),
        ...(o.username !== undefined ? { username: o.username } : {}),
        ...(o.photo !== undefined ? { photoFile: o.photo } : {}),
      });
      await ctx.withApp(['telegram'], async (app) => {
        const all = app.accounts.list(app.clock.now());
        const named = refs.length > 0 ? resolveAll(app, refs) : [];
        const tagged = o.tag === undefined ? [] : taggedIds(all, o.tag);
        const ids = [...new Set([...named, ...tagged])];
        // Loaded here: other accounts commands never need the action runner.
        const { executeAct } = await import('./act.ts');
        await executeAct(ctx, { pool: app.fleet, engine: app.operations }, spec, { refs: ids.map((id) => `#${id}`) });
      });
    });

  accounts
    .command('groups')
    .description("an account's groups and channels (stored list; --refresh asks Telegram)")
    .argument('<account>', 'id, phone or @username')
    .option('--refresh', 'list them from Telegram now (all pages) and store them')
    .action(async (ref: string, o: { refresh?: boolean }) => {
      await ctx.withApp(o.refresh ? ['telegram'] : [], async (app) => {
        const a = resolve(app, ref);
        if (o.refresh) await app.health.refreshGroups(a.id);
        const { chats, refreshedAt } = app.accounts.groups(a.id);
        ctx.emit({ accountId: a.id, refreshedAt, chats }, () =>
          chats.length === 0
            ? refreshedAt === null
              ? `no groups stored for #${a.id} yet: run with --refresh`
              : `#${a.id} is in no groups or channels`
            : table(['id', 'kind', 'title', 'username'], chats.map((c) => [c.id, c.kind, c.title, c.username ? `@${c.username}` : null])),
        );
      });
    });
}
