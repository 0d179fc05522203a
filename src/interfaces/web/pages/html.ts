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

const RTL_LETTER = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;

/**
 * Text from elsewhere (a phone, a username, a chat title) keeps its own direction inside the
 * page's. Without any right-to-left letter it is laid out left to right outright: `#1 +1555…`
 * begins with neutral characters, which the browser would otherwise order right to left.
 */
export function bdi(text: string | number): Html {
  const s = String(text);
  return RTL_LETTER.test(s) ? h`<bdi>${s}</bdi>` : h`<bdi dir="ltr">${s}</bdi>`;
}

/**
 * `bdi` for plain text (a page's title, which is also the window's): the same isolation with the
 * Unicode isolate marks, since a title cannot hold markup.
 */
export function isolate(text: string | number): string {
  const s = String(text);
  return RTL_LETTER.test(s) ? `\u2068${s}\u2069` : `\u2066${s}\u2069`;
}
