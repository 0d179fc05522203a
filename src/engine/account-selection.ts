import { InputError } from '../core/errors.ts';
import { reason } from '../core/reasons.ts';
import { parseTag, pickable } from '../core/tags.ts';

/**
 * How every service turns "the accounts tagged T" and "the default set" into accounts, so the
 * reserve rule (core/tags.ts) is applied the same way by actions, campaigns, checks and profiles.
 */

type Tagged = { id: number; tags?: readonly string[] | undefined };

/** A tag as typed, normalized; a malformed one is an `InputError`. */
export function readTag(input: string): string {
  const t = parseTag(input);
  if (!t.ok) throw new InputError(t.problem, reason('tag_invalid', { value: input }));
  return t.tag;
}

/** The ids of the accounts tagged `tag` (typed form accepted); none is an `InputError`. */
export function taggedIds(accounts: readonly Tagged[], tagInput: string): number[] {
  const tag = readTag(tagInput);
  const ids = pickable(accounts, tag).map((a) => a.id);
  if (ids.length === 0) throw new InputError(`no account is tagged ${tag} (see: accounts list)`, reason('tag_no_accounts', { tag }));
  return ids;
}

/** The accounts a service uses when the operator named none: every one but the reserve. */
export function defaultSet<A extends Tagged>(accounts: readonly A[]): A[] {
  return pickable(accounts);
}
