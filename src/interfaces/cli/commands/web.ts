import type { Command } from 'commander';
import { InputError } from '../../../core/errors.ts';
import type { CliContext } from '../context.ts';
import { table } from '../table.ts';

function time(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** The origin a browser reaches the running panel by: --origin, WEB_ORIGIN, or WEB_ADDR. */
function originFor(given: string | undefined, web: { host: string; port: number; origin: string | undefined }): string {
  if (given !== undefined) {
    if (!/^https?:\/\/[A-Za-z0-9.:[\]-]+\/?$/.test(given.trim())) throw new InputError('--origin takes a scheme, host and port, e.g. http://127.0.0.1:8080');
    return given.trim().replace(/\/$/, '');
  }
  if (web.origin) return web.origin;
  if (web.port === 0) throw new InputError('WEB_ADDR has port 0, so the running panel picked its port at start: give --origin with the address its log shows');
  const host = web.host === '0.0.0.0' || web.host === '::' ? '127.0.0.1' : web.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${web.port}`;
}

export function registerWeb(web: Command, ctx: CliContext): void {
  web
    .command('link')
    .description('print a one-time sign-in link for the web dashboard of the running panel (valid 10 minutes, used once)')
    .option('--origin <url>', 'the address the browser reaches the panel at (default: WEB_ORIGIN, or WEB_ADDR)')
    .action(async (o: { origin?: string }) => {
      await ctx.withApp(['web'], (app) => {
        const origin = originFor(o.origin, app.config.web);
        const { token, expiresAt } = app.webAuth.createLink('cli');
        const url = `${origin}/signin?t=${token}`;
        ctx.emit({ url, expiresAt: new Date(expiresAt).toISOString() }, () => `${url}\n\nOpen it within 10 minutes (until ${time(expiresAt)} UTC); it works once.`);
        return Promise.resolve();
      });
    });

  const sessions = web.command('sessions').description('signed-in browsers: list them, or revoke one');
  sessions.action(async () => {
    await ctx.withApp([], (app) => {
      const list = app.webAuth.sessions();
      ctx.emit(list, () =>
        list.length === 0
          ? 'no one is signed in (`web link` makes a sign-in link)'
          : table(
              ['id', 'by', 'browser', 'signed in', 'last seen', 'expires'],
              list.map((s) => [s.id, s.createdBy, (s.userAgent ?? '-').slice(0, 40), time(s.createdAt), time(s.lastSeenAt), time(s.expiresAt)]),
            ),
      );
      return Promise.resolve();
    });
  });
  sessions
    .command('revoke')
    .description('sign a browser out (its next request is refused)')
    .argument('<id>', 'the session id (see `web sessions`)')
    .action(async (idText: string) => {
      const t = idText.trim().replace(/^#/, '');
      if (!/^\d{1,9}$/.test(t)) throw new InputError(`a session id is a whole number (got "${idText}"); see \`web sessions\``);
      await ctx.withApp([], (app) => {
        app.webAuth.revokeSession(Number(t));
        ctx.emit({ revoked: Number(t) }, () => `session #${t} is signed out`);
        return Promise.resolve();
      });
    });

  const token = web.command('token').description('API tokens for scripts (Authorization: Bearer …)');
  token
    .command('create')
    .description('make a token; it is shown this once and stored only as a hash')
    .argument('<name>', 'what the token is for')
    .action(async (name: string) => {
      await ctx.withApp([], (app) => {
        const { token: secret, row } = app.webAuth.createToken(name);
        ctx.emit({ id: row.id, name: row.name, token: secret }, () => `${secret}\n\ntoken #${row.id} "${row.name}": keep it now, it is not shown again (send it as Authorization: Bearer <token> to /api/v1)`);
        return Promise.resolve();
      });
    });
  token
    .command('list')
    .description('live tokens (never their secrets)')
    .action(async () => {
      await ctx.withApp([], (app) => {
        const list = app.webAuth.tokens();
        ctx.emit(list, () => (list.length === 0 ? 'no API tokens' : table(['id', 'name', 'created', 'last used'], list.map((t) => [t.id, t.name, time(t.createdAt), time(t.lastUsedAt)]))));
        return Promise.resolve();
      });
    });
  token
    .command('revoke')
    .description('refuse a token from now on')
    .argument('<token>', 'its #id or name')
    .action(async (ref: string) => {
      await ctx.withApp([], (app) => {
        const row = app.webAuth.revokeToken(ref);
        ctx.emit({ revoked: row.id, name: row.name }, () => `token #${row.id} "${row.name}" is revoked`);
        return Promise.resolve();
      });
    });
}
