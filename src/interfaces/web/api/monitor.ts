import type { Hono } from 'hono';
import { KEYWORD_MODES as MODES, type KeywordMode } from '../../../core/keywords.ts';
import type { WebDeps, WebEnv } from '../context.ts';
import { idParam, optStr, readJson, str } from './body.ts';
import { ApiInputError } from './errors.ts';


export function monitorRoutes(api: Hono<WebEnv>, deps: WebDeps): void {
  const m = deps.app.monitorService;

  api.get('/monitor/status', (c) => c.json(m.status()));
  api.get('/monitor/keywords', (c) => c.json(m.keywords()));
  // `{"keyword": …, "mode": "plain" | "word" | "regex"}`
  api.post('/monitor/keywords', async (c) => {
    const b = await readJson(c);
    const mode = optStr(b, 'mode') ?? 'plain';
    if (!(MODES as readonly string[]).includes(mode)) throw new ApiInputError(`"mode" must be one of ${MODES.join(', ')}`, 'bad_request', { field: 'mode' });
    const r = m.addKeyword(str(b, 'keyword'), mode as KeywordMode);
    return c.json(r, r.added ? 201 : 200);
  });
  api.delete('/monitor/keywords/:ref', (c) => c.json(m.removeKeyword(decodeURIComponent(c.req.param('ref')))));
  // `{"text": …}`: which keywords a text matches; changes nothing.
  api.post('/monitor/keywords/test', async (c) => c.json(m.testText(str(await readJson(c), 'text'))));
  api.get('/monitor/hits', (c) => {
    const limit = c.req.query('limit');
    return c.json(m.outbox(limit === undefined ? 50 : Math.min(idParam(limit, 'limit'), 500)));
  });
}
