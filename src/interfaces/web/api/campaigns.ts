import type { Hono } from 'hono';
import { campaignExport, exportFileName, isExportFormat } from '../../../engine/campaign-export.ts';
import type { WebDeps, WebEnv } from '../context.ts';
import { optBool, optInt, optRefs, optStr, readJson, str } from './body.ts';
import { ApiInputError } from './errors.ts';
import type { WebRuns } from './runs.ts';

export function campaignRoutes(api: Hono<WebEnv>, deps: WebDeps, runs: WebRuns): void {
  const { app } = deps;
  const name = (raw: string): string => decodeURIComponent(raw);

  const startRun = (campaign: string): Promise<void> => runs.startCampaign(deps, campaign);

  api.get('/campaigns', (c) => c.json(app.campaigns.list()));

  api.get('/campaigns/:name', (c) => c.json(app.campaigns.status(name(c.req.param('name')))));

  // The CLI's `campaign create` options as fields: targets as pasted text or a list.
  api.post('/campaigns', async (c) => {
    const b = await readJson(c);
    const targetsField = b.targets;
    let targets: string;
    if (typeof targetsField === 'string') targets = targetsField;
    else if (Array.isArray(targetsField) && targetsField.every((t) => typeof t === 'string')) targets = targetsField.join('\n');
    else throw new ApiInputError('"targets" must be pasted text or a list of usernames', 'bad_request', { field: 'targets' });
    const delay = b.delay;
    let delaySeconds: { min: number; max: number } | undefined;
    if (delay !== undefined) {
      const d = delay as { min?: unknown; max?: unknown };
      if (delay === null || typeof delay !== 'object' || typeof d.min !== 'number' || typeof d.max !== 'number') {
        throw new ApiInputError('"delay" must be {"min": seconds, "max": seconds}', 'bad_request', { field: 'delay' });
      }
      delaySeconds = { min: d.min, max: d.max };
    }
    const accounts = optRefs(b, 'accounts');
    const tag = optStr(b, 'tag');
    const perAccountCap = optInt(b, 'maxPerAccount');
    const dailyCap = optInt(b, 'dailyCap');
    const result = app.campaigns.create({
      name: str(b, 'name'),
      message: str(b, 'message'),
      targets,
      ...(accounts ? { accounts } : {}),
      ...(tag !== undefined ? { tag } : {}),
      ...(perAccountCap !== undefined ? { perAccountCap } : {}),
      ...(dailyCap !== undefined ? { dailyCap } : {}),
      ...(delaySeconds ? { delaySeconds } : {}),
      includeContacted: optBool(b, 'includeContacted') ?? false,
      recheckUnreachable: optBool(b, 'recheckUnreachable') ?? false,
    });
    return c.json(result, result.created ? 201 : 200);
  });

  api.post('/campaigns/:name/run', async (c) => {
    const n = name(c.req.param('name'));
    await startRun(n);
    return c.json(app.campaigns.status(n), 202);
  });

  api.post('/campaigns/:name/resume', async (c) => {
    const n = name(c.req.param('name'));
    app.campaigns.resume(n);
    await startRun(n);
    return c.json(app.campaigns.status(n), 202);
  });

  api.post('/campaigns/:name/pause', (c) => {
    const n = name(c.req.param('name'));
    const status = app.campaigns.pause(n);
    runs.stopCampaign(n);
    return c.json(status);
  });

  api.post('/campaigns/:name/cancel', (c) => {
    const n = name(c.req.param('name'));
    const status = app.campaigns.cancel(n);
    runs.stopCampaign(n);
    return c.json(status);
  });

  api.get('/campaigns/:name/export', (c) => {
    const n = name(c.req.param('name'));
    const format = c.req.query('format') ?? 'csv';
    if (!isExportFormat(format)) throw new ApiInputError('format must be csv or json', 'bad_request', { field: 'format' });
    // Refuses an unknown campaign before any row is read.
    app.campaigns.status(n);
    const { text } = campaignExport(app.campaigns.exportRows(n), format);
    const file = exportFileName(n, format);
    return c.body(text, 200, {
      'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="${file.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file)}`,
    });
  });
}
