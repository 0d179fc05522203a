/** Shared setup for the simulator's own tests (real world files in a temp folder). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tl } from '@mtcute/core';
import { createAndOpenWorld, type CreateWorldOptions } from './create.ts';
import type { SimWorld, WorldSummary } from './world.ts';

export interface TestWorld {
  dir: string;
  path: string;
  world: SimWorld;
  summary: WorldSummary;
  cleanup(): void;
}

export function makeTestWorld(opts: CreateWorldOptions = {}): TestWorld {
  const dir = mkdtempSync(join(tmpdir(), 'sim-test-'));
  const path = join(dir, 'world.db');
  const { world, summary } = createAndOpenWorld(path, { seed: 'test', accounts: 4, users: 40, groups: 8, ...opts });
  return {
    dir,
    path,
    world,
    summary,
    cleanup() {
      world.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` and returns the RPC error it threw (failing when it threw something else or nothing). */
export async function rpcError(fn: () => Promise<unknown>): Promise<tl.RpcError> {
  try {
    await fn();
  } catch (e) {
    if (tl.RpcError.is(e)) return e;
    throw e;
  }
  throw new Error('expected an RPC error, but the call succeeded');
}
