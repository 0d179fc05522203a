import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Who runs a campaign: one process at a time, so no two runners settle or claim the same rows.
 * The owner names its host and pid so a runner killed outright can be told from a live one.
 */
export function newLeaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** True when the owner's process is known to be gone (same host, pid no longer alive). */
export function isLeaseOwnerDead(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The pid in an owner id, for messages. */
export function leaseOwnerPid(owner: string): string {
  return owner.split(':')[1] ?? '?';
}
