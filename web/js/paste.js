// The paste modes: lint a manifest set, inspect a Secret or config.json, explain a failed pull,
// inject a pull Secret (js/inject.js).

import { byId, h } from './dom.js';
import { findingItem } from './generate.js';
import { startInjectMode } from './inject.js';
import { EXPLAIN_EXAMPLES, injectExample, inspectExample, lintExample } from './examples.js';

const EXAMPLES = { lint: lintExample, inspect: inspectExample, inject: injectExample, ...EXPLAIN_EXAMPLES };

const plural = (count, word) => `${count} ${word}${count === 1 ? '' : 's'}`;

function problem(error) {
  return h('p', { class: 'problem', role: 'alert', text: String(error.message ?? error) });
}

function findingList(findings) {
  return h('ul', { class: 'findings' }, findings.map((finding) => findingItem(finding, true)));
}

function lintView(findings) {
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  const warnings = findings.filter((finding) => finding.severity === 'warning').length;
  byId('lint-count').textContent = findings.length
    ? `${plural(errors, 'error')} · ${plural(warnings, 'warning')} · regcred lint exits ${errors ? 1 : 0}`
    : '';
  if (findings.length === 0) {
    return [h('p', { class: 'all-clear', text: 'No problems found: every image has a pull Secret whose key the kubelet matches.' })];
  }
  return [findingList(findings)];
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

function inspectionView(inspections) {
  return inspections.map((inspection) => h(
    'article',
    { class: 'inspection' },
    h('header', { class: 'inspection-head' },
      h('h3', { text: inspection.source === 'secret' ? `Secret ${inspection.object}` : inspection.object }),
      inspection.secretType ? h('code', { class: 'pill', text: inspection.secretType }) : null),
    inspection.entries.length
      ? entryTable(inspection.entries)
      : h('p', { class: 'hint', text: 'No registry entries: pods using it pull anonymously.' }),
    inspection.findings.length
      ? findingList(inspection.findings)
      : h('p', { class: 'all-clear', text: 'Nothing wrong: every entry reads the same way the kubelet reads it.' }),
  ));
}

function factsView(facts) {
  const rows = [
    ['Image', facts.image],
    ['Registry', facts.registry],
    ['Namespace', facts.namespace],
    ['HTTP status', facts.httpStatus],
    ['Missing Secrets', facts.missingSecrets?.join(', ')],
    ['Events', facts.reasons?.join(', ')],
  ].filter(([, value]) => value !== undefined && value !== null && value !== '');
  if (rows.length === 0) return null;
  return h('dl', { class: 'facts' }, rows.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', {}, h('code', { text: String(value) }))]));
}

function explanationView(explanation) {
  const causes = explanation.causes.map((cause, index) => h(
    'li',
    { class: `cause${explanation.recognized ? '' : ' cause-unknown'}`, 'data-code': cause.code },
    h('h3', {}, h('span', { class: 'cause-rank', text: String(index + 1), 'aria-hidden': 'true' }), cause.title),
    h('p', { text: cause.detail }),
    cause.evidence ? h('pre', { class: 'evidence' }, h('code', { text: cause.evidence })) : null,
    h('p', { class: 'cause-fix' }, h('strong', { text: 'Fix: ' }), cause.fix),
  ));
  return [factsView(explanation.facts), h('ol', { class: 'causes' }, causes)].filter(Boolean);
}

/** A paste box whose every edit runs `analyse` and renders the result (or the error) below. */
function wirePaste({ name, analyse, render, empty }) {
  const input = byId(`${name}-input`);
  const output = byId(`${name}-output`);
  let frame = 0;
  const run = () => {
    frame = 0;
    if (input.value.trim() === '') {
      output.replaceChildren(h('p', { class: 'hint', text: empty }));
      if (name === 'lint') byId('lint-count').textContent = '';
      return;
    }
    try {
      output.replaceChildren(...render(analyse(input.value)));
    } catch (error) {
      output.replaceChildren(problem(error));
    }
  };
  // Large pastes: one run per frame however fast the keys come.
  input.addEventListener('input', () => {
    if (!frame) frame = requestAnimationFrame(run);
  });
  run();
  return (text) => {
    input.value = text;
    run();
    input.focus();
    input.setSelectionRange(0, 0);
    input.scrollTop = 0;
  };
}

/** Starts the four paste modes on the analysis module. */
export function startPasteModes(core) {
  const load = {
    lint: wirePaste({ name: 'lint', analyse: core.lint, render: lintView, empty: 'Paste manifests, or load the example, to see which pulls will fail and why.' }),
    inspect: wirePaste({ name: 'inspect', analyse: core.inspect, render: inspectionView, empty: 'Paste a Secret (YAML or JSON, one or many) or the content of ~/.docker/config.json.' }),
    explain: wirePaste({ name: 'explain', analyse: core.explain, render: explanationView, empty: 'Paste the output of kubectl describe pod, or pick an example above.' }),
    inject: startInjectMode(core),
  };
  for (const button of document.querySelectorAll('[data-example]')) {
    const example = button.dataset.example;
    const mode = example.split('-')[0];
    button.addEventListener('click', () => load[mode](EXAMPLES[example]()));
  }
}

/** Shows why the paste modes cannot run, in each of their result boxes. */
export function pasteModesUnavailable(error) {
  for (const name of ['lint', 'inspect', 'explain', 'inject']) {
    byId(`${name}-output`).replaceChildren(problem(`The analysis module did not load: ${error.message ?? error}`));
  }
}
