/**
 * A markup fragment whose text was escaped when it was built. Pages compose fragments with `h`;
 * anything else interpolated is escaped, so text from Telegram (names, titles, messages) can never
 * become markup. Own small template instead of `hono/html`, whose result may be a promise: pages
 * render synchronously, which keeps them cheap and their types simple.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Part = Html | string | number | bigint | null | undefined | false | readonly Part[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return (part as readonly Part[]).map(render).join('');
  return escapeHtml(String(part));
}

export function h(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** Latin text (a phone, a username, a link) inside Persian text keeps its own direction. */
export function bdi(text: string | number): Html {
  return h`<bdi>${String(text)}</bdi>`;
}
