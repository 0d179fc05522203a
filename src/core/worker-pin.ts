import { hasTag } from './tags.ts';

/**
 * Which accounts a worker may connect (`start --tag` / `start --accounts`): every account, the
 * accounts carrying one tag, or a fixed list. Stored as text in the worker's row so every other
 * worker reads the same rule and leaves those accounts to it.
 */
export type PinFilter = { kind: 'all' } | { kind: 'tag'; tag: string } | { kind: 'accounts'; ids: readonly number[] };

type Taggable = { id: number; tags?: readonly string[] | undefined };

export const NO_PIN: PinFilter = { kind: 'all' };

/** '' | 'tag:dc1' | 'accounts:1,2,3' */
export function pinText(p: PinFilter): string {
  switch (p.kind) {
    case 'all':
      return '';
    case 'tag':
      return `tag:${p.tag}`;
    case 'accounts':
      return `accounts:${[...p.ids].sort((a, b) => a - b).join(',')}`;
  }
}

/** Reads what pinText wrote; anything else (a newer panel's rule) pins to nothing rather than to everything. */
export function parsePinText(text: string): PinFilter {
  if (text === '') return NO_PIN;
  if (text.startsWith('tag:')) return { kind: 'tag', tag: text.slice(4) };
  if (text.startsWith('accounts:')) {
    const ids = text
      .slice(9)
      .split(',')
      .filter((x) => /^\d+$/.test(x))
      .map(Number);
    return { kind: 'accounts', ids };
  }
  return { kind: 'accounts', ids: [] };
}

/** "all accounts", "tag dc1", "accounts #1, #2". */
export function describePin(p: PinFilter): string {
  switch (p.kind) {
    case 'all':
      return 'all accounts';
    case 'tag':
      return `tag ${p.tag}`;
    case 'accounts':
      return p.ids.length === 0 ? 'no accounts' : `accounts ${p.ids.map((id) => `#${id}`).join(', ')}`;
  }
}

export function pinMatches(p: PinFilter, a: Taggable): boolean {
  switch (p.kind) {
    case 'all':
      return true;
    case 'tag':
      return hasTag(a, p.tag);
    case 'accounts':
      return p.ids.includes(a.id);
  }
}

/**
 * Whether a worker pinned by `pin` may take `a`, given every live worker's pin: a pinned worker
 * takes what its filter names; an unpinned one takes the rest, leaving an account that a live
 * pinned worker names to that worker (that is what pinning is for). When no live pinned worker
 * names an account, any unpinned worker may take it.
 */
export function pinAllows(pin: PinFilter, a: Taggable, livePins: readonly PinFilter[]): boolean {
  if (pin.kind !== 'all') return pinMatches(pin, a);
  return !livePins.some((p) => p.kind !== 'all' && pinMatches(p, a));
}
