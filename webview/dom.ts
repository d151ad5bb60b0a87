// A tiny element builder so views read as a tree instead of a wall of createElement calls.
// It never writes a `style` attribute: the panel's CSP forbids inline styles (CSSOM writes are fine).

type Child = Node | string | null | undefined | false;

export interface ElementProps {
  class?: string;
  id?: string;
  /** Plain attributes, e.g. { role: 'button', 'aria-label': '...', tabindex: '0' }. */
  attrs?: Record<string, string | number | boolean | null | undefined>;
  /** data-* attributes without the prefix. */
  data?: Record<string, string>;
  text?: string;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[K]) => void }>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: ElementProps,
  children?: Child[],
): HTMLElementTagNameMap[K];
export function el(tag: string, props?: ElementProps, children?: Child[]): HTMLElement;
export function el(tag: string, props: ElementProps = {}, children: Child[] = []): HTMLElement {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.id) node.id = props.id;
  for (const [name, value] of Object.entries(props.attrs ?? {})) setAttr(node, name, value);
  for (const [name, value] of Object.entries(props.data ?? {})) node.dataset[name] = value;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [type, handler] of Object.entries(props.on ?? {})) {
    node.addEventListener(type, handler as EventListener);
  }
  append(node, children);
  return node;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Sets, or removes for false/null/undefined, one attribute (`true` sets it empty, as HTML booleans). */
export function setAttr(node: Element, name: string, value: string | number | boolean | null | undefined): void {
  if (value === false || value === null || value === undefined) node.removeAttribute(name);
  else node.setAttribute(name, value === true ? '' : String(value));
}

export function replaceChildren(parent: Element, children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** Activates `handler` on click and on Enter/Space, for elements that are not native buttons. */
export function onActivate(node: HTMLElement, handler: () => void): void {
  node.addEventListener('click', handler);
  node.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      handler();
    }
  });
}

/**
 * Rebuilds part of the DOM without losing keyboard focus: the focused element's `data-focus-key`
 * is remembered and the element with the same key in the new content gets the focus back.
 */
export function rebuildKeepingFocus(container: Element, rebuild: () => void): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset.focusKey : undefined;
  rebuild();
  if (key === undefined) return;
  const again = container.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`);
  again?.focus();
}
