import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp, type App } from '../../../app.ts';
import { loadConfig } from '../../../config.ts';
import { PanelError } from '../../../core/errors.ts';
import type { RunReport } from '../../../engine/campaigns.ts';
import { silentLogger } from '../../../log.ts';
import type { WorldSummary } from '../../../sim/index.ts';
import { binPath } from '../bin-path.ts';

const MESSAGE = 'Hi! This is the Telegram Panel campaign demo.';

export interface CampaignDemoResult {
  dir: string;
  world: string;
  targets: number;
  /** Deliveries when the first process was killed. */
  killedAfter: number;
  report: RunReport;
  deliveries: number;
  /** People who got the message more than once (always empty). */
  duplicates: string[];
}

async function enrol(app: App, summary: WorldSummary): Promise<void> {
  for (const acc of summary.accounts) {
    const start = await app.logins.start(acc.phone);
    if (start.step !== 'code') throw new PanelError(`demo login of ${acc.phone} failed: ${JSON.stringify(start)}`);
    let step = await app.logins.code(start.loginId, acc.code);
    if (step.step === 'password') step = await app.logins.password(step.loginId, acc.password ?? '');
    if (step.step !== 'done') throw new PanelError(`demo login of ${acc.phone} failed: ${JSON.stringify(step)}`);
  }
}

/**
 * The campaign part of the demo, on a temporary simulated world: enrol the accounts, start
 * `campaign run` in a child process, kill it with SIGKILL midway, resume here, and report.
 */
export async function campaignDemo(seed: string, say: (line: string) => void): Promise<CampaignDemoResult> {
  const dir = mkdtempSync(join(tmpdir(), 'telegram-panel-campaign-demo-'));
  const world = join(dir, 'world.db');
  // The simulator is loaded only by the commands that use it.
  const { createWorld, openWorld } = await import('../../../sim/index.ts');
  const summary = createWorld(world, { seed, accounts: 4, users: 60, groups: 1 });
  const env: Record<string, string> = { ...(process.env as Record<string, string>), DATA_DIR: join(dir, 'data'), TELEGRAM_SIM: world, LOG_LEVEL: 'silent' };
  const config = loadConfig(env);
  const targets = [...summary.usernames.slice(0, 30), ...summary.missingUsernames.slice(0, 2)];

  const w = openWorld(world);
  const connection = (): ReturnType<typeof w.attach> => w.attach();
  let app = openApp(config, { log: silentLogger, connection });
  try {
    await enrol(app, summary);
    app.campaigns.create({
      name: 'demo',
      message: MESSAGE,
      targets: targets.join('\n'),
      perAccountCap: 20,
      dailyCap: 100,
      delaySeconds: { min: 0.2, max: 0.6 },
    });
  } finally {
    await app.close();
  }
  say(`${summary.accounts.length} simulated accounts enrolled; campaign "demo" created for ${targets.length} targets (world: ${world})`);

  let killedAfter = 0;
  try {
    const child = spawn(process.execPath, [binPath(), 'campaign', 'run', 'demo'], { env, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let gone = false;
    void exited.then(() => (gone = true));
    const deadline = Date.now() + 60_000;
    while (!gone && w.deliveries().length < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await exited;
    killedAfter = w.deliveries().length;
    say(`the sending process (pid ${child.pid}) was killed with SIGKILL after ${killedAfter} messages; resuming here`);

    app = openApp(config, { log: silentLogger, connection });
    let report: RunReport;
    try {
      report = await app.campaigns.run('demo');
    } finally {
      await app.close();
    }
    const log = w.deliveries().filter((d) => d.text === MESSAGE);
    const seen = new Map<string, number>();
    for (const d of log) seen.set(d.to ?? String(d.toId), (seen.get(d.to ?? String(d.toId)) ?? 0) + 1);
    const duplicates = [...seen.entries()].filter(([, n]) => n > 1).map(([u]) => u);
    return { dir, world, targets: targets.length, killedAfter, report, deliveries: log.length, duplicates };
  } finally {
    w.close();
  }
}
