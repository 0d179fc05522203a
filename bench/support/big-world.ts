import { createWorld, WORLD_EPOCH } from '../../src/sim/create.ts';
import type { WorldSummary } from '../../src/sim/index.ts';
import { openWorld } from '../../src/sim/world.ts';

/**
 * A simulated world with only fleet accounts, as many as asked. `createWorld` stops at 1,000
 * accounts (the `sim create` command's limit); the rest are added here as the same kind of
 * 'fleet' user rows it writes (no devices, contacts or password), numbered on from its last one
 * so ids, phones and usernames never collide with its own.
 */
export function createFleetWorld(path: string, accounts: number): WorldSummary {
  const first = Math.min(accounts, 1000);
  createWorld(path, { accounts: first, users: 0, groups: 0, seed: 'bench', faults: 'none' });
  const world = openWorld(path);
  try {
    const insert = world.db.prepare(
      `INSERT INTO users (id, kind, first_name, last_name, username, phone, deleted, privacy, login_code, created_at)
       VALUES (?, 'fleet', 'Bench', ?, ?, ?, 0, 'everybody', '12345', ?)`,
    );
    world.db.transaction(() => {
      // createWorld's ids are 7e9 + i * 101 + (0..99): i * 101 from i = 1000 on is above all of them.
      for (let i = first; i < accounts; i++) insert.run(7_000_000_000 + i * 101, `Account${i + 1}`, `bench_fleet_${i + 1}`, `+99966${String(i + 1).padStart(5, '0')}`, WORLD_EPOCH - 400 * 86_400_000);
    })();
    return world.summary();
  } finally {
    world.close();
  }
}
