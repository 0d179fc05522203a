import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('the admin bot receives its services', () => {
  it('imports nothing from src/store but types: app.ts builds every store and service once', () => {
    const offenders = files('src/interfaces/bot')
      .filter((f) => !f.endsWith('.test.ts'))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .filter((line) => /^import\s(?!type\s).*from\s+'[^']*\/store\//.test(line))
          .map((line) => `${f}: ${line}`),
      );
    expect(offenders).toEqual([]);
  });
});
