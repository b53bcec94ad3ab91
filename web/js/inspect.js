// Inspect mode: what the kubelet reads from a pasted Secret or config.json, passwords masked.

import { byId, h } from './dom.js';
import { findingItem } from './generate.js';

/** A docker config with one good entry and one Docker Hub key that never matches. */
function exampleConfig() {
  const auth = (user, password) => btoa(`${user}:${password}`);
  return `${JSON.stringify({
    auths: {
      'registry.cloudraya.com': { username: 'cr-registry', password: 'example-password', auth: auth('cr-registry', 'example-password') },
      'registry-1.docker.io': { auth: auth('octocat', 'example-token') },
    },
  }, null, 2)}\n`;
}

function entryTable(entries) {
  const head = h('tr', {}, ['Key', 'Username', 'Password', 'E-mail', 'auth'].map((text) => h('th', { scope: 'col', text })));
  const rows = entries.map((entry) => h(
    'tr',
    {},
    h('td', {}, h('code', { text: entry.key })),
    h('td', { text: entry.username ?? '—' }),
    h('td', {}, h('code', { class: 'masked', text: entry.password ?? '—' })),
    h('td', { text: entry.email ?? '—' }),
    h('td', { text: entry.hasAuth ? 'yes' : 'no' }),
  ));
  return h('div', { class: 'table-scroll' }, h('table', { class: 'entries' }, h('thead', {}, head), h('tbody', {}, rows)));
}

function inspectionCard(inspection) {
  const label = inspection.source === 'secret' ? `Secret ${inspection.object}` : inspection.object;
  return h(
    'article',
    { class: 'inspection' },
    h('header', { class: 'inspection-head' },
      h('h3', { text: label }),
      inspection.secretType ? h('code', { class: 'pill', text: inspection.secretType }) : null),
    inspection.entries.length ? entryTable(inspection.entries) : h('p', { class: 'hint', text: 'No registry entries: pods using it pull anonymously.' }),
    inspection.findings.length
      ? h('ul', { class: 'findings' }, inspection.findings.map((finding) => findingItem(finding, true)))
      : h('p', { class: 'all-clear', text: 'Nothing wrong: every entry reads the same way the kubelet reads it.' }),
  );
}

/** Wires the paste box: every edit inspects the text again. */
export function startInspect(core) {
  const input = byId('inspect-input');
  const output = byId('inspect-output');
  const run = () => {
    const text = input.value;
    if (text.trim() === '') {
      output.replaceChildren(h('p', { class: 'hint', text: 'Paste a Secret (YAML or JSON, one or many) or the content of ~/.docker/config.json.' }));
      return;
    }
    try {
      output.replaceChildren(...core.inspect(text).map(inspectionCard));
    } catch (error) {
      output.replaceChildren(h('p', { class: 'problem', role: 'alert', text: String(error.message ?? error) }));
    }
  };
  input.addEventListener('input', run);
  byId('inspect-example').addEventListener('click', () => {
    input.value = exampleConfig();
    run();
    input.focus();
  });
  run();
}
