import type { PacingConfig } from '../../config.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../log.ts';
import type { Db } from '../../store/db.ts';
import type { Secrets } from '../../store/secrets.ts';
import type { BotServices } from './services.ts';

/**
 * What the bot needs from the app. `services` are the same engine services the CLI calls; a
 * menu whose service is absent says so instead of failing.
 */
export interface BotDeps {
  log: Logger;
  clock: Clock;
  db: Db;
  secrets: Secrets;
  pacing: PacingConfig;
  services: BotServices;
}
