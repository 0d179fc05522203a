/**
 * A second telegram-panel process for the lease test: opens the panel on the given data folder
 * and world, connects one account, says so, and keeps the connection until it is killed.
 */
import { openApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';

const [env, id] = [JSON.parse(process.argv[2]!) as Record<string, string>, Number(process.argv[3])];
const app = openApp(loadConfig(env), { log: silentLogger });
try {
  await app.fleet.session(id);
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
