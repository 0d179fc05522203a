import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { ClaimerInput, ClaimerOutput } from './campaign-claimer.ts';

const SCRIPT = join(import.meta.dirname, 'campaign-claimer.ts');

/** Starts one claimer process per input, lets them go at once, and returns what each claimed. */
export async function runClaimers(inputs: ClaimerInput[]): Promise<ClaimerOutput[]> {
  const children = inputs.map((input) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, JSON.stringify(input)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout });
    const got: string[] = [];
    let waiting: ((l: string) => void) | null = null;
    lines.on('line', (l) => (waiting ? waiting(l) : got.push(l)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const next = (): Promise<string> =>
      got.length > 0
        ? Promise.resolve(got.shift()!)
        : new Promise<string>((resolve, reject) => {
            waiting = (l) => {
              waiting = null;
              resolve(l);
            };
            void exited.then((code) => reject(new Error(`claimer exited (${code}): ${stderr}`)));
          });
    return { child, next, exited };
  });
  for (const c of children) if ((await c.next()) !== 'ready') throw new Error('claimer not ready');
  for (const c of children) c.child.stdin.end('go\n');
  const outs = await Promise.all(children.map(async (c) => JSON.parse(await c.next()) as ClaimerOutput));
  await Promise.all(children.map((c) => c.exited));
  return outs;
}
