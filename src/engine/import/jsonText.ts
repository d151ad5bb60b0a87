// JSON from a model file or a card (model.json, a Keras config, a card.json): its nesting depth is checked
// by a scan before it is parsed, so that no reader (nor JSON.stringify of a value in a message) recurses
// 100,000 levels deep on a hostile file; a syntax error is one line naming the file.
import { BUDGETS, checkBudget } from '../budgets';
import { UserError } from '../errors';

/** `text` parsed; `what` names the JSON in messages ("config.json", "the card"), `file` the file. */
export function parseJson(text: string, what: string, file: string): unknown {
  checkBudget('jsonDepth', nestingDepth(text, BUDGETS.jsonDepth), what, file);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`${what} is not valid JSON (${(e as Error).message}); fix the file or save it again`, file);
  }
}

/**
 * The deepest nesting of arrays and objects in `text` (strings skipped), or `limit + 1` as soon as it is
 * deeper than `limit`. Broken JSON gets some number; JSON.parse then says what is wrong with it.
 */
export function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}
