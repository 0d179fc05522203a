/**
 * A panel process reduced to the monitor's forwarding path, for the crash test: it delivers one
 * hit through five accounts, drains the outbox into the Bot API at `apiRoot`, prints `drained`
 * and exits. Usage: node --import tsx test/monitor/forward-child.ts <panel.db> <apiRoot>
 */
import { systemClock } from '../../src/core/clock.ts';
import { Monitor } from '../../src/engine/monitor.ts';
import { OutboxSender } from '../../src/engine/outbox-sender.ts';
import { createBotForwarder } from '../../src/interfaces/bot/forwarder.ts';
import { silentLogger } from '../../src/log.ts';
import { openSqlite } from '../../src/store/db.ts';
import { MonitorStore } from '../../src/store/monitor.ts';
import { TOKEN } from '../support/fake-bot-api.ts';
import { MessageSession } from '../support/message-session.ts';

const CHANNEL = '-1009999999999';
const HIT_TEXT = 'selling USDT, contact me';

const [dbPath, apiRoot] = process.argv.slice(2);
if (dbPath === undefined || apiRoot === undefined) throw new Error('usage: forward-child.ts <panel.db> <apiRoot>');

const db = openSqlite(dbPath);
const store = new MonitorStore(db);
if (store.keywords().length === 0) store.addKeyword('usdt', 'plain', 'usdt', Date.now());
const sender = new OutboxSender(store, createBotForwarder(TOKEN, CHANNEL, { apiRoot }), systemClock, silentLogger, { minIntervalMs: 0 });
const monitor = new Monitor({ store, clock: systemClock, log: silentLogger, channel: { id: Number(CHANNEL) }, onQueued: () => sender.wake() });
for (let id = 1; id <= 5; id++) {
  const session = new MessageSession(id, 1000 + id);
  monitor.attach(id, session, { userId: 1000 + id });
  session.deliver({
    chat: { id: -1001234567890, kind: 'supergroup', title: 'Traders', username: null },
    messageId: 501,
    sender: { id: 555, name: 'Sara', username: null, isBot: false },
    text: HIT_TEXT,
    date: Date.now(),
  });
}
sender.start();
process.stdout.write('started\n');
const timer = setInterval(() => {
  if (store.outboxSummary().pending > 0) return;
  clearInterval(timer);
  void sender.stop().then(async () => {
    await monitor.close();
    db.close();
    process.stdout.write('drained\n');
  });
}, 20);
