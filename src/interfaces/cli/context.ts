import type { Command } from 'commander';
import { openApp, type App } from '../../app.ts';
import { InputError } from '../../core/errors.ts';
import { loadConfig, readEnvironment, type Config, type ConfigNeed } from '../../config.ts';
import { createLogger, type Logger } from '../../log.ts';

/** Options every command inherits from the program. */
export interface GlobalOptions {
  dataDir?: string;
  sim?: string;
  json?: boolean;
}

/** What a command handler gets: configuration on demand, the app, and output helpers. */
export class CliContext {
  private cachedLog: Logger | undefined;

  constructor(
    readonly program: Command,
    readonly out: NodeJS.WritableStream = process.stdout,
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get globals(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  get json(): boolean {
    return this.globals.json === true;
  }

  /** Loads the configuration, validating only what this command needs. */
  config(needs: readonly ConfigNeed[] = []): Config {
    const env = readEnvironment(this.env);
    const g = this.globals;
    // An empty option would silently fall back to ./data or to real Telegram.
    if (g.dataDir?.trim() === '') throw new InputError('--data-dir is empty: give the folder that holds (or will hold) panel.db');
    if (g.sim?.trim() === '') throw new InputError('--sim is empty: give a world file made by `telegram-panel sim create <world.db>`');
    if (g.dataDir !== undefined) env.DATA_DIR = g.dataDir;
    if (g.sim !== undefined) env.TELEGRAM_SIM = g.sim;
    // A simulated world needs no API credentials.
    const effective = env.TELEGRAM_SIM ? needs.filter((n) => n !== 'telegram') : needs;
    return loadConfig(env, effective);
  }

  log(config?: Config): Logger {
    this.cachedLog ??= createLogger({ level: config?.logLevel ?? 'info' });
    return this.cachedLog;
  }

  /** Opens the app for the duration of `fn` and always closes it. */
  async withApp<T>(needs: readonly ConfigNeed[], fn: (app: App) => Promise<T>): Promise<T> {
    const config = this.config(needs);
    const app = openApp(config, { log: this.log(config) });
    try {
      return await fn(app);
    } finally {
      await app.close();
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
