import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Who holds a lease or runs a piece of work: `host/pid/random`. Naming the host and pid lets
 * another process tell an owner that was killed outright from one that is alive.
 */
export function processOwner(): string {
  return `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
}

/** Whether `owner` is a process on this host that has exited (an owner elsewhere is never presumed gone). */
export function ownerIsGone(owner: string): boolean {
  const [host, pid] = owner.split('/');
  if (host !== hostname() || !pid || !/^\d+$/.test(pid)) return false;
  if (Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** "process 123 on host" for messages. */
export function describeOwner(owner: string): string {
  const [host, pid] = owner.split('/');
  return host && pid ? `process ${pid} on ${host}` : owner;
}
