import type { Registry } from '../runtime.ts';
import { registerSettings } from './settings.ts';

/** Every menu module registers its routes and flows here. */
export function registerMenus(reg: Registry): void {
  registerSettings(reg);
}
