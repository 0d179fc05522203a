import type { Reason } from './reasons.ts';

/**
 * The operator gave something the panel cannot use (a bad link, option, file or name).
 * Interfaces show the message as is (or word `reason` in their language) and exit with code 2;
 * nothing was changed.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly reason?: Reason,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** A precondition about the world failed (no usable account, lease held elsewhere, …). Exit 1. */
export class PanelError extends Error {
  constructor(
    message: string,
    readonly reason?: Reason,
  ) {
    super(message);
    this.name = 'PanelError';
  }
}
