import type { FlowRecord } from '../../store/bot.ts';
import type { Turn } from './turn.ts';
import type { View } from './ui.ts';

/**
 * Bumped whenever a flow's steps or data change shape: a stored flow of another version is
 * dropped (the admin is told and starts that step again) instead of being misread.
 */
export const FLOW_VERSION = 1;

export interface IncomingDocument {
  fileId: string;
  fileName: string | undefined;
  size: number | undefined;
}

/**
 * A multi-step conversation. The state lives in SQLite (`FlowRecord`), so every handler reads
 * the step from the record rather than from a closure: a restart between two answers changes
 * nothing about what the next answer means.
 */
export interface FlowDef {
  name: string;
  /** The question for the record's current step (asked again after bad input or an expired button). */
  prompt(turn: Turn, flow: FlowRecord): View | Promise<View>;
  /** Text typed while this flow waits; undefined when the current step expects buttons only. */
  onText?(turn: Turn, flow: FlowRecord, text: string): Promise<void>;
  onDocument?(turn: Turn, flow: FlowRecord, doc: IncomingDocument): Promise<void>;
  /** A photo sent as a photo (Telegram's compressed JPEG): its largest size. */
  onPhoto?(turn: Turn, flow: FlowRecord, photo: IncomingDocument): Promise<void>;
  /** Releases anything the flow keeps in memory (a pending login) when the admin leaves it. */
  onLeave?(turn: Turn, flow: FlowRecord): void | Promise<void>;
}

/** Reads a typed field from a flow's data (the database gives back unknown JSON). */
export function str(flow: FlowRecord, key: string): string | undefined {
  const v = flow.data[key];
  return typeof v === 'string' ? v : undefined;
}

export function num(flow: FlowRecord, key: string): number | undefined {
  const v = flow.data[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function nums(flow: FlowRecord, key: string): number[] {
  const v = flow.data[key];
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)) : [];
}

export function strs(flow: FlowRecord, key: string): string[] {
  const v = flow.data[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
