import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../../config.ts';
import { InputError } from '../../core/errors.ts';
import { StoreError } from '../../store/db.ts';
import { SecretsError } from '../../store/secrets.ts';
import { CliContext } from './context.ts';
import { COMMANDS } from './commands/index.ts';

export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;

export function buildProgram(out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): { program: Command; ctx: CliContext } {
  const program = new Command('telegram-panel')
    .description('Run a fleet of your own Telegram accounts: bulk actions, campaigns, keyword monitor and an admin bot.')
    .option('--data-dir <dir>', 'where panel.db and secret.key live (default: DATA_DIR or ./data)')
    .option('--sim <world.db>', 'talk to a simulated Telegram world instead of Telegram (same as TELEGRAM_SIM)')
    .addOption(new Option('--json', 'print data as JSON'))
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) })
    .exitOverride();
  const ctx = new CliContext(program, out);
  for (const register of COMMANDS) register(program, ctx);
  // Every subcommand reports usage errors the same way and exits through our handler.
  const configure = (c: Command): void => {
    c.exitOverride().configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) });
    c.showHelpAfterError('(run with --help for usage)');
    c.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  return { program, ctx };
}

/** Maps an error to its exit code and a message without a stack trace for expected failures. */
export function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
    return EXIT.badInput;
  }
  // A data folder, database or key the operator pointed at that cannot be used is bad input too.
  if (e instanceof InputError || e instanceof ConfigError || e instanceof StoreError || e instanceof SecretsError) return EXIT.badInput;
  return EXIT.failure;
}

export async function runCli(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { program } = buildProgram(out, err);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    const code = exitCodeFor(e);
    if (!(e instanceof CommanderError)) {
      const expected = e instanceof InputError || e instanceof ConfigError || e instanceof StoreError || e instanceof SecretsError;
      const text = e instanceof Error ? (expected || !process.env.DEBUG ? e.message : (e.stack ?? e.message)) : String(e);
      err.write(`error: ${text}\n`);
    }
    return code;
  }
}

const isMain = process.argv[1] !== undefined && /telegram-panel(\.mjs)?$|cli[/\\]main\.ts$/.test(process.argv[1]);
if (isMain) {
  process.exitCode = await runCli(process.argv.slice(2));
}
