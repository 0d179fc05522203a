import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { registerAccounts } from './accounts.ts';
import { registerAct } from './act.ts';
import { registerCampaign } from './campaign.ts';
import { registerConfig } from './config.ts';
import { registerDemo } from './demo.ts';
import { registerLink } from './link.ts';
import { registerMonitor } from './monitor.ts';
import { registerOperations } from './operations.ts';
import { registerSim } from './sim.ts';
import { registerStart } from './start.ts';

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Every command group of the CLI; each lives in its own file. */
export const COMMANDS: readonly RegisterCommand[] = [registerConfig, registerAccounts, registerLink, registerAct, registerOperations, registerCampaign, registerMonitor, registerSim, registerDemo, registerStart];
