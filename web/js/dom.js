// Small DOM helpers. User text only ever reaches the page through text nodes, never as markup.

/** The element with this id. */
export const byId = (id) => document.getElementById(id);

/**
 * A new element: `attrs` sets attributes (`class`, `aria-*`, `data-*`, ...), except `text`, which
 * sets the text content; children are nodes or strings (added as text).
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'text') element.textContent = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/** `text` with line-break opportunities after dots, slashes, colons and dashes (host names, images). */
export function breakable(text) {
  const parts = String(text).split(/(?<=[./:-])/);
  return parts.flatMap((part, index) => (index < parts.length - 1 ? [part, document.createElement('wbr')] : [part]));
}

/** An inline SVG icon from a path list (the same stroke style as the static icons). */
export function icon(paths, className = 'icon') {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', className);
  for (const d of paths) {
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

/** Copies text to the clipboard; falls back to a hidden textarea where the API is refused. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h('textarea', { class: 'offscreen', 'aria-hidden': 'true' });
    area.value = text;
    document.body.append(area);
    area.select();
    const copied = document.execCommand('copy');
    area.remove();
    return copied;
  }
}

/** Saves text as a file through a local blob URL: no request leaves the browser. */
export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h('a', { href: url, download: filename, class: 'offscreen' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

let toastTimer = 0;

/** A short message in the polite live region at the bottom of the screen. */
export function toast(message) {
  let region = byId('toast');
  if (!region) {
    region = h('div', { id: 'toast', class: 'toast', role: 'status', 'aria-live': 'polite' });
    document.body.append(region);
  }
  region.textContent = message;
  region.classList.add('visible');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => region.classList.remove('visible'), 1800);
}

/**
 * Makes a role=tablist keyboard-operable (arrow keys, Home, End) with a roving tabindex;
 * `onSelect(tab)` runs when a tab is chosen.
 */
export function wireTabs(tablist, onSelect) {
  const tabs = () => [...tablist.querySelectorAll('[role=tab]:not([hidden]):not([disabled])')];
  const select = (tab, focus) => {
    for (const other of tablist.querySelectorAll('[role=tab]')) {
      const selected = other === tab;
      other.setAttribute('aria-selected', String(selected));
      other.tabIndex = selected ? 0 : -1;
    }
    if (focus) tab.focus();
    onSelect(tab);
  };
  tablist.addEventListener('click', (event) => {
    const tab = event.target.closest('[role=tab]');
    if (tab && !tab.disabled) select(tab, false);
  });
  tablist.addEventListener('keydown', (event) => {
    const list = tabs();
    const index = list.indexOf(document.activeElement);
    if (index < 0) return;
    const next = {
      ArrowRight: list[(index + 1) % list.length],
      ArrowLeft: list[(index - 1 + list.length) % list.length],
      Home: list[0],
      End: list[list.length - 1],
    }[event.key];
    if (next) {
      event.preventDefault();
      select(next, true);
    }
  });
  return (tab) => select(tab, false);
}
