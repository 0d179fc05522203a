/**
 * Child process for the crash test: logs in as a fleet account and sends private messages as
 * fast as it can, printing one line per send the simulator acknowledged, until it is killed.
 * Usage: node --import tsx crash-child.ts <world.db> <phone> <username>...
 */
import { loggedInClient } from '../client.ts';
import { openWorld } from '../world.ts';

const [path, phone, ...targets] = process.argv.slice(2);
if (!path || !phone || targets.length === 0) throw new Error('usage: crash-child <world.db> <phone> <username>...');
const world = openWorld(path);
const c = await loggedInClient(world, phone, { disableUpdates: true });
process.stdout.write('READY\n');
for (let i = 0; ; i++) {
  const to = targets[i % targets.length]!;
  const text = `crash-test message ${i}`;
  await c.client.sendText(to, text);
  process.stdout.write(`ACK ${to} ${text}\n`);
}
