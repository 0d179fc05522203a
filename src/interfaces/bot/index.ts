/** The admin bot's public surface: build it from an App (`startBot`) or from parts (`createBot`). */
export { createBot, type CreateBotOptions, type FetchLike, type PanelBot } from './bot.ts';
export type { BotDeps } from './deps.ts';
export type { AccountsPort, BotServices, PollReader, UsagePort } from './services.ts';
export { accountsPort, botDeps, startBot, type SharedServices } from './wiring.ts';
