/**
 * A second telegram-panel process for the lease test: opens the panel on the given data folder
 * and world, connects the accounts given (`1,2`), says so, and keeps the connection until it is killed.
 */
import { openApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { simConnection } from '../../src/sim/connection.ts';

const [env, ids] = [JSON.parse(process.argv[2]!) as Record<string, string>, process.argv[3]!.split(',').map(Number)];
const app = openApp(loadConfig(env), { log: silentLogger, connection: simConnection(env.TELEGRAM_SIM!).connection });
try {
  for (const id of ids) await app.fleet.session(id);
  process.stdout.write(`held ${process.pid}\n`);
} catch (e) {
  process.stdout.write(`refused ${e instanceof Error ? e.message : String(e)}\n`);
  await app.close();
  process.exit(3);
}
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
setInterval(() => undefined, 60_000);
