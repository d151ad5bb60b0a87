/**
 * A problem the user can act on: bad input file, unsupported layer, invalid method parameters.
 * Its message is one line of at most MAX_MESSAGE characters that names the file (when there is one) and
 * the problem; the CLI prints it without a stack trace and the extension shows it in the panel. Names and
 * values read from a damaged file (an ONNX node name, a zip entry, a 10 MB JSON value) can hold anything:
 * control characters are written as \xNN here, and a message that is still too long is cut in the middle
 * with "…" (the file at the start and the advice at the end stay), whichever reader quoted them.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(fitMessage(message, file));
    this.name = 'UserError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof Error && e.name === 'UserError';
}

/** The longest message a UserError carries (a notification, a terminal line). */
export const MAX_MESSAGE = 300;
/** A file path longer than this is cut in its middle before the message is fitted. */
const MAX_FILE_IN_MESSAGE = 120;
/** How much of a too-long message's end is kept (where the advice usually is). */
const KEPT_TAIL = 90;

/** The characters a UserError naming `file` has for its problem (after "<file>: "). */
export function fittedRoom(file: string | undefined): number {
  return file ? MAX_MESSAGE - cutMiddle(oneLine(file), MAX_FILE_IN_MESSAGE, MAX_FILE_IN_MESSAGE / 2).length - 2 : MAX_MESSAGE;
}

function fitMessage(message: string, file: string | undefined): string {
  const text = oneLine(String(message));
  if (!file) return cutMiddle(shortenQuoted(text, MAX_MESSAGE), MAX_MESSAGE, KEPT_TAIL);
  const shownFile = cutMiddle(oneLine(file), MAX_FILE_IN_MESSAGE, MAX_FILE_IN_MESSAGE / 2);
  const room = fittedRoom(file);
  return `${shownFile}: ${cutMiddle(shortenQuoted(text, room), room, Math.min(KEPT_TAIL, Math.floor(room / 3)))}`;
}

/** A quoted part is never cut below this many characters. */
const MIN_QUOTED = 16;

/**
 * `text` with its longest "quoted" parts (names and values a file brought: a tensor name, a path, a bad
 * value) cut in their middle until it fits in `max`: the words around them, which say what is wrong, stay
 * whole. What still does not fit is cut by the caller.
 */
function shortenQuoted(text: string, max: number): string {
  let out = text;
  for (let round = 0; out.length > max && round < 8; round++) {
    const longest = longestQuoted(out);
    if (!longest) break;
    const inner = out.slice(longest.start + 1, longest.end - 1);
    const target = Math.max(MIN_QUOTED, inner.length - (out.length - max));
    if (target >= inner.length) break;
    const cut = cutMiddle(inner, target, Math.floor(target / 2));
    out = `${out.slice(0, longest.start)}"${cut}"${out.slice(longest.end)}`;
  }
  return out;
}

/** The longest "…" span of `text` (backslash escapes inside), by a scan: a regular expression with
 *  alternatives overflows the stack on a 10 MB value. */
function longestQuoted(text: string): { start: number; end: number } | null {
  let best: { start: number; end: number } | null = null;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '"') continue;
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    if (j >= text.length) break;
    if (!best || j + 1 - i > best.end - best.start) best = { start: i, end: j + 1 };
    i = j;
  }
  return best;
}

/** `text` if it fits in `max` characters, else its start and its last `tail` characters around "…". */
export function cutMiddle(text: string, max: number, tail: number): string {
  if (text.length <= max) return text;
  const head = Math.max(0, max - tail - 1);
  return `${text.slice(0, head)}…${text.slice(text.length - tail)}`;
}

/** "a, b, c, … and 12 more": as many of `items` as fit in about `max` characters, for messages that list choices. */
export function listCut(items: readonly string[], max: number): string {
  let text = '';
  for (let i = 0; i < items.length; i++) {
    const next = text ? `${text}, ${items[i]}` : items[i];
    const rest = items.length - i - 1;
    if (next.length + (rest ? ` … and ${rest} more`.length : 0) > max && text) return `${text}, … and ${items.length - i} more`;
    text = next;
  }
  return text;
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * A value from a file as a message may quote it: as JSON.stringify writes it, at most `max` characters, cut with "…".
 * Never walks more of the value than it shows (a 10 MB array or a 10,000-deep nesting costs nothing).
 */
export function shown(value: unknown, max = 60): string {
  let text = '';
  // An explicit stack instead of recursion: the nesting depth is whatever the file says.
  const stack: Array<{ value: unknown } | Token> = [{ value }];
  while (stack.length > 0 && text.length <= max) {
    const item = stack.pop()!;
    if (item instanceof Token) {
      text += item.text;
      continue;
    }
    const v = item.value;
    if (typeof v === 'string') text += JSON.stringify(v.slice(0, max + 1));
    else if (Array.isArray(v) || (typeof v === 'object' && v !== null)) {
      const isArray = Array.isArray(v);
      text += isArray ? '[' : '{';
      stack.push(new Token(isArray ? ']' : '}'));
      const keys = isArray ? [] : Object.keys(v).slice(0, max);
      const count = isArray ? Math.min(v.length, max) : keys.length;
      for (let i = count - 1; i >= 0; i--) {
        stack.push({ value: isArray ? v[i] : (v as Record<string, unknown>)[keys[i]] });
        if (!isArray) stack.push(new Token(`${JSON.stringify(keys[i].slice(0, max))}:`));
        if (i > 0) stack.push(new Token(','));
      }
    } else if (typeof v === 'bigint' || typeof v === 'symbol' || typeof v === 'function' || v === undefined) text += String(v);
    else text += JSON.stringify(v);
  }
  text = oneLine(text);
  return text.length <= max && stack.length === 0 ? text : `${text.slice(0, max - 1)}…`;
}

/** Literal text on the stack of `shown`. */
class Token {
  constructor(readonly text: string) {}
}
