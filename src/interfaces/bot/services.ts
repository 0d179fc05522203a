/** The engine services the menus call; filled in as engines land. */
export type BotServices = Record<string, never>;
