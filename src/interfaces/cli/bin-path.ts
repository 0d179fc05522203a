import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The panel's executable, for commands that run a second panel process (the demo's killed
 * campaign). Found by walking up from this module, which sits in src/ when run as TypeScript and
 * in a dist/ chunk when compiled.
 */
export function binPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const bin = join(dir, 'bin', 'telegram-panel.mjs');
    if (existsSync(bin)) return bin;
    const up = dirname(dir);
    if (up === dir) throw new Error(`bin/telegram-panel.mjs was not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}
