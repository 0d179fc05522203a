import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, binRun } from './support/cli.ts';
import { tempDir } from './support/tmp.ts';

const ROOT = resolve(import.meta.dirname, '..');
const HASH = '0123456789abcdef0123456789abcdef';

/**
 * Module hooks that record every module the process loads, so a test can say which parts of the
 * panel (source files, through the compiled chunks' source maps) and which packages a command loaded.
 */
function recorder(): { args: string[]; loaded: () => { sources: Set<string>; packages: Set<string> } } {
  const dir = tempDir('tp-hooks-');
  const log = join(dir, 'loaded.txt');
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(log)}, url + '\\n');
  return next(url, context);
}`,
  );
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(new URL(`file://${join(dir, 'hooks.mjs')}`).href)});\n`);
  writeFileSync(log, '');
  return {
    args: ['--import', join(dir, 'register.mjs')],
    loaded() {
      const urls = readFileSync(log, 'utf8').split('\n').filter((u) => u.startsWith('file://'));
      const sources = new Set<string>();
      const packages = new Set<string>();
      for (const url of urls) {
        const path = fileURLToPath(url);
        const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
        if (pkg) packages.add(pkg[1]!);
        else if (path.startsWith(join(ROOT, 'dist')) && existsSync(path + '.map')) {
          const map = JSON.parse(readFileSync(path + '.map', 'utf8')) as { sources: string[] };
          for (const s of map.sources) sources.add(resolve(join(path, '..'), s).slice(ROOT.length + 1));
        }
      }
      return { sources, packages };
    },
  };
}

function runRecorded(args: string[], env: Record<string, string> = {}): { code: number; stderr: string; sources: Set<string>; packages: Set<string> } {
  const rec = recorder();
  const r = binRun(args, env, tempDir(), BIN, rec.args);
  return { code: r.code, stderr: r.stderr, ...rec.loaded() };
}

const commandModules = (sources: Set<string>): string[] => [...sources].filter((s) => s.startsWith('src/interfaces/cli/commands/') && !s.endsWith('index.ts')).sort();
const simModules = (sources: Set<string>): string[] => [...sources].filter((s) => s.startsWith('src/sim/'));

describe('the executable loads only what the command needs', () => {
  it('--help loads no command module, no Telegram client, no bot framework and no database driver', () => {
    const r = runRecorded(['--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(commandModules(r.sources)).toEqual([]);
    expect([...r.packages].filter((p) => p.startsWith('@mtcute/') || p === 'grammy' || p === 'better-sqlite3' || p === 'pino')).toEqual([]);
  });

  it('link loads its own module only', () => {
    const r = runRecorded(['link', 't.me/durov/1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(commandModules(r.sources)).toEqual(['src/interfaces/cli/commands/link.ts']);
  });

  it('reading the store loads neither mtcute, grammY nor the simulator, even with --sim', () => {
    const dataDir = join(tempDir(), 'data');
    for (const args of [['accounts', 'list'], ['campaign', 'list'], ['--sim', join(tempDir(), 'world.db'), 'accounts', 'list']]) {
      const r = runRecorded(['--data-dir', dataDir, ...args]);
      expect(r.code, r.stderr).toBe(0);
      expect([...r.packages].filter((p) => p.startsWith('@mtcute/') || p === 'grammy'), args.join(' ')).toEqual([]);
      expect(simModules(r.sources), args.join(' ')).toEqual([]);
    }
  });

  it('start without --sim never loads the simulator', async () => {
    const rec = recorder();
    const child = spawn(process.execPath, [...rec.args, BIN, 'start', '--no-bot'], {
      env: { PATH: process.env.PATH ?? '', LOG_FORMAT: 'json', API_ID: '1', API_HASH: HASH, DATA_DIR: join(tempDir(), 'data'), WEB_ADDR: '127.0.0.1:0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    let stderr = '';
    child.stderr.setEncoding('utf8');
    await new Promise<void>((ready, fail) => {
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('telegram-panel is running')) ready();
      });
      void exited.then(() => fail(new Error(`start exited before it ran: ${stderr}`)));
    });
    child.kill('SIGTERM');
    await exited;
    const { sources } = rec.loaded();
    expect(sources.has('src/server.ts')).toBe(true);
    expect(simModules(sources)).toEqual([]);
  });
});

describe('the compiled dist/ never runs stale in a checkout', () => {
  /** A checkout of the panel (sources, bin, package.json, a .git folder) sharing this one's node_modules. */
  function checkout(): { root: string; bin: string } {
    const root = tempDir('tp-checkout-');
    for (const part of ['src', 'bin', 'package.json']) cpSync(join(ROOT, part), join(root, part), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    mkdirSync(join(root, '.git'));
    return { root, bin: join(root, 'bin', 'telegram-panel.mjs') };
  }
  const later = (path: string, seconds: number): void => {
    const t = new Date(Date.now() + seconds * 1000);
    utimesSync(path, t, t);
  };

  it('builds a missing dist/, and rebuilds one older than src/ before running', () => {
    const { root, bin } = checkout();
    expect(existsSync(join(root, 'dist'))).toBe(false);
    const first = binRun(['link', 't.me/durov/1', '--json'], {}, root, bin);
    expect(first.code, first.stderr).toBe(0);
    const built = statSync(join(root, 'dist', 'main.js')).mtimeMs;

    // A change to a source the build reads: the next run carries it.
    const link = join(root, 'src', 'interfaces', 'cli', 'commands', 'link.ts');
    appendFileSync(link, "\nexport const STALE_CHECK = 'rebuilt';\n");
    later(link, 5);
    const second = binRun(['link', 't.me/durov/1', '--json'], {}, root, bin);
    expect(second.code, second.stderr).toBe(0);
    expect(statSync(join(root, 'dist', 'main.js')).mtimeMs).toBeGreaterThan(built);
    expect(readFileSync(join(root, 'dist', 'chunks', readdirSync(join(root, 'dist', 'chunks')).find((f) => f.startsWith('link-') && f.endsWith('.js'))!), 'utf8')).toContain('rebuilt');

    // Deleting a source changes only its folder's time.
    const rebuilt = statSync(join(root, 'dist', 'main.js')).mtimeMs;
    const testdata = join(root, 'src', 'sim', 'testdata');
    rmSync(join(testdata, 'crash-child.ts'));
    later(testdata, 10);
    expect(binRun(['--help'], {}, root, bin).code).toBe(0);
    expect(statSync(join(root, 'dist', 'main.js')).mtimeMs).toBeGreaterThan(rebuilt);
  });

  it('refuses to run a stale dist/ it cannot rebuild, saying why', () => {
    const { root, bin } = checkout();
    expect(binRun(['--help'], {}, root, bin).code).toBe(0);
    const link = join(root, 'src', 'interfaces', 'cli', 'commands', 'link.ts');
    appendFileSync(link, '\nexport const = ;\n');
    later(link, 5);
    const r = binRun(['--help'], {}, root, bin);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('dist/ is older than src/ and rebuilding it failed');
    expect(r.stderr).toContain('npm run build');
  });
});

describe('output into a pipe that closes early', () => {
  it('ends quietly with the exit code, as `telegram-panel … | head` expects', async () => {
    // The read end is closed before the process writes, so its first write meets EPIPE.
    const child = spawn(process.execPath, [BIN, 'accounts', '--help'], { cwd: tempDir(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});
