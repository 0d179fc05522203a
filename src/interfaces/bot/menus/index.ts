import type { Registry } from '../runtime.ts';

/** Every menu module registers its routes and flows here. */
export function registerMenus(reg: Registry): void {
  void reg;
}
