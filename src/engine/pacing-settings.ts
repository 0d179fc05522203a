import type { PacingConfig } from '../config.ts';

/** Pacing the operator changed at run time; unset fields fall back to the configuration. */
export type PacingOverrides = Partial<PacingConfig>;

/** Where the overrides persist (the settings table, through the bot store). */
export interface PacingOverridesStore {
  pacing(): PacingOverrides;
  setPacing(overrides: PacingOverrides, now: number): void;
}

/**
 * The pacing in force: the configuration with the operator's overrides on top. Read it when work
 * starts (never keep a copy), so a change applies to the next piece of work without a restart.
 */
export class PacingSettings {
  constructor(
    private readonly base: PacingConfig,
    private readonly store: PacingOverridesStore,
  ) {}

  current(): PacingConfig {
    return { ...this.base, ...this.store.pacing() };
  }

  overrides(): PacingOverrides {
    return this.store.pacing();
  }

  /** Sets one field (or, with `undefined`, returns it to the configuration's value). */
  set<F extends keyof PacingConfig>(field: F, value: PacingConfig[F] | undefined, now: number): void {
    const next: PacingOverrides = { ...this.store.pacing() };
    if (value === undefined) delete next[field];
    else next[field] = value;
    this.store.setPacing(next, now);
  }

  reset(now: number): void {
    this.store.setPacing({}, now);
  }
}
