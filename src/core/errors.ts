/**
 * The operator gave something the panel cannot use (a bad link, option, file or name).
 * Interfaces show the message as is and exit with code 2; nothing was changed.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A precondition about the world failed (no usable account, lease held elsewhere, …). Exit 1. */
export class PanelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PanelError';
  }
}
