import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CampaignService } from '../src/engine/campaigns.ts';
import { runCli } from '../src/interfaces/cli/main.ts';
import { silentLogger } from '../src/log.ts';
import { ADMIN, harness, type Harness } from './bot/harness.ts';
import { enrol, simPanel, type SimPanel } from './support/sim-panel.ts';
import { tempDir } from './support/tmp.ts';

/** The CLI's entry function in this process, with stdout and stderr captured. */
async function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  let stdout = '';
  let stderr = '';
  const sink = (f: (s: string) => void): Writable => new Writable({ write: (c: Buffer, _e, cb) => (f(c.toString()), cb()) });
  const code = await runCli(args, sink((s) => (stdout += s)), sink((s) => (stderr += s)));
  vi.unstubAllEnvs();
  return { code, stdout, stderr };
}

let panel: SimPanel | undefined;
let h: Harness | undefined;
afterEach(async () => {
  h?.db.close();
  h = undefined;
  await panel?.close();
  panel = undefined;
});

describe('campaign export: one exporter behind the CLI and the bot', () => {
  it('gives byte-identical CSV and JSON from `campaign export` and from the bot, with phones and ids as they are', async () => {
    panel = simPanel({ accounts: 2, users: 6, groups: 1, seed: 23 }, { CAMPAIGN_DELAY: '0-0' });
    const app = panel.open();
    for (const acc of panel.summary.accounts) await enrol(app, acc);
    const svc = new CampaignService({ db: app.db, pool: app.fleet, clock: app.clock, pacing: app.config.pacing, log: silentLogger });
    const targets = [...panel.summary.usernames.slice(0, 3), panel.summary.missingUsernames[0]!];
    svc.create({ name: 'Export me', message: 'hello', targets: targets.join('\n'), delaySeconds: { min: 0, max: 0 } });
    const report = await svc.run('Export me');
    expect(report.counts.sent).toBe(3);

    h = harness({ dir: panel.config.dataDir, services: { campaigns: svc } });
    await h.text('/start');
    await h.press('Campaigns');
    await h.press('Export me');
    const fromBot: Record<string, Buffer> = {};
    for (const format of ['csv', 'json'] as const) {
      await h.press(`Export ${format.toUpperCase()}`);
      const doc = h.api.chat(ADMIN.id).filter((m) => m.document).at(-1)!.document!;
      expect(doc.fileName).toBe(`campaign-Export_me.${format}`);
      fromBot[format] = doc.content;
    }
    await app.close();

    for (const format of ['csv', 'json'] as const) {
      const printed = await cli(panel.env, 'campaign', 'export', 'Export me', '--format', format);
      expect(printed.code, printed.stderr).toBe(0);
      expect(Buffer.from(printed.stdout, 'utf8').equals(fromBot[format]!), `${format}:\n${printed.stdout}\n---\n${fromBot[format]!.toString()}`).toBe(true);
      const file = join(panel.dir, `out.${format}`);
      const written = await cli(panel.env, 'campaign', 'export', 'Export me', '--format', format, '--out', file);
      expect(written.code, written.stderr).toBe(0);
      expect(readFileSync(file).equals(fromBot[format]!)).toBe(true);
    }
    const csv = fromBot.csv!.toString('utf8');
    for (const a of panel.summary.accounts) {
      if (csv.includes(a.phone)) expect(csv).not.toContain(`'${a.phone}`);
    }
    expect(csv).toMatch(new RegExp(`,\\+\\d+,`));
  }, 60_000);
});

describe('campaign export --out refuses to destroy files (exit 2, nothing written)', () => {
  it('refuses an existing file without --force, the data folder\'s database and key even with --force, and replaces with --force', async () => {
    const root = tempDir();
    const data = join(root, 'data');
    const env = { DATA_DIR: data, LOG_LEVEL: 'silent' };
    writeFileSync(join(root, 't.txt'), 'alice_one bob_two');
    const created = await cli(env, 'campaign', 'create', 'c1', '--message', 'hi', '--targets', join(root, 't.txt'));
    expect(created.code, created.stderr).toBe(0);
    const snapshot = (): Record<string, number> => Object.fromEntries(readdirSync(data).map((f) => [f, statSync(join(data, f)).mtimeMs]));

    const existing = join(root, 'keep.csv');
    writeFileSync(existing, 'precious');
    const before = snapshot();
    const refusals: Array<[string[], RegExp]> = [
      [['--out', existing], /keep\.csv already exists; add --force/],
      [['--out', join(data, 'panel.db')], /the panel's database .*never writes there/],
      [['--out', join(data, 'panel.db'), '--force'], /the panel's database/],
      [['--out', join(data, 'panel.db-wal'), '--force'], /the panel's database/],
      [['--out', join(data, 'secret.key'), '--force'], /the panel's encryption key/],
      [['--out', join(data, '..', 'data', 'secret.key'), '--force'], /the panel's encryption key/],
      [['--force'], /--force only applies with --out/],
    ];
    for (const [args, message] of refusals) {
      const r = await cli(env, 'campaign', 'export', 'c1', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    expect(readFileSync(existing, 'utf8')).toBe('precious');
    expect(snapshot()).toEqual(before);
    expect(existsSync(join(data, 'panel.db'))).toBe(true);

    const forced = await cli(env, 'campaign', 'export', 'c1', '--out', existing, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(existing, 'utf8')).toMatch(/^username,outcome,account_id,account,time,error\nalice_one,pending/);
    expect(readdirSync(root).sort()).toEqual(['data', 'keep.csv', 't.txt']);
  });
});

describe('a botched restore', () => {
  it('refuses an empty panel.db beside secret.key with exit 2, saying what it found, and writes nothing', async () => {
    const data = join(tempDir(), 'data');
    const env = { DATA_DIR: data, LOG_LEVEL: 'silent' };
    expect((await cli(env, 'campaign', 'list')).code).toBe(0);
    const key = readFileSync(join(data, 'secret.key'));
    // The restore copied the key but the database came over empty.
    writeFileSync(join(data, 'panel.db'), '');
    for (const f of ['panel.db-wal', 'panel.db-shm']) if (existsSync(join(data, f))) writeFileSync(join(data, f), '');
    const r = await cli(env, 'campaign', 'list');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/panel\.db is empty \(0 bytes\) but .*secret\.key exists.*unfinished restore/);
    expect(r.stderr).not.toContain(key.toString('utf8').trim());
    expect(statSync(join(data, 'panel.db')).size).toBe(0);
    expect(readFileSync(join(data, 'secret.key')).equals(key)).toBe(true);
  });
});
