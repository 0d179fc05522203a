#!/usr/bin/env node
// Runs the TypeScript sources through tsx so `npx telegram-panel` works right after `npm ci`,
// with no build step that could go stale.
import { register } from 'tsx/esm/api';

register();
await import('../src/interfaces/cli/main.ts');
