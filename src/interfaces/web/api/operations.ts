import type { Hono } from 'hono';
import { resolveAccountRefs } from '../../../core/account-refs.ts';
import { ACTION_KINDS, type ActionKind, type ActionSpec } from '../../../core/actions.ts';
import { isLinkRefusal, parseLink, toJoinTarget, toLeaveTarget, toMessageTarget, toUsername, type LinkRefusal, type ParsedLink } from '../../../core/links.ts';
import { validateActionSpec } from '../../../engine/action-input.ts';
import type { OperationSelection } from '../../../store/operations.ts';
import type { WebDeps, WebEnv } from '../context.ts';
import { idParam, optRefs, readJson, str, type Body } from './body.ts';
import { ApiInputError, NotFoundError, apiError } from './errors.ts';
import type { WebRuns } from './runs.ts';

function linkOf(b: Body, field: string): ParsedLink {
  const parsed = parseLink(str(b, field));
  if (!parsed.ok) throw new ApiInputError(parsed.error, parsed.code, parsed.params);
  return parsed.link;
}

function unwrap<T extends object>(value: T | LinkRefusal): T {
  if (isLinkRefusal(value)) throw new ApiInputError(value.error, value.code, value.params);
  return value;
}

function username(b: Body, field: string, action: string): string {
  const r = toUsername(linkOf(b, field), action);
  if (typeof r !== 'string') throw new ApiInputError(r.error, r.code, r.params);
  return r;
}

/**
 * `{"action": "reaction", "link": …, "emoji": …}`, `{"action": "vote", "link": …, "options": [1, 3]}`,
 * join and leave `{link}`, block `{user}`, pm `{user, text}`, comment `{link, text}`: the same
 * fields the CLI's `act` takes, read by the same link parser and checked by the same rules.
 */
export function actionFromJson(b: Body): ActionSpec {
  const kind = b.action;
  if (typeof kind !== 'string' || !(ACTION_KINDS as readonly string[]).includes(kind)) {
    throw new ApiInputError(`"action" must be one of ${ACTION_KINDS.join(', ')}`, 'bad_request', { field: 'action' });
  }
  let spec: ActionSpec;
  switch (kind as ActionKind) {
    case 'reaction':
      spec = { kind: 'reaction', target: unwrap(toMessageTarget(linkOf(b, 'link'), 'a reaction')), emoji: str(b, 'emoji').trim() };
      break;
    case 'vote': {
      const o = b.options;
      if (!Array.isArray(o) || o.length === 0 || !o.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 1)) {
        throw new ApiInputError('"options" must be a list of option numbers from 1 (the first option)', 'bad_request', { field: 'options' });
      }
      spec = { kind: 'vote', target: unwrap(toMessageTarget(linkOf(b, 'link'), 'a vote')), options: o as number[] };
      break;
    }
    case 'join':
      spec = { kind: 'join', target: unwrap(toJoinTarget(linkOf(b, 'link'))) };
      break;
    case 'leave':
      spec = { kind: 'leave', target: unwrap(toLeaveTarget(linkOf(b, 'link'))) };
      break;
    case 'block':
      spec = { kind: 'block', username: username(b, 'user', 'a block') };
      break;
    case 'pm':
      spec = { kind: 'pm', username: username(b, 'user', 'a private message'), text: str(b, 'text') };
      break;
    case 'comment':
      spec = { kind: 'comment', target: unwrap(toMessageTarget(linkOf(b, 'link'), 'a comment')), text: str(b, 'text') };
      break;
  }
  validateActionSpec(spec);
  return spec;
}

/** `"accounts": 3` (that many usable accounts) or `"accounts": [1, "+1555…", "@name"]` (those). */
function selectionFromJson(b: Body, deps: WebDeps): OperationSelection {
  const a = b.accounts;
  if (typeof a === 'number') {
    if (!Number.isSafeInteger(a) || a < 1) throw new ApiInputError('"accounts" must be a whole number from 1, or a list of accounts', 'bad_request', { field: 'accounts' });
    return { accounts: a };
  }
  const refs = optRefs(b, 'accounts');
  if (refs === undefined) throw new ApiInputError('say how many accounts act ("accounts": N) or which ones ("accounts": [id, phone or @username, …])', 'bad_request', { field: 'accounts' });
  const ids = resolveAccountRefs(deps.app.fleet.accounts(), refs);
  if (!ids.ok) throw new ApiInputError(ids.problem, 'accounts_unknown');
  return { accountIds: ids.value };
}

export function operationRoutes(api: Hono<WebEnv>, deps: WebDeps, runs: WebRuns): void {
  const { app } = deps;

  api.get('/operations', (c) => {
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? 20 : Math.min(idParam(limitText, 'limit'), 500);
    const kind = c.req.query('kind');
    if (kind !== undefined && !(ACTION_KINDS as readonly string[]).includes(kind)) throw new ApiInputError(`kind must be one of ${ACTION_KINDS.join(', ')}`, 'bad_request');
    return c.json(app.operationStore.list({ limit, ...(kind ? { kind: kind as ActionKind } : {}) }));
  });

  api.get('/operations/:id', (c) => {
    const id = idParam(c.req.param('id'), 'the operation id');
    const r = app.operationStore.get(id);
    if (!r) throw new NotFoundError(`no operation #${id}`);
    return c.json(r);
  });

  // Answers once the operation is recorded and started (202 with its id); progress follows on
  // /api/v1/events and in GET /operations/:id. Bad input is refused before any account acts.
  api.post('/operations', async (c) => {
    const b = await readJson(c);
    const spec = actionFromJson(b);
    const selection = selectionFromJson(b, deps);
    const web = c.get('web');
    const actor = web.token ? `web:token:${web.token.name}` : `web:session:${web.session?.id ?? '?'}`;
    const ctl = new AbortController();
    let started: (id: number) => void = () => undefined;
    const startedId = new Promise<number>((resolve) => (started = resolve));
    const run = app.operations.runOperation(spec, selection, {
      actor,
      signal: ctl.signal,
      onEvent: (e) => {
        if (e.type === 'started') {
          deps.events.ownOperations.add(e.operationId);
          runs.operations.set(e.operationId, ctl);
          started(e.operationId);
        }
        deps.events.publish('operation', e);
      },
    });
    const id = await Promise.race([startedId, run.then((r) => r.id)]);
    void run
      .catch((err: unknown) => deps.log.error({ err, operationId: id }, `web: operation #${id} failed`))
      .finally(() => runs.operations.delete(id));
    return c.json({ id, status: 'running' }, 202);
  });

  api.post('/operations/:id/cancel', (c) => {
    const id = idParam(c.req.param('id'), 'the operation id');
    const ctl = runs.operations.get(id);
    if (ctl) {
      ctl.abort();
      return c.json({ id, status: 'cancelling' }, 202);
    }
    const r = app.operationStore.get(id);
    if (!r) throw new NotFoundError(`no operation #${id}`);
    if (r.status === 'running') return apiError(c, 409, { error: `operation #${id} runs in another process or interface; stop it there`, code: 'operation_elsewhere' });
    return apiError(c, 409, { error: `operation #${id} is ${r.status}; there is nothing to cancel`, code: 'operation_over' });
  });
}
