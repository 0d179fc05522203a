import { randomBytes } from 'node:crypto';
import { writeStringSession } from '@mtcute/core/utils.js';
import { openApp } from '../../src/app.ts';
import type { Config } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { authKeyIdOf } from '../../src/sim/mtproto/wire.ts';
import { openWorld } from '../../src/sim/world.ts';
import type { WorldSummary } from '../../src/sim/index.ts';
import type { SessionSnapshot } from '../../src/store/sessions.ts';
import { PRODUCTION_DCS } from '../../src/telegram/import.ts';
import { layOut } from '../../src/telegram/login.ts';

/**
 * Stores a session for every account of a simulated world in the panel's data folder, made
 * directly (a random auth key per account, authorised in the world) instead of phone logins,
 * which would take minutes of key exchanges for hundreds of accounts. A start then restores
 * them exactly as it restores real ones.
 */
export async function storeSimSessions(config: Config, worldPath: string, summary: WorldSummary): Promise<void> {
  const world = openWorld(worldPath);
  const setup = openApp(config, { log: silentLogger, connection: () => world.attach() });
  try {
    const template = await layOut(
      { apiId: 1, apiHash: 'x', log: silentLogger },
      writeStringSession({ version: 3, primaryDcs: PRODUCTION_DCS[2]!, authKey: randomBytes(256), self: null }),
    );
    const kv = template.kv.filter((e) => e.key !== 'self');
    const authorise = world.db.prepare("INSERT INTO authorizations (key_id, user_id, state, created_at, updated_at) VALUES (?, ?, 'active', ?, ?)");
    const now = world.now();
    world.db.transaction(() => {
      for (const acc of summary.accounts) {
        const key = randomBytes(256);
        const user = world.account(acc.phone);
        authorise.run(Buffer.from(authKeyIdOf(key)).toString('hex'), user.id, now, now);
        const snapshot: SessionSnapshot = { authKeys: [{ dc: 2, key }], kv };
        setup.accounts.create({ phone: acc.phone, userId: user.id, username: acc.username, firstName: acc.username }, snapshot, setup.clock.now());
      }
    })();
  } finally {
    await setup.close();
    world.close();
  }
}
