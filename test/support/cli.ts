import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { runCli } from '../../src/interfaces/cli/main.ts';
import { tempDir } from './tmp.ts';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'telegram-panel.mjs');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Collects what a command writes; `isTTY` makes it look like a terminal. */
export class Sink extends Writable {
  text = '';

  constructor(readonly isTTY = false) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

export interface CliOptions {
  /** The working folder, where `.env` is read (default: a fresh empty one). */
  cwd?: string;
  /** Output as if on a terminal. */
  tty?: boolean;
  /** What the command reads on stdin (not a terminal); default: nothing. */
  input?: string;
}

/**
 * Runs a command line in this process through the CLI's entry function, with a clean
 * environment (only `env`, and LOG_LEVEL=silent unless given): parsing, output and exit codes
 * exactly as the executable has them, without starting a process.
 */
export async function cli(args: string[], env: Record<string, string> = {}, opts: CliOptions = {}): Promise<CliRun> {
  const out = new Sink(opts.tty);
  const err = new Sink(opts.tty);
  const stdin = Readable.from(opts.input === undefined ? [] : [opts.input]) as unknown as NodeJS.ReadStream;
  const code = await runCli(args, out, err, { env: { LOG_LEVEL: 'silent', ...env }, cwd: opts.cwd ?? tempDir(), stdin });
  return { code, stdout: out.text, stderr: err.text };
}

/** Runs the real executable in its own process (for what only a process shows: the bin, kills, signals). */
export function binRun(args: string[], env: Record<string, string> = {}, cwd = tempDir(), bin = BIN, nodeArgs: string[] = []): CliRun {
  const r = spawnSync(process.execPath, [...nodeArgs, bin, ...args], {
    encoding: 'utf8',
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', ...env },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
