import type { Hono } from 'hono';
import { findAccount, resolveAccountRefs } from '../../../core/account-refs.ts';
import type { AccountSummary } from '../../../core/accounts.ts';
import type { WebDeps, WebEnv } from '../context.ts';
import { optBool, optRefs, readJson } from './body.ts';
import { ApiInputError, NotFoundError } from './errors.ts';

/** Flood waits as ISO times per kind of call, like `accounts list --json`. */
function withWaits(a: AccountSummary, waits: ReadonlyMap<number, Partial<Record<string, number>>>): unknown {
  const w = waits.get(a.id) ?? {};
  return { ...a, waits: Object.fromEntries(Object.entries(w).map(([kind, until]) => [kind, new Date(until!).toISOString()])) };
}

export function accountRoutes(api: Hono<WebEnv>, deps: WebDeps): void {
  const { app } = deps;
  const find = (ref: string): AccountSummary => {
    const found = findAccount(app.accounts.list(app.clock.now()), decodeURIComponent(ref));
    if (!found.ok) throw new NotFoundError(found.problem, 'account_unknown');
    return found.value;
  };

  api.get('/accounts', (c) => {
    const now = app.clock.now();
    const waits = app.accounts.parks(now);
    return c.json(app.accounts.list(now).map((a) => withWaits(a, waits)));
  });

  api.get('/accounts/:ref', (c) => {
    const a = find(c.req.param('ref'));
    const now = app.clock.now();
    return c.json({ ...(withWaits(a, app.accounts.parks(now)) as object), groups: app.accounts.groups(a.id) });
  });

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    api.post(`/accounts/:ref/${verb}`, async (c) => {
      const a = find(c.req.param('ref'));
      return c.json(await app.fleet.setEnabled(a.id, enabled));
    });
  }

  // `{"accounts": [...], "spam": true}`; without accounts every enabled one, like `accounts check`.
  api.post('/accounts/check', async (c) => {
    const b = await readJson(c);
    const refs = optRefs(b, 'accounts');
    const spam = optBool(b, 'spam') ?? false;
    let ids: number[] | undefined;
    if (refs !== undefined) {
      const found = resolveAccountRefs(app.accounts.list(app.clock.now()), refs);
      if (!found.ok) throw new ApiInputError(found.problem, 'accounts_unknown');
      ids = found.value;
    }
    return c.json(await app.health.check({ ...(ids ? { ids } : {}), spam }));
  });
}
