// A small element builder, so views read as a tree. It never writes a `style` attribute: the CSP forbids
// inline styles (CSSOM writes such as `node.style.height = ...` are allowed).

type Child = Node | string | null | undefined | false;

export interface ElementProps {
  class?: string;
  id?: string;
  /** Plain attributes; false/null/undefined leave them out, true sets them empty (HTML booleans). */
  attrs?: Record<string, string | number | boolean | null | undefined>;
  text?: string;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props?: ElementProps, children?: Child[]): HTMLElementTagNameMap[K];
export function el(tag: string, props: ElementProps = {}, children: Child[] = []): HTMLElement {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.id) node.id = props.id;
  for (const [name, value] of Object.entries(props.attrs ?? {})) setAttr(node, name, value);
  if (props.text !== undefined) node.textContent = props.text;
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

export function setAttr(node: Element, name: string, value: string | number | boolean | null | undefined): void {
  if (value === false || value === null || value === undefined) node.removeAttribute(name);
  else node.setAttribute(name, value === true ? '' : String(value));
}
