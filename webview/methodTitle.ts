// Method titles with real subscripts (LRP-α₂β₁) as DOM: text nodes and <sub> elements. (As plain text:
// titleText in src/protocol/methodTitle.ts; laid out on the figure: src/engine/figure/titleText.ts.)
import type { MethodTitle } from '../src/protocol/methodTitle';
import { el } from './dom';

/** The title as inline DOM: text nodes and <sub> elements. */
export function titleNodes(title: MethodTitle): Node[] {
  return title.map((part) => (part.sub ? el('sub', { text: part.text }) : document.createTextNode(part.text)));
}
