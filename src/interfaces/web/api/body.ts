import type { Context } from 'hono';
import { ApiInputError } from './errors.ts';

/** A campaign's targets are the largest body: 100,000 usernames pasted or uploaded fit with room. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export type Body = Record<string, unknown>;

/** The request's JSON object, or a 400 that names what is wrong. */
export async function readJson(c: Context): Promise<Body> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) throw new ApiInputError('send the body as JSON (Content-Type: application/json)', 'bad_request');
  let value: unknown;
  try {
    value = await c.req.json();
  } catch {
    throw new ApiInputError('the body is not valid JSON', 'bad_request');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ApiInputError('the body must be a JSON object', 'bad_request');
  return value as Body;
}

const bad = (field: string, what: string): ApiInputError => new ApiInputError(`"${field}" must be ${what}`, 'bad_request', { field });

export function str(b: Body, field: string): string {
  const v = b[field];
  if (typeof v !== 'string') throw bad(field, 'a string');
  return v;
}

export function optStr(b: Body, field: string): string | undefined {
  return b[field] === undefined ? undefined : str(b, field);
}

export function optInt(b: Body, field: string): number | undefined {
  const v = b[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw bad(field, 'a whole number');
  return v;
}

export function optBool(b: Body, field: string): boolean | undefined {
  const v = b[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw bad(field, 'true or false');
  return v;
}

/** Strings, or numbers (account ids) read as strings. */
export function optRefs(b: Body, field: string): string[] | undefined {
  const v: unknown = b[field];
  if (v === undefined) return undefined;
  const list: unknown[] = Array.isArray(v) ? v : [];
  if (!Array.isArray(v) || !list.every((x): x is string | number => typeof x === 'string' || (typeof x === 'number' && Number.isSafeInteger(x)))) {
    throw bad(field, 'a list of account ids, phones or @usernames');
  }
  return list.map((x) => (typeof x === 'number' ? `#${x}` : String(x)));
}

/** A whole number from 1 in a path or query. */
export function idParam(text: string | undefined, what: string): number {
  const t = (text ?? '').replace(/^#/, '');
  if (!/^\d{1,9}$/.test(t) || Number(t) < 1) throw new ApiInputError(`${what} must be a whole number from 1`, 'bad_request');
  return Number(t);
}
