import { Cron } from 'croner';
import { InputError } from '../core/errors.ts';
import { reason } from '../core/reasons.ts';
import { LOCAL_TIME, parseRelativeSpan, type ScheduleKind } from '../core/schedules.ts';
import { quoteInput } from '../core/text.ts';

/** A schedule's time as read from what the operator typed. */
export interface ParsedWhen {
  kind: ScheduleKind;
  /** The cron expression, for `cron`. */
  cron: string | null;
  /** The first run. */
  first: number;
}

const NICKNAMES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** Throws `InputError` for a name the platform's time-zone database does not know. */
export function checkTimeZone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new InputError(`unknown time zone ${quoteInput(tz)}: give an IANA name such as Europe/Berlin, Asia/Tehran or UTC`, reason('schedule_bad_time_zone', { value: tz }));
  }
}

/** The time zone this process reads local times in when neither --tz nor TZ says. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function cronOf(pattern: string, tz: string, iso = false): Cron {
  // Paused: croner only computes times here; the scheduler runs on the engine's clock.
  return new Cron(pattern, iso ? { timezone: tz, paused: true } : { timezone: tz, paused: true, mode: '5-part' });
}

/** The first run of a cron expression after `after` (ms), or null when it never matches again. */
export function nextCronRun(cron: string, tz: string, after: number): number | null {
  const next = cronOf(cron, tz).nextRun(new Date(after));
  return next ? next.getTime() : null;
}

/**
 * Reads `<when>`: a wall-clock time (`2026-12-24T09:00`, in `tz`), a span from now (`+2h`,
 * `+1h30m`), or a five-field cron expression (`0 9 * * 1-5`, or `@daily`) read in `tz`.
 * Refuses times in the past and expressions that never match.
 */
export function parseWhen(text: string, tz: string, now: number): ParsedWhen {
  checkTimeZone(tz);
  const when = text.trim();
  const span = parseRelativeSpan(when);
  if (span !== undefined) {
    if (span <= 0) throw new InputError(`${quoteInput(when)} is no time from now; give a span such as +10m or +2h`, reason('schedule_span_zero', { value: when }));
    return { kind: 'once', cron: null, first: now + span };
  }
  const local = LOCAL_TIME.exec(when);
  if (local) {
    const [, y, mo, d, h, mi, s = '00'] = local;
    const probe = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
    // Date.UTC rolls 2026-02-30 over into March: a date that does not exist comes back changed.
    if (probe.getUTCMonth() !== Number(mo) - 1 || probe.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
      throw new InputError(`${quoteInput(when)} is not a date and time that exists`, reason('schedule_no_such_date', { value: when }));
    }
    const at = cronOf(`${y}-${mo}-${d}T${h}:${mi}:${s}`, tz, true).nextRun(new Date(now));
    if (!at) throw new InputError(`${quoteInput(when)} (${tz}) is in the past`, reason('schedule_in_past', { value: when, tz }));
    return { kind: 'once', cron: null, first: at.getTime() };
  }
  const fields = when.split(/\s+/);
  if (!(fields.length === 5 || (fields.length === 1 && NICKNAMES.has(when.toLowerCase())))) {
    throw new InputError(
      `cannot read ${quoteInput(when)} as a time: give a local time (2026-12-24T09:00), a span from now (+2h, +1h30m) or a cron expression of five fields (minute hour day month weekday, e.g. "0 9 * * 1-5")`,
      reason('schedule_bad_when', { value: when }),
    );
  }
  let first: number | null;
  try {
    first = nextCronRun(fields.join(' '), tz, now);
  } catch (e) {
    const detail = e instanceof Error ? e.message.replace(/^CronPattern: /, '') : String(e);
    throw new InputError(`cannot read the cron expression ${quoteInput(when)}: ${detail}`, reason('schedule_bad_cron', { value: when, detail }));
  }
  if (first === null) throw new InputError(`the cron expression ${quoteInput(when)} never matches a coming time`, reason('schedule_cron_never', { value: when }));
  return { kind: 'cron', cron: fields.join(' '), first };
}
