import type { ConnectionOverrideFactory } from '../telegram/client.ts';
import { openWorld } from './world.ts';

/**
 * A world file as the panel's network, for `openApp({ connection })`. The CLI imports this module
 * only with --sim/TELEGRAM_SIM, so production never loads the simulator. Opening refuses a file
 * that is not a world before any account connects.
 */
export function simConnection(path: string): { connection: ConnectionOverrideFactory; close(): void } {
  const world = openWorld(path);
  return { connection: () => world.attach(), close: () => world.close() };
}
