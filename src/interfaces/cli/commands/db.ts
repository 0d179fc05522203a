import { join } from 'node:path';
import type { Command } from 'commander';
import { readEnvironment } from '../../../config.ts';
import { InputError } from '../../../core/errors.ts';
import type { CliContext } from '../context.ts';
import { progressBar } from '../progress.ts';
import { table } from '../table.ts';

const POSTGRES_URL = /^postgres(?:ql)?:\/\/\S+$/;

export function registerDb(db: Command, ctx: CliContext): void {
  db.description(
    'the panel database: status, migrate, and copy the SQLite panel into PostgreSQL (DATABASE_URL names PostgreSQL; without it DATA_DIR/panel.db is used)',
  );

  db.command('status')
    .description('engine, schema version against the one this panel knows, pending migrations, rows per table; reads only, changes nothing')
    .action(async () => {
      const c = ctx.config();
      const { database } = await import('../../../database.ts');
      const s = database.status({ dataDir: c.dataDir, databaseUrl: c.databaseUrl });
      ctx.emit(s, () => {
        const version =
          s.schemaVersion === null
            ? 'unreadable'
            : `${s.schemaVersion} (this version knows ${s.knownVersion})` +
              (s.usable ? (s.pending.length === 0 ? ', up to date' : `, ${s.pending.length} pending: ${s.pending.map((m) => `${m.version} ${m.name}`).join(', ')}`) : '');
        const lines = [
          `engine: ${s.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
          `database: ${s.location}${s.exists ? '' : ' (not created yet: `db migrate` or the first `start` creates it)'}`,
          `schema: ${version}`,
          `usable: ${s.usable ? 'yes' : `no: ${s.problem}`}`,
        ];
        if (s.tables.length > 0) lines.push('', table(['table', 'rows'], s.tables.map((t) => [t.table, t.rows])));
        return lines.join('\n');
      });
      if (!s.usable) throw new InputError(s.problem ?? `${s.location} cannot be used`);
    });

  db.command('migrate')
    .description('apply the pending migrations to the configured database (DATABASE_URL, else DATA_DIR/panel.db); a newer schema is refused, nothing changed')
    .action(async () => {
      const c = ctx.config();
      const { database } = await import('../../../database.ts');
      const r = database.migrate({ dataDir: c.dataDir, databaseUrl: c.databaseUrl });
      ctx.emit(r, () =>
        r.applied.length === 0
          ? `${r.location} is at schema ${r.to}, up to date: nothing to apply`
          : `migrated ${r.location} from schema ${r.from} to ${r.to}: ${r.applied.map((m) => `${m.version} ${m.name}`).join(', ')}`,
      );
    });

  db.command('copy')
    .description(
      'copy the SQLite panel in DATA_DIR into an empty PostgreSQL database: every table and row with its id, sealed values as they are ' +
        '(the same PANEL_SECRET or secret.key opens them), in one transaction, counts checked. ' +
        'The target is --to, or the variable --to-env names, or DATABASE_URL (env or .env), so the password need not be on the command line. ' +
        'Stop `start` first. Copying from PostgreSQL back to SQLite is not supported',
    )
    .option('--to <url>', 'the PostgreSQL database: postgres://user:password@host:5432/database (visible in `ps`: prefer --to-env or DATABASE_URL)')
    .option('--to-env <name>', 'read the target URL from this environment variable (or .env entry)')
    .option('--replace', 'delete the panel data the target already holds instead of refusing it')
    .action(async (o: { to?: string; toEnv?: string; replace?: boolean }) => {
      const c = ctx.config();
      const target = targetUrl(o, ctx, c.databaseUrl);
      const { database } = await import('../../../database.ts');
      const bar = progressBar(ctx.err as NodeJS.WriteStream, ctx.json);
      let r;
      try {
        r = database.copyToPostgres(c.dataDir, target, {
          replace: o.replace === true,
          ...(bar ? { onBatch: (t: string, done: number, total: number) => bar.draw({ done, total, counts: [], note: t }) } : {}),
        });
      } finally {
        bar?.clear();
      }
      ctx.emit({ ...r, ms: Math.round(r.ms) }, () =>
        [
          `copied ${r.source} to ${r.target}${r.replaced ? ' (what it held was deleted first)' : ''}`,
          '',
          table(['table', 'rows'], r.tables.map((t) => [t.table, t.rows])),
          '',
          `${r.rows} rows in ${(r.ms / 1000).toFixed(1)} s (schema created or migrated included); every table's count matches the SQLite panel (schema ${r.schemaVersion}).`,
          'Accounts stay sealed with the same key: run every worker with the same PANEL_SECRET, or with this DATA_DIR/secret.key, and DATABASE_URL set to the target.',
        ].join('\n'),
      );
    });
}

/** The copy's target, never echoed back in an error: it may carry a password. */
function targetUrl(o: { to?: string; toEnv?: string }, ctx: CliContext, databaseUrl: string | undefined): string {
  if (o.to !== undefined && o.toEnv !== undefined) throw new InputError('give --to or --to-env, not both');
  let url: string | undefined;
  let from: string;
  if (o.to !== undefined) {
    url = o.to;
    from = '--to';
  } else if (o.toEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.toEnv)) throw new InputError('--to-env takes the name of an environment variable, e.g. --to-env TARGET_DATABASE_URL');
    url = readEnvironment(ctx.env, join(ctx.cwd, '.env'))[o.toEnv];
    from = o.toEnv;
    if (url === undefined || url === '') throw new InputError(`${o.toEnv} is not set: set it to the PostgreSQL URL to copy into`);
  } else {
    url = databaseUrl;
    from = 'DATABASE_URL';
    if (url === undefined) throw new InputError('say where to copy to: --to <postgres url>, --to-env <variable>, or DATABASE_URL');
  }
  if (!POSTGRES_URL.test(url)) throw new InputError(`${from} is not a postgres:// URL: expected postgres://user:password@host:5432/database`);
  return url;
}
