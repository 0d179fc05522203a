import type { Migration } from '../migration.ts';

/**
 * Reasons kept with records as a code and its parameters (core/stored-reasons.ts), so each
 * interface words them in its own language. The English text columns stay: rows written before
 * this migration have only them, and they are what other readers of the database see.
 */
export const storedReasons: Migration = {
  version: 13,
  name: 'stored-reasons',
  sql: `
    ALTER TABLE campaigns ADD COLUMN reason_code TEXT;
    ALTER TABLE campaigns ADD COLUMN reason_params TEXT;
    ALTER TABLE operations ADD COLUMN stop_reason_code TEXT;
    ALTER TABLE operations ADD COLUMN stop_reason_params TEXT;
    ALTER TABLE accounts ADD COLUMN status_reason_code TEXT;
    ALTER TABLE accounts ADD COLUMN status_reason_params TEXT;
  `,
};
