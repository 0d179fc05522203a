#!/usr/bin/env node
// Runs the compiled panel (dist/, built by `npm ci` through the prepare script). In a checkout,
// where src/ can change after the build, a dist/ older than src/ is rebuilt first (about 0.1 s),
// so the bin never runs code that differs from the sources beside it.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

if (existsSync(new URL('../.git', import.meta.url)) || !existsSync(new URL('../dist/main.js', import.meta.url))) {
  const { build, distIsStale } = await import('./build.mjs');
  if (distIsStale()) {
    try {
      await build();
    } catch (e) {
      process.stderr.write(
        `error: dist/ is older than src/ and rebuilding it failed (run \`npm run build\` to see why):\n${e instanceof Error ? e.message : String(e)}\n`,
      );
      process.exit(1);
    }
  }
}
if (process.env.DEBUG) process.setSourceMapsEnabled(true);
// `telegram-panel … | head` closes the pipe early: that ends the output, not in a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
const { runCli } = await import('../dist/main.js');
process.exitCode = await runCli(process.argv.slice(2));
