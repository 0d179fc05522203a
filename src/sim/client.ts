/**
 * A production mtcute TelegramClient wired to a world, for tests, benchmarks and the demo. The
 * panel's own client factory (src/telegram) does the same with its own options.
 */
import { MemoryStorage, type ITelegramStorageProvider } from '@mtcute/core';
import { networkMiddlewares, TelegramClient } from '@mtcute/node';
import type { SimAttachment } from './attachment.ts';
import type { SimWorld } from './world.ts';

export interface SimClientOptions {
  storage?: ITelegramStorageProvider;
  /** mtcute log level (0 off … 5 verbose); default: the SIM_LOG environment variable, else 0. */
  logLevel?: number;
  /** Disable mtcute's updates machinery (no getState / pushes). */
  disableUpdates?: boolean;
}

export interface SimClient {
  client: TelegramClient;
  attachment: SimAttachment;
  /** Detaches from the world and destroys the client. */
  close(): Promise<void>;
}

export function simClient(world: SimWorld, opts: SimClientOptions = {}): SimClient {
  const attachment = world.attach();
  const client = new TelegramClient({
    apiId: 1,
    apiHash: '00000000000000000000000000000000',
    storage: opts.storage ?? new MemoryStorage(),
    transport: attachment.transport,
    logLevel: opts.logLevel ?? Number(process.env.SIM_LOG ?? 0),
    disableUpdates: opts.disableUpdates,
    network: {
      middlewares: [
        // Never sleep on FLOOD_WAIT (callers decide) and do not retry RANDOM_ID_DUPLICATE (a 500).
        ...networkMiddlewares.basic({ floodWaiter: { maxWait: 0, store: false }, internalErrors: { maxRetries: 0, exceptErrors: ['RANDOM_ID_DUPLICATE'] } }),
        attachment.middleware,
      ],
    },
  });
  attachment.bind(client);
  return {
    client,
    attachment,
    async close() {
      // mtcute fetches the updates state in the background after a login; destroying the client
      // while that runs leaves an unhandled "Client is destroyed" rejection inside mtcute.
      if (!opts.disableUpdates) await client.startUpdatesLoop().catch(() => undefined);
      await client.destroy();
      attachment.close();
    },
  };
}

/** A client logged in as a fleet account of the world (by phone), answering code and password from the world. */
export async function loggedInClient(world: SimWorld, phone: string, opts: SimClientOptions = {}): Promise<SimClient> {
  const account = world.accounts().find((a) => a.phone === phone);
  if (!account) throw new Error(`no fleet account ${phone} in the world`);
  const c = simClient(world, opts);
  await c.client.start({
    phone: account.phone,
    code: () => Promise.resolve(account.code),
    password: account.password ? () => Promise.resolve(account.password!) : undefined,
    codeSentCallback: () => undefined,
  });
  return c;
}
