import { InputError } from '../core/errors.ts';
import { reason } from '../core/reasons.ts';
import type { AccountStore } from '../store/accounts.ts';
import { readTag } from './account-selection.ts';

export interface TagChange {
  tag: string;
  op: 'add' | 'remove';
  /** Accounts that gained (or lost) the tag. */
  changed: number[];
  /** Accounts that had it already (or did not have it). */
  unchanged: number[];
}

/** Puts tags on accounts and takes them off; the CLI and the bot both change tags here. */
export class TagService {
  constructor(private readonly store: Pick<AccountStore, 'addTag' | 'removeTag' | 'get'>, private readonly now: () => number) {}

  change(accountIds: readonly number[], op: 'add' | 'remove', tagInput: string): TagChange {
    const tag = readTag(tagInput);
    const missing = accountIds.filter((id) => this.store.get(id, this.now()) === undefined);
    const ids = missing.map((id) => `#${id}`).join(', ');
    if (missing.length > 0) throw new InputError(`there is no account ${ids}`, reason('account_unknown', { accounts: ids }));
    const out: TagChange = { tag, op, changed: [], unchanged: [] };
    for (const id of new Set(accountIds)) {
      const did = op === 'add' ? this.store.addTag(id, tag) : this.store.removeTag(id, tag);
      (did ? out.changed : out.unchanged).push(id);
    }
    return out;
  }
}
