import { ACTION_KINDS, type ActionKind, type ActionSpec } from '../../../core/actions.ts';
import { InputError } from '../../../core/errors.ts';
import { reason } from '../../../core/reasons.ts';
import { isLinkRefusal, parseLink, toJoinTarget, toLeaveTarget, toMessageTarget, toUsername, type LinkRefusal, type ParsedLink } from '../../../core/links.ts';
import { validateActionSpec } from '../../../engine/action-input.ts';

export function isActionKind(k: string): k is ActionKind {
  return (ACTION_KINDS as readonly string[]).includes(k);
}

function link(input: string): ParsedLink {
  const parsed = parseLink(input);
  if (!parsed.ok) throw new InputError(parsed.error, reason('link_refused', {}, parsed));
  return parsed.link;
}

function unwrap<T extends object | string>(value: T | LinkRefusal): T {
  if (typeof value === 'object' && isLinkRefusal(value)) throw new InputError(value.error, reason('link_refused', {}, value));
  return value;
}

/** Option numbers typed as "1 3" or "1,3". */
function options(input: string): number[] {
  const parts = input.split(/[\s,]+/).filter((s) => s !== '');
  if (parts.length === 0 || parts.some((p) => !/^\d{1,6}$/.test(p) || Number(p) < 1)) throw new InputError('option numbers are whole numbers from 1 (the first option), e.g. 1 or 1 3');
  return parts.map(Number);
}

/**
 * The form's fields as the engine's action, read with the same link parser as the CLI and the bot;
 * throws `InputError` with the reason. The engine validates the rest (emoji, text length).
 */
export function actionFromForm(kind: ActionKind, f: { target: string; emoji?: string; options?: string; text?: string }): ActionSpec {
  const target = f.target.trim();
  let spec: ActionSpec;
  switch (kind) {
    case 'reaction':
      spec = { kind, target: unwrap(toMessageTarget(link(target), 'a reaction')), emoji: (f.emoji ?? '').trim() };
      break;
    case 'vote':
      spec = { kind, target: unwrap(toMessageTarget(link(target), 'a vote')), options: options(f.options ?? '') };
      break;
    case 'join':
      spec = { kind, target: unwrap(toJoinTarget(link(target))) };
      break;
    case 'leave':
      spec = { kind, target: unwrap(toLeaveTarget(link(target))) };
      break;
    case 'block':
      spec = { kind, username: unwrap(toUsername(link(target), 'a block')) };
      break;
    case 'pm':
      spec = { kind, username: unwrap(toUsername(link(target), 'a private message')), text: f.text ?? '' };
      break;
    case 'comment':
      spec = { kind, target: unwrap(toMessageTarget(link(target), 'a comment')), text: f.text ?? '' };
      break;
  }
  validateActionSpec(spec);
  return spec;
}
