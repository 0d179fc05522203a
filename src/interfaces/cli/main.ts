import { Command, CommanderError, Help, Option } from 'commander';
import { ConfigError } from '../../config.ts';
import { InputError, PanelError } from '../../core/errors.ts';
import { forTerminal } from '../../core/text.ts';
import { CliContext } from './context.ts';
import { COMMANDS, type CommandGroup, type RegisterCommand } from './commands/index.ts';

export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;

/** Where a run reads its environment and `.env` from (tests run many CLIs in one process). */
export interface CliEnvironment {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where answers (codes, passwords, confirmations) are read from; default process.stdin. */
  stdin?: NodeJS.ReadStream;
}

/** Global options that take a value, so the command's name is not mistaken for it. */
const VALUE_OPTIONS = new Set(['--data-dir', '--sim']);

/** Thrown by a group that was registered without its module: parse again with it loaded. */
class LoadGroup extends Error {
  constructor(readonly group: CommandGroup) {
    super(`command group ${group.name} is not loaded`);
  }
}

/**
 * Builds the program. Groups in `loaded` are fully registered; the others only by name and
 * description (enough for the top-level help), so --help imports no command module.
 */
export function buildProgram(
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  loaded: ReadonlyMap<string, RegisterCommand> = new Map(),
  json = false,
  where: CliEnvironment = {},
): { program: Command; ctx: CliContext } {
  // With --json a usage error becomes the JSON line runCli prints, not commander's text.
  const output = {
    writeOut: (s: string) => void out.write(s),
    writeErr: (s: string) => void err.write(forTerminal(s)),
    outputError: (s: string, write: (s: string) => void) => (json ? undefined : write(s)),
  };
  const program = new Command('telegram-panel')
    .description('Run a fleet of your own Telegram accounts: bulk actions, campaigns, keyword monitor and an admin bot.')
    .option('--data-dir <dir>', 'where panel.db and secret.key live (default: DATA_DIR or ./data)')
    .option('--sim <world.db>', 'talk to a simulated Telegram world instead of Telegram (same as TELEGRAM_SIM)')
    .addOption(new Option('--json', 'print data as JSON'))
    .configureOutput(output)
    .exitOverride();
  if (!json) program.showHelpAfterError('(run with --help for usage)');
  const usage = new Map<Command, string>();
  const ctx = new CliContext(program, out, err, where.env ?? process.env, where.cwd ?? process.cwd(), where.stdin ?? process.stdin);
  for (const group of COMMANDS) {
    const command = program.command(group.name).description(group.description);
    const register = loaded.get(group.name);
    if (register) {
      register(command, ctx);
      continue;
    }
    usage.set(command, group.usage ?? '');
    command
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        throw new LoadGroup(group);
      });
  }
  program.configureHelp({
    subcommandTerm: (c) => (usage.has(c) ? `${c.name()} ${usage.get(c)}`.trim() : new Help().subcommandTerm(c)),
  });
  // Every subcommand reports usage errors the same way and exits through our handler.
  const configure = (c: Command): void => {
    c.exitOverride().configureOutput(output);
    if (!json) c.showHelpAfterError('(run with --help for usage)');
    c.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  return { program, ctx };
}

/** The group the arguments name (`help <group>` included), found without parsing: only it is loaded. */
export function groupNamed(argv: readonly string[]): CommandGroup | undefined {
  const operands: string[] = [];
  for (let i = 0; i < argv.length && operands.length < 2; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    operands.push(a);
  }
  const name = operands[0] === 'help' ? operands[1] : operands[0];
  return COMMANDS.find((g) => g.name === name);
}

/** Whether --json was given (before any `--`), known even when parsing fails. */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** Maps an error to its exit code: usage errors and unusable input exit 2, anything else 1. */
export function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
    return EXIT.badInput;
  }
  // ConfigError, StoreError and SecretsError are InputErrors: a configuration, data folder or key that cannot be used.
  if (e instanceof InputError) return EXIT.badInput;
  return EXIT.failure;
}

/** The error as people read it: expected failures without a stack trace (DEBUG shows the rest). */
function describeError(e: unknown): { error: string; problems: string[] } {
  if (e instanceof CommanderError) return { error: e.message.replace(/^error: /, ''), problems: [] };
  if (e instanceof ConfigError) return { error: e.summary, problems: e.problems };
  if (!(e instanceof Error)) return { error: String(e), problems: [] };
  const expected = e instanceof InputError || e instanceof PanelError;
  return { error: expected || !process.env.DEBUG ? e.message : (e.stack ?? e.message), problems: [] };
}

/** Runs one command line and returns its exit code; the bin and in-process tests both come here. */
export async function runCli(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  where: CliEnvironment = {},
): Promise<number> {
  const json = wantsJson(argv);
  let group = groupNamed(argv);
  for (;;) {
    const loaded = new Map<string, RegisterCommand>();
    if (group) loaded.set(group.name, await group.load());
    const { program } = buildProgram(out, err, loaded, json, where);
    try {
      await program.parseAsync(argv, { from: 'user' });
      return EXIT.ok;
    } catch (e) {
      // The arguments named a group in a way the quick look missed (commander decides): load it and parse again.
      if (e instanceof LoadGroup && e.group !== group) {
        group = e.group;
        continue;
      }
      const code = exitCodeFor(e);
      if (code === EXIT.ok) return code;
      const { error, problems } = describeError(e);
      if (json) err.write(JSON.stringify({ error, problems }) + '\n');
      else if (!(e instanceof CommanderError)) err.write(forTerminal(`error: ${e instanceof ConfigError ? e.message : error}`) + '\n');
      return code;
    }
  }
}

// `tsx src/interfaces/cli/main.ts …` in development; the bin calls runCli itself.
if (process.argv[1] !== undefined && /cli[/\\]main\.ts$/.test(process.argv[1])) {
  process.exitCode = await runCli(process.argv.slice(2));
}
