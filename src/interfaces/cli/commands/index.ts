import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

/** Fills in a command group that main.ts has created with its name and description. */
export type RegisterCommand = (command: Command, ctx: CliContext) => void;

export interface CommandGroup {
  name: string;
  description: string;
  /** Arguments and options as the top-level help shows them; the group's own are known only once loaded. */
  usage?: string;
  /** Imported only when the group runs, so a command pays for its own modules alone. */
  load(): Promise<RegisterCommand>;
}

/** Every command group of the CLI; each lives in its own file. */
export const COMMANDS: readonly CommandGroup[] = [
  { name: 'config', description: 'inspect the configuration', load: async () => (await import('./config.ts')).registerConfig },
  {
    name: 'accounts',
    description: 'add, import, list and look after your Telegram accounts',
    load: async () => (await import('./accounts.ts')).registerAccounts,
  },
  {
    name: 'link',
    usage: '<input>',
    description: 'parse a pasted link or name (message, invite link or chat) the way every action reads it, offline',
    load: async () => (await import('./link.ts')).registerLink,
  },
  {
    name: 'act',
    description: 'run one action with several accounts (--accounts N) or named ones (--account, repeatable)',
    load: async () => (await import('./act.ts')).registerAct,
  },
  {
    name: 'operations',
    description: 'past and running bulk actions with their per-account results',
    load: async () => (await import('./operations.ts')).registerOperations,
  },
  {
    name: 'campaign',
    description: 'private-message campaigns: resumable, paced over accounts, never the same person twice',
    load: async () => (await import('./campaign.ts')).registerCampaign,
  },
  {
    name: 'monitor',
    description: 'the keyword monitor: keywords, ignored senders, target chats, status',
    load: async () => (await import('./monitor.ts')).registerMonitor,
  },
  {
    name: 'schedule',
    description: 'run act, campaign run or accounts check later, once or on a cron schedule (inside start)',
    load: async () => (await import('./schedule.ts')).registerSchedule,
  },
  {
    name: 'sim',
    description: 'build and inspect simulated Telegram worlds (try the panel without Telegram)',
    load: async () => (await import('./sim.ts')).registerSim,
  },
  {
    name: 'demo',
    usage: '[options]',
    description:
      'run the whole panel against a temporary simulated Telegram (no credentials needed): logins, bulk actions, a campaign killed and resumed, the monitor',
    load: async () => (await import('./demo.ts')).registerDemo,
  },
  {
    name: 'start',
    usage: '[options]',
    description: 'run the admin bot together with the fleet, the keyword monitor and the engine (needs BOT_TOKEN and ADMIN_IDS)',
    load: async () => (await import('./start.ts')).registerStart,
  },
  {
    name: 'workers',
    usage: '[--json]',
    description: 'the start processes (workers) sharing this database: accounts and roles each holds, last heartbeat',
    load: async () => (await import('./workers.ts')).registerWorkers,
  },
  {
    name: 'web',
    description: 'the web dashboard: one-time sign-in links, signed-in sessions, API tokens',
    load: async () => (await import('./web.ts')).registerWeb,
  },
  {
    name: 'db',
    description: 'the panel database: status, migrate, and copy a SQLite panel into PostgreSQL',
    load: async () => (await import('./db.ts')).registerDb,
  },
];
