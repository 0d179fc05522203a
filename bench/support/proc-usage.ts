import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time and memory of other processes, read from Linux's /proc from outside, so a benchmark
 * can measure real `start` processes without asking them anything (a process that reports its
 * own figures would have to be told when to, and would change what it measures).
 */
export interface ProcUsage {
  /** User + system CPU time of the process itself (ms). */
  cpuMs: number;
  /** Peak resident memory so far (VmHWM). */
  peakRssBytes: number;
  /** Resident memory now (VmRSS). */
  rssBytes: number;
}

const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

interface Stat {
  ppid: number;
  /** Own user + system ticks. */
  ticks: number;
  /** Ticks of children it has reaped (exited PostgreSQL backends end up here). */
  reapedTicks: number;
}

function stat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may hold spaces and parentheses; the fields after its last ')' do not.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const n = (i: number): number => Number(f[i]);
  // Fields 3.. of proc(5): f[0] state, f[1] ppid, f[11] utime, f[12] stime, f[13] cutime, f[14] cstime.
  return { ppid: n(1), ticks: n(11) + n(12), reapedTicks: n(13) + n(14) };
}

const toMs = (ticks: number): number => (ticks * 1000) / ticksPerSecond;

/** The process's CPU time and memory now; null once it has gone. */
export function procUsage(pid: number): ProcUsage | null {
  const s = stat(pid);
  if (!s) return null;
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { cpuMs: toMs(s.ticks), peakRssBytes: kb('VmHWM'), rssBytes: kb('VmRSS') };
}

/**
 * CPU time used so far by a server and everything under it: its own, its live descendants'
 * (PostgreSQL's backends, one per connection) and its reaped children's (backends that have
 * exited). The difference of two readings is what the server spent in between.
 */
export function treeCpuMs(rootPid: number): number {
  const all = new Map<number, Stat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s) all.set(Number(name), s);
  }
  const root = all.get(rootPid);
  if (!root) return 0;
  let ticks = root.ticks + root.reapedTicks;
  const inTree = new Set([rootPid]);
  // Parents have lower pids only until pids wrap, so grow the set until nothing joins.
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, s] of all) {
      if (!inTree.has(pid) && inTree.has(s.ppid)) {
        inTree.add(pid);
        ticks += s.ticks;
        grew = true;
      }
    }
  }
  return toMs(ticks);
}
