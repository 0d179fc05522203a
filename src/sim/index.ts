/** The simulated Telegram: what the rest of the panel may use. */
export { openWorld, SimWorld, type OpenWorldOptions, type PostResult } from './world.ts';
export type { AccountInfo, Delivery, WorldSummary } from './inspect.ts';
export { createWorld, createAndOpenWorld, WORLD_EPOCH, type CreateWorldOptions } from './create.ts';
export type { SimAttachment, BindableClient } from './attachment.ts';
export { parseFault, describeApplied, isOneShot, FAULT_SYNTAX, DEFAULT_BUDGETS, type SimFault, type SimFaultKind } from './faults.ts';
