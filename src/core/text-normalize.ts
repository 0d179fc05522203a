/**
 * Folds text so that the ways people type the same Persian, Arabic or English word compare
 * equal: compatibility forms (NFKC), case, Arabic letter variants (ي/ی, ك/ک, ة/ه, أ/إ/آ/ا),
 * diacritics, tatweel, zero-width joiners and Persian/Arabic digits. Keywords and messages go
 * through the same function, so matching is plain substring search on the result.
 */

/**
 * What a code unit becomes: itself (default), another code unit, removed, whitespace, or a
 * surrogate to check for its pair. The markers are noncharacters; a code unit equal to its
 * entry is always kept, so the markers themselves pass through unchanged.
 */
const REMOVE = 0xffff;
const SPACE = 0xfffe;
const SURROGATE = 0xfffc;

const TABLE: Uint16Array = buildTable();

function buildTable(): Uint16Array {
  const t = new Uint16Array(0x10000);
  for (let i = 0; i < t.length; i++) t[i] = i;
  const set = (from: number, to: number): void => {
    t[from] = to;
  };
  const range = (lo: number, hi: number, to: number): void => {
    for (let c = lo; c <= hi; c++) t[c] = to;
  };
  // Combining marks that carry no letter identity here: Latin accents (after NFKD) and Arabic
  // harakat, shadda, sukun, superscript alef, Quranic marks, and the hamza/madda that NFKD splits
  // off آ أ إ ؤ ئ ۀ.
  range(0x0300, 0x036f, REMOVE);
  range(0x0610, 0x061a, REMOVE);
  range(0x064b, 0x065f, REMOVE);
  set(0x0670, REMOVE);
  range(0x06d6, 0x06dc, REMOVE);
  range(0x06df, 0x06e4, REMOVE);
  range(0x06e7, 0x06e8, REMOVE);
  range(0x06ea, 0x06ed, REMOVE);
  range(0x08d3, 0x08e1, REMOVE);
  range(0x08e3, 0x08ff, REMOVE);
  // Tatweel and invisible joiners/marks that people insert or omit at will.
  for (const c of [0x0640, 0x00ad, 0x061c, 0x180e, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2060, 0xfeff]) set(c, REMOVE);
  range(0x202a, 0x202e, REMOVE);
  range(0x2066, 0x2069, REMOVE);
  // Arabic letters to the Persian letters Persian keyboards produce.
  set(0x064a, 0x06cc); // ي -> ی
  set(0x0649, 0x06cc); // ى -> ی
  set(0x0643, 0x06a9); // ك -> ک
  set(0x06aa, 0x06a9); // ڪ -> ک
  set(0x0629, 0x0647); // ة -> ه
  set(0x06c1, 0x0647); // ہ -> ه
  set(0x06d5, 0x0647); // ە -> ه
  set(0x06be, 0x0647); // ھ -> ه
  for (const c of [0x0671, 0x0672, 0x0673]) set(c, 0x0627); // ٱ ٲ ٳ -> ا
  // Arabic-Indic and Persian digits to ASCII.
  for (let d = 0; d < 10; d++) {
    set(0x0660 + d, 0x30 + d);
    set(0x06f0 + d, 0x30 + d);
  }
  // ASCII space stays itself (the common case); runs of it are collapsed in the loop.
  for (const c of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]) set(c, SPACE);
  range(0x2000, 0x200a, SPACE);
  range(0xd800, 0xdfff, SURROGATE);
  return t;
}

const NON_ASCII = /[\u0080-\uffff]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The folded form of `text`: lowercase, NFC, letters and digits folded, marks and invisible
 * characters removed, every run of whitespace one space. Lone surrogates become U+FFFD so the
 * result is always well-formed. Not trimmed (a message's edges do not matter for search).
 */
export function normalizeText(text: string): string {
  // ASCII needs no Unicode normalization (the common case for English messages).
  const ascii = !NON_ASCII.test(text);
  const d = ascii ? text.toLowerCase() : text.normalize('NFKD').toLowerCase();
  let out = '';
  let chunkStart = 0;
  let lastSpace = false;
  // Unchanged stretches are copied with one slice: most characters map to themselves.
  for (let i = 0; i < d.length; i++) {
    const c = d.charCodeAt(i);
    const m = TABLE[c]!;
    if (m === c) {
      if (c === 0x20) {
        if (lastSpace) {
          out += d.slice(chunkStart, i);
          chunkStart = i + 1;
        }
        lastSpace = true;
      } else lastSpace = false;
      continue;
    }
    if (m === SURROGATE) {
      const next = d.charCodeAt(i + 1);
      lastSpace = false;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      out += d.slice(chunkStart, i) + '\ufffd';
      chunkStart = i + 1;
      continue;
    }
    out += d.slice(chunkStart, i);
    chunkStart = i + 1;
    if (m === REMOVE) continue;
    if (m === SPACE) {
      if (!lastSpace) out += ' ';
      lastSpace = true;
      continue;
    }
    out += String.fromCharCode(m);
    lastSpace = false;
  }
  out += d.slice(chunkStart);
  return ascii ? out : out.normalize('NFC');
}

/** The folded form of a keyword: like `normalizeText`, trimmed. */
export function normalizeKeyword(keyword: string): string {
  return normalizeText(keyword).trim();
}

/**
 * Folds only letters, digits, marks and invisible characters, keeping case and every ASCII
 * character, so a regular expression's syntax survives and its Persian letters match folded text.
 */
export function foldRegexSource(source: string): string {
  const decomposed = source.replace(LONE_SURROGATE, '\ufffd').normalize('NFKD');
  let out = '';
  for (let i = 0; i < decomposed.length; i++) {
    const c = decomposed.charCodeAt(i);
    const m = c < 0x80 ? c : TABLE[c]!;
    if (m === REMOVE) continue;
    if (m === SURROGATE) {
      out += String.fromCharCode(c);
      continue;
    }
    out += m === SPACE ? ' ' : String.fromCharCode(m);
  }
  return out.normalize('NFC');
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}_]/u;

/** Whether the code point ending just before `index` in `text` is a letter, digit, mark or `_`. */
export function wordCharBefore(text: string, index: number): boolean {
  if (index <= 0) return false;
  let start = index - 1;
  const c = text.charCodeAt(start);
  if (c >= 0xdc00 && c <= 0xdfff && start > 0) {
    const h = text.charCodeAt(start - 1);
    if (h >= 0xd800 && h <= 0xdbff) start--;
  }
  return WORD_CHAR.test(text.slice(start, index));
}

/** Whether the code point starting at `index` in `text` is a letter, digit, mark or `_`. */
export function wordCharAt(text: string, index: number): boolean {
  if (index >= text.length) return false;
  const cp = text.codePointAt(index)!;
  return WORD_CHAR.test(String.fromCodePoint(cp));
}
