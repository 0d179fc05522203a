import type { Registry } from '../runtime.ts';
import { registerAccountCare } from './account-care.ts';
import { registerAccountProfile } from './account-profile.ts';
import { registerAccountPrune } from './account-prune.ts';
import { registerAccountTags } from './account-tags.ts';
import { registerAccountTwoFactor } from './account-twofa.ts';
import { registerAccounts } from './accounts.ts';
import { registerActions } from './actions.ts';
import { registerAddAccount } from './add-account.ts';
import { registerCampaigns } from './campaigns.ts';
import { registerMonitor } from './monitor.ts';
import { registerSchedules } from './schedules.ts';
import { registerSettings } from './settings.ts';
import { registerStatus } from './status.ts';

/** Every menu module registers its routes and flows here. */
export function registerMenus(reg: Registry): void {
  registerAccounts(reg);
  registerAccountCare(reg);
  registerAccountTags(reg);
  registerAccountProfile(reg);
  registerAccountPrune(reg);
  registerAccountTwoFactor(reg);
  registerActions(reg);
  registerCampaigns(reg);
  registerAddAccount(reg);
  registerMonitor(reg);
  registerSchedules(reg);
  registerSettings(reg);
  registerStatus(reg);
}
