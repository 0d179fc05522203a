import type { Config } from './config.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { createLogger, type Logger } from './log.ts';
import { openPanelDb, type Db } from './store/db.ts';
import { loadKey, Secrets, verifyKey } from './store/secrets.ts';

/**
 * The composition root: config -> store -> fleet -> services. Interfaces build one App and call
 * its services; nothing below this file knows which interface is driving it.
 */
export interface App {
  config: Config;
  log: Logger;
  clock: Clock;
  db: Db;
  secrets: Secrets;
  close(): Promise<void>;
}

export interface AppOptions {
  log?: Logger;
  clock?: Clock;
}

export function openApp(config: Config, opts: AppOptions = {}): App {
  const log = opts.log ?? createLogger({ level: config.logLevel });
  const db = openPanelDb(config.dataDir);
  let secrets: Secrets;
  try {
    secrets = new Secrets(loadKey(config.dataDir, config.panelSecret, db));
    verifyKey(db, secrets);
  } catch (e) {
    db.close();
    throw e;
  }
  const closers: Array<() => Promise<void> | void> = [];
  return {
    config,
    log,
    clock: opts.clock ?? systemClock,
    db,
    secrets,
    async close() {
      for (const c of closers.reverse()) await c();
      db.close();
    },
  };
}
