import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect } from 'vitest';

const made: string[] = [];
const madeForFile: string[] = [];

/**
 * A fresh temporary folder, removed after the current test; one made outside a test (in
 * `beforeAll`, for a panel that every test of a file shares) is removed after the file's tests.
 */
export function tempDir(prefix = 'tp-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  (expect.getState().currentTestName === undefined ? madeForFile : made).push(dir);
  return dir;
}

afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

afterAll(() => {
  for (const d of madeForFile.splice(0)) rmSync(d, { recursive: true, force: true });
});
