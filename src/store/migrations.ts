import type { Migration } from './migration.ts';
import { foundation } from './migrations/001-foundation.ts';
import { accounts } from './migrations/002-accounts.ts';
import { operations } from './migrations/003-operations.ts';
import { campaigns } from './migrations/004-campaigns.ts';
import { monitor } from './migrations/005-monitor.ts';
import { bot } from './migrations/006-bot.ts';
import { monitorCatchUp } from './migrations/007-monitor-catch-up.ts';
import { leases } from './migrations/008-leases.ts';
import { accountTags } from './migrations/009-account-tags.ts';
import { schedules } from './migrations/010-schedules.ts';
import { webAuth } from './migrations/011-web-auth.ts';
import { accountSessions } from './migrations/012-account-sessions.ts';
import { storedReasons } from './migrations/013-stored-reasons.ts';
import { accountStatusHistory } from './migrations/014-account-status-history.ts';
import { campaignOutcomeIndex } from './migrations/015-campaign-outcome-index.ts';
import { workers } from './migrations/016-workers.ts';
import { operationWork } from './migrations/018-operation-work.ts';
import { campaignRunners } from './migrations/017-campaign-runners.ts';

/**
 * Forward-only, numbered. Never edit a migration that has shipped: add the next number.
 * Numbers are reserved per aggregate: 2 accounts, 3 operations, 4 campaigns, 5 monitor, 6 bot;
 * later ones take the next free number (7 monitor catch-up, 8 leases).
 */
export const MIGRATIONS: readonly Migration[] = [foundation, accounts, operations, campaigns, monitor, bot, monitorCatchUp, leases, accountTags, schedules, webAuth, accountSessions, storedReasons, accountStatusHistory, campaignOutcomeIndex, workers, campaignRunners, operationWork];
