/** What one redraw of a progress line shows. */
export interface Progress {
  done: number;
  total: number;
  /** Labelled counts after `done/total`, in order (`ok 3  failed 1`). */
  counts: ReadonlyArray<readonly [string, number]>;
  /** What just happened worth a word (a wait, a retry); empty for nothing. */
  note?: string;
}

const WIDTH = 24;

/** `[######------------------] 6/24  ok 5  failed 1  note`. */
export function progressLine(p: Progress): string {
  const done = Math.min(Math.max(0, p.done), p.total);
  const filled = p.total <= 0 ? 0 : Math.round((done / p.total) * WIDTH);
  const counts = p.counts.map(([label, n]) => `  ${label} ${n}`).join('');
  return `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${p.total}${counts}${p.note ? `  ${p.note}` : ''}`;
}

export interface ProgressBar {
  draw(p: Progress): void;
  /** Removes the line, so what is printed next starts clean. */
  clear(): void;
}

/**
 * The one progress bar of the command line: a line on stderr redrawn in place. Only on a
 * terminal and without `--json`: a pipe or a script gets the final result alone.
 */
export function progressBar(stream: NodeJS.WriteStream, json: boolean): ProgressBar | undefined {
  if (json || !stream.isTTY) return undefined;
  return {
    draw: (p) => void stream.write(`\r${progressLine(p)}\x1b[K`),
    clear: () => void stream.write('\r\x1b[K'),
  };
}
