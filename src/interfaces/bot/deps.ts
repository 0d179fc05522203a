import type { Clock } from '../../core/clock.ts';
import type { PacingSettings } from '../../engine/pacing-settings.ts';
import type { Logger } from '../../log.ts';
import type { BotStore } from '../../store/bot.ts';
import type { BotServices } from './services.ts';

/**
 * What the bot needs from the app, all built there (`botDeps`). `services` are the same engine
 * services the CLI calls; a menu whose service is absent says so instead of failing.
 */
export interface BotDeps {
  log: Logger;
  clock: Clock;
  /** The bot's own state: admins' language, live menu message, conversation steps, refusals. */
  state: BotStore;
  /** The pacing in force; Settings changes it and new work reads it. */
  pacing: PacingSettings;
  services: BotServices;
}
