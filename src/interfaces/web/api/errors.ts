import type { Context } from 'hono';
import { ConfigError } from '../../../config.ts';
import { InputError, PanelError } from '../../../core/errors.ts';
import { scrubText, type Logger } from '../../../log.ts';

/**
 * Bad input the API found itself, with a code: link refusals carry the link parser's codes
 * (core/links.ts), request shapes `bad_request`. Nothing was changed.
 */
export class ApiInputError extends InputError {
  constructor(
    message: string,
    readonly code: string,
    readonly params?: object,
  ) {
    super(message);
    this.name = 'ApiInputError';
  }
}

/** Not there (404): an unknown operation, campaign or route. */
export class NotFoundError extends Error {
  constructor(
    message: string,
    readonly code = 'not_found',
  ) {
    super(message);
    this.name = 'NotFoundError';
  }
}

export interface ApiErrorBody {
  error: string;
  /** An engine reason code (core/reasons.ts), a link error code, or the API's own (`bad_request`, `unauthorized`, `csrf`, …). */
  code: string;
  problems: string[];
  params?: object;
  /** For a refused link inside a reason: the link parser's own code and sentence. */
  link?: object;
}

export function apiError(c: Context, status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 421 | 500, body: Omit<ApiErrorBody, 'problems'> & { problems?: string[] }): Response {
  return c.json({ problems: [], ...body } satisfies ApiErrorBody, status);
}

/**
 * The same errors as the CLI, as JSON: bad input 400 with the engine's reason code (exit 2 on the
 * CLI), a refused precondition 409 (exit 1), anything unexpected 500 without its details (they
 * go to the log, scrubbed).
 */
export function errorResponse(c: Context, e: unknown, log: Logger): Response {
  if (e instanceof ApiInputError) return apiError(c, 400, { error: e.message, code: e.code, ...(e.params ? { params: e.params } : {}) });
  if (e instanceof ConfigError) return apiError(c, 400, { error: e.summary, code: 'config', problems: e.problems });
  if (e instanceof InputError || e instanceof PanelError) {
    const r = e.reason;
    return apiError(c, e instanceof InputError ? 400 : 409, {
      error: e.message,
      code: r?.code ?? (e instanceof InputError ? 'bad_input' : 'refused'),
      ...(r && Object.keys(r.params).length > 0 ? { params: r.params } : {}),
      ...(r?.link ? { link: r.link } : {}),
    });
  }
  if (e instanceof NotFoundError) return apiError(c, 404, { error: e.message, code: e.code });
  log.error({ err: e, path: c.req.path }, `web: ${c.req.method} ${c.req.path} failed: ${scrubText(e instanceof Error ? e.message : String(e))}`);
  return apiError(c, 500, { error: 'the panel failed to answer (the log has the details)', code: 'internal' });
}
