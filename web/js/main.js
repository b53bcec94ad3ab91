// Boot: load the core, then forbid every connection, then start the modes.

import initGenerate, * as generateCore from '../pkg/regcred_generate.js';
import initAnalyze, * as analyzeCore from '../pkg/regcred_analyze.js';
import { byId, wireTabs } from './dom.js';
import { Generator } from './generate.js';
import { pasteModesUnavailable, startPasteModes } from './paste.js';

/**
 * A second Content-Security-Policy, added once both modules are compiled. Policies only ever add up,
 * so from here on `connect-src 'none'` holds: nothing the page does can send a request.
 */
function forbidConnections() {
  const meta = document.createElement('meta');
  meta.httpEquiv = 'Content-Security-Policy';
  meta.content = "connect-src 'none'; script-src 'none'; style-src 'none'; img-src data:; font-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; manifest-src 'none'";
  document.head.append(meta);
}

/** Counts requests and blocked attempts after load, in the pill and the footer. */
function watchRequests() {
  let requests = 0;
  let blocked = 0;
  const show = () => {
    const total = requests + blocked;
    byId('privacy-summary').textContent = total === 0 ? 'Runs locally · 0 requests since load' : `${requests} request${requests === 1 ? '' : 's'}, ${blocked} blocked since load`;
    byId('request-count').textContent = `${requests} network requests since the page loaded`;
    document.querySelector('.privacy-pill').classList.toggle('alert', total > 0);
  };
  new PerformanceObserver((list) => {
    requests += list.getEntries().filter((entry) => !entry.name.startsWith('blob:') && !entry.name.startsWith('data:')).length;
    show();
  }).observe({ type: 'resource' });
  document.addEventListener('securitypolicyviolation', () => {
    blocked += 1;
    show();
  });
  show();
}

function wireChrome() {
  const privacy = byId('privacy');
  const toggle = byId('privacy-toggle');
  toggle.addEventListener('click', () => {
    privacy.hidden = !privacy.hidden;
    toggle.setAttribute('aria-expanded', String(!privacy.hidden));
  });
  const themes = ['system', 'light', 'dark'];
  const labels = { system: 'follow the system', light: 'light', dark: 'dark' };
  const themeButton = byId('theme-toggle');
  themeButton.addEventListener('click', () => {
    const current = document.documentElement.dataset.theme ?? 'system';
    const next = themes[(themes.indexOf(current) + 1) % themes.length];
    if (next === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = next;
    const label = `Colour scheme: ${labels[next]}`;
    themeButton.setAttribute('aria-label', label);
    themeButton.title = label;
  });
  wireTabs(document.querySelector('.modes'), (tab) => {
    for (const panel of document.querySelectorAll('main > .panel')) {
      panel.hidden = panel.id !== tab.getAttribute('aria-controls');
    }
  });
}

const wasmUrl = (name) => new URL(`../pkg/${name}_bg.wasm`, import.meta.url);

async function boot() {
  // Both modules are requested now, while the page loads (the analysis module's bytes are
  // compiled only after the form's first YAML, so they do not slow it down).
  performance.mark('regcred:boot');
  const analyzeBytes = fetch(wasmUrl('regcred_analyze'));
  let analyzing = analyzeBytes;
  try {
    await initGenerate({ module_or_path: wasmUrl('regcred_generate') });
    performance.mark('regcred:form-module-ready');
    wireChrome();
    byId('version').textContent = `v${generateCore.version()}`;
    new Generator(generateCore).start();
    analyzing = initAnalyze({ module_or_path: analyzeBytes });
    await analyzing.then(() => startPasteModes(analyzeCore), pasteModesUnavailable);
  } finally {
    await analyzing.catch(() => {});
    forbidConnections();
    if (document.readyState === 'complete') watchRequests();
    else addEventListener('load', watchRequests, { once: true });
  }
}

boot().catch((error) => {
  const message = document.createElement('p');
  message.className = 'problem boot-problem';
  message.setAttribute('role', 'alert');
  message.textContent = `The generator could not start: ${error.message ?? error}. It needs WebAssembly; the regcred command does the same offline.`;
  document.querySelector('main').prepend(message);
});
