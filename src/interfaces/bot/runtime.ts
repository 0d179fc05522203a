import type { Api } from 'grammy';
import type { BotStore } from '../../store/bot.ts';
import type { BotDeps } from './deps.ts';
import type { FlowDef } from './flows.ts';
import type { Jobs } from './jobs.ts';
import type { Turn } from './turn.ts';
import type { View } from './ui.ts';

export type RouteHandler = (turn: Turn, args: string[]) => Promise<void>;

/** Callback data in another namespace (the monitor's forwarded hits): prefix -> handler. */
export type ForeignHandler = (turn: Turn, data: string) => Promise<void>;

/** Everything a menu module registers: callback routes, flows and foreign callback handlers. */
export class Registry {
  readonly routes = new Map<string, RouteHandler>();
  readonly flows = new Map<string, FlowDef>();
  readonly foreign: Array<{ prefix: string; handler: ForeignHandler }> = [];

  route(name: string, handler: RouteHandler): void {
    if (name.includes(':')) throw new Error(`route names cannot hold ':' (${name})`);
    if (this.routes.has(name)) throw new Error(`route ${name} registered twice`);
    this.routes.set(name, handler);
  }

  flow(def: FlowDef): void {
    if (this.flows.has(def.name)) throw new Error(`flow ${def.name} registered twice`);
    this.flows.set(def.name, def);
  }

  onForeign(prefix: string, handler: ForeignHandler): void {
    this.foreign.push({ prefix, handler });
  }
}

/** What lives for as long as one bot instance: shared by every update it handles. */
export interface Runtime {
  deps: BotDeps;
  store: BotStore;
  api: Api;
  adminIds: ReadonlySet<number>;
  registry: Registry;
  jobs: Jobs;
  /** Fingerprint of what each (chat, message) last showed, to skip edits that change nothing. */
  rendered: Map<string, string>;
  /** Secrets a flow holds between two answers (pending logins): memory only, lost on restart. */
  memory: Map<string, unknown>;
  /** The main menu (shown by /start and when no flow is waiting). */
  home(turn: Turn): View | Promise<View>;
  /** Downloads a file the admin sent. */
  download(fileId: string, maxBytes: number): Promise<Buffer>;
}
