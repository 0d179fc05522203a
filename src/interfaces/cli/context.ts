import { join } from 'node:path';
import type { Command } from 'commander';
import type { App, AppOptions } from '../../app.ts';
import type { ActionSpec } from '../../core/actions.ts';
import type { AccountChoice } from './commands/act.ts';
import { InputError } from '../../core/errors.ts';
import { checkConfig, readEnvironment, type Config, type ConfigNeed } from '../../config.ts';
import type { Logger } from '../../log.ts';

/** Options every command inherits from the program. */
export interface GlobalOptions {
  dataDir?: string;
  sim?: string;
  json?: boolean;
}

/**
 * What a schedulable command parsed (`schedule add … -- <command>`), before anything is opened:
 * account names are resolved when the schedule is stored.
 */
export type CapturedCommand =
  | { kind: 'act'; spec: ActionSpec; choice: AccountChoice }
  | { kind: 'campaign-run'; name: string }
  | { kind: 'accounts-check'; refs: string[]; spam: boolean; tag?: string };

/** What a command handler gets: configuration on demand, the app, and output helpers. */
export class CliContext {
  private cachedLog: Logger | undefined;
  private warned = new Set<string>();
  /**
   * Set while `schedule add` reads its command with the same parser: a schedulable command hands
   * over what it parsed here instead of running it.
   */
  capture: ((command: CapturedCommand) => void) | undefined;

  constructor(
    readonly program: Command,
    readonly out: NodeJS.WritableStream = process.stdout,
    readonly err: NodeJS.WritableStream = process.stderr,
    readonly env: NodeJS.ProcessEnv = process.env,
    /** Where `.env` is read from. */
    readonly cwd: string = process.cwd(),
    /** Where answers are read from (tests give their own). */
    readonly stdin: NodeJS.ReadStream = process.stdin,
  ) {}

  get globals(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  get json(): boolean {
    return this.globals.json === true;
  }

  /**
   * Loads the configuration, validating only what this command needs. A malformed variable it
   * does not need is ignored with a warning (`config check` reports it as a problem).
   */
  config(needs: readonly ConfigNeed[] = []): Config {
    const env = readEnvironment(this.env, join(this.cwd, '.env'));
    const g = this.globals;
    // An empty option would silently fall back to ./data or to real Telegram.
    if (g.dataDir?.trim() === '') throw new InputError('--data-dir is empty: give the folder that holds (or will hold) panel.db');
    if (g.sim?.trim() === '') throw new InputError('--sim is empty: give a world file made by `telegram-panel sim create <world.db>`');
    if (g.dataDir !== undefined) env.DATA_DIR = g.dataDir;
    if (g.sim !== undefined) env.TELEGRAM_SIM = g.sim;
    const { config, ignored } = checkConfig(env, needs);
    for (const problem of ignored) {
      if (this.warned.has(problem)) continue;
      this.warned.add(problem);
      this.warn(`${problem} (not used by this command; \`config check\` lists every problem)`);
    }
    return config;
  }

  /** A warning line on stderr: readable text, or a JSON line with --json. */
  warn(text: string): void {
    this.err.write(this.json ? JSON.stringify({ warning: text }) + '\n' : `warning: ${text}\n`);
  }

  /** The command's logger, on stderr (stdout carries the data); see log.ts for the format. */
  async log(config?: Config, longRunning = false): Promise<Logger> {
    if (this.cachedLog) return this.cachedLog;
    const { cliLogger } = await import('../../log.ts');
    const log = cliLogger({ level: config?.logLevel ?? 'info', format: config?.logFormat, destination: this.err, longRunning });
    this.cachedLog = log;
    return log;
  }

  /**
   * Opens the app for the duration of `fn` and always closes it. The simulator is chosen here,
   * at the edge: with --sim/TELEGRAM_SIM its world is opened (and its module loaded) only for
   * commands that connect.
   */
  async withApp<T>(needs: readonly ConfigNeed[], fn: (app: App) => Promise<T>): Promise<T> {
    // A command read for a schedule never acts now, whatever it is.
    if (this.capture) throw new InputError('this command cannot be scheduled: give act …, campaign run <name> or accounts check …');
    const config = this.config(needs);
    const { openApp } = await import('../../app.ts');
    const sim = config.simWorld && needs.includes('telegram') ? (await import('../../sim/connection.ts')).simConnection(config.simWorld) : undefined;
    let app: App;
    try {
      app = openApp(config, { log: await this.log(config), ...(sim ? { connection: sim.connection } : {}) } satisfies AppOptions);
    } catch (e) {
      sim?.close();
      throw e;
    }
    try {
      return await fn(app);
    } finally {
      await app.close();
      sim?.close();
    }
  }

  print(text: string): void {
    this.out.write(text.endsWith('\n') ? text : text + '\n');
  }

  /** Prints data as JSON with --json, else as the human form. */
  emit(data: unknown, human: () => string): void {
    this.print(this.json ? JSON.stringify(data, null, 2) : human());
  }
}
