import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { openApp, type App, type AppOptions } from '../../src/app.ts';
import { isTelegramFailure, type Failure } from '../../src/core/failures.ts';
import { parseLink, toJoinTarget, toMessageTarget } from '../../src/core/links.ts';
import type { JoinTarget, MessageTarget } from '../../src/core/session.ts';
import { OperationStore, type OperationSelection } from '../../src/store/operations.ts';
import { openSqlite } from '../../src/store/db.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { createAndOpenWorld, type CreateWorldOptions } from '../../src/sim/create.ts';
import type { SimWorld, WorldSummary } from '../../src/sim/world.ts';
import { tempDir } from './tmp.ts';

/** A data folder and a simulated world, and Apps opened over them (closed after the test by the caller). */
export interface SimPanel {
  dir: string;
  worldPath: string;
  world: SimWorld;
  summary: WorldSummary;
  config: Config;
  env: Record<string, string>;
  open(opts?: AppOptions): App;
  close(): Promise<void>;
}

export function simPanel(world: CreateWorldOptions = {}, env: Record<string, string> = {}): SimPanel {
  const dir = tempDir('tp-panel-');
  const worldPath = join(dir, 'world.db');
  const created = createAndOpenWorld(worldPath, { accounts: 3, users: 10, groups: 4, seed: 7, ...world });
  const fullEnv = { DATA_DIR: join(dir, 'data'), TELEGRAM_SIM: worldPath, PANEL_SECRET: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent', WEB_ADDR: '127.0.0.1:0', ...env };
  const config = loadConfig(fullEnv);
  const apps: App[] = [];
  return {
    dir,
    worldPath,
    world: created.world,
    summary: created.summary,
    config,
    env: fullEnv,
    open(opts: AppOptions = {}) {
      const app = openApp(config, { log: silentLogger, connection: () => created.world.attach(), ...opts });
      apps.push(app);
      return app;
    },
    async close() {
      for (const a of apps.splice(0)) await a.close().catch(() => undefined);
      created.world.close();
    },
  };
}

/** Enrols a simulated account through the real login path; returns its id. */
export async function enrol(app: App, acc: { phone: string; code: string; password: string | null }): Promise<number> {
  const start = await app.logins.start(acc.phone);
  if (start.step !== 'code') throw new Error(JSON.stringify(start));
  let step = await app.logins.code(start.loginId, acc.code);
  if (step.step === 'password') step = await app.logins.password(step.loginId, acc.password ?? '');
  if (step.step !== 'done') throw new Error(JSON.stringify(step));
  return step.account.id;
}

/** The failure a promise rejects with (fails the test when it resolves or throws something else). */
export async function failureOf(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (e) {
    if (isTelegramFailure(e)) return e.failure;
    throw e;
  }
  throw new Error('expected a failure');
}

/** The message a link names, for tests that build action specs from world links. */
export function messageTarget(link: string): MessageTarget {
  const p = parseLink(link);
  if (!p.ok) throw new Error(p.error);
  const t = toMessageTarget(p.link);
  if ('error' in t) throw new Error(t.error);
  return t;
}

/** The chat a link joins, for tests that join world chats. */
export function joinTarget(link: string): JoinTarget {
  const p = parseLink(link);
  if (!p.ok) throw new Error(p.error);
  const t = toJoinTarget(p.link);
  if ('error' in t) throw new Error(t.error);
  return t;
}

/** Joins the chat of `link` with the selected accounts through the operations engine; throws unless all joined. */
export async function joinWith(app: App, link: string, selection: OperationSelection): Promise<void> {
  const r = await app.operations.runOperation({ kind: 'join', target: joinTarget(link) }, selection, { actor: 'test' });
  if (r.summary.failed > 0) throw new Error(`${r.summary.failed} account(s) could not join ${link}`);
}

/** How many operations the panel in `dir` has recorded, read as another process would (read-only). */
export function storedOperations(dir: string): number {
  const db = openSqlite(join(dir, 'data', 'panel.db'), { readonly: true });
  try {
    return new OperationStore(db).list().length;
  } finally {
    db.close();
  }
}
