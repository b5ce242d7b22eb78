/**
 * The one way this app makes DOM: `h(tag, props, ...children)`. Strings become text nodes, so data from
 * the server can never become markup; nothing here (or anywhere in the app) assigns innerHTML.
 */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

export interface Props {
  class?: string;
  testid?: string;
  data?: Record<string, string>;
  attrs?: Record<string, string>;
  title?: string;
  type?: string;
  name?: string;
  value?: string;
  placeholder?: string;
  href?: string;
  disabled?: boolean;
  hidden?: boolean;
  required?: boolean;
  autocomplete?: string;
  role?: string;
  tabIndex?: number;
  onClick?: (event: MouseEvent) => void;
  onSubmit?: (event: SubmitEvent) => void;
  onChange?: (event: Event) => void;
  onInput?: (event: Event) => void;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

function applyProps(el: HTMLElement, props: Props): void {
  if (props.class) el.className = props.class;
  if (props.testid) el.dataset.testid = props.testid;
  for (const [k, v] of Object.entries(props.data ?? {})) el.dataset[k] = v;
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  if (props.title !== undefined) el.title = props.title;
  if (props.role) el.setAttribute('role', props.role);
  if (props.tabIndex !== undefined) el.tabIndex = props.tabIndex;
  if (props.hidden) el.hidden = true;
  for (const attr of ['type', 'name', 'value', 'placeholder', 'href', 'autocomplete'] as const) {
    const value = props[attr];
    if (value !== undefined) el.setAttribute(attr, value);
  }
  if (props.disabled) el.setAttribute('disabled', '');
  if (props.required) el.setAttribute('required', '');
  if (props.onClick) el.addEventListener('click', props.onClick);
  if (props.onSubmit) el.addEventListener('submit', props.onSubmit as EventListener);
  if (props.onChange) el.addEventListener('change', props.onChange);
  if (props.onInput) el.addEventListener('input', props.onInput);
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) applyProps(el, props);
  append(el, children);
  return el;
}

/** Replaces every child of `el` with `children` (as text where they are strings). */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A `tel:` link; the href keeps only digits and `+`, so a phone field cannot smuggle a scheme in. */
export function telLink(phone: string, testid = 'tel-link'): HTMLAnchorElement {
  return h('a', { href: `tel:${phone.replace(/[^\d+]/g, '')}`, class: 'tel', testid }, phone);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}
