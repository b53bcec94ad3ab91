// The picture of what the user is building: registry → Secret → ServiceAccount → workload, one row
// per namespace, with every node and link a finding breaks marked on it.

import { breakable, h, icon } from './dom.js';

/** Which form fields belong to which node of the chain, and the input to focus for each. */
const NODES = {
  // A key that does not match the image is the registry's link as much as the workload's.
  registry: { fields: ['server', 'username', 'password', 'email'], codes: ['image-not-covered'], focus: 'f-server' },
  secret: { fields: ['secretName', 'namespace'], focus: 'f-secret-name' },
  serviceAccount: { fields: ['serviceAccount'], focus: 'f-service-account' },
  workload: { fields: ['workloadName', 'image', 'port', 'replicas', 'imagePullPolicy', 'kind'], focus: 'f-image' },
};

const RANK = { ok: 0, info: 1, warning: 2, error: 3 };
const WORDS = { ok: 'fine', info: 'note', warning: 'warning', error: 'broken' };

const worst = (states) => states.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok');

/** Findings about `node` in the row for `namespace` (namespace findings name their value). */
function nodeFindings(findings, node, namespace) {
  return findings.filter((finding) => {
    if (!NODES[node].fields.includes(finding.field) && !NODES[node].codes?.includes(finding.code)) return false;
    if (finding.field !== 'namespace' || namespace === null) return true;
    return finding.message.includes(`'${namespace}'`);
  });
}

function stateOf(findings) {
  return worst(findings.map((finding) => finding.severity));
}

function node({ key, kind, name, detail, findings, skipped, onFocus }) {
  const state = skipped ? 'skipped' : stateOf(findings);
  const summary = skipped
    ? `${kind} ${name}: not used`
    : `${kind} ${name}: ${WORDS[state]}${findings.length ? `, ${findings.map((f) => f.message).join('; ')}` : ''}`;
  const status = skipped ? 'not used' : `${WORDS[state]}${findings.length ? `: ${findings.map((f) => f.message).join('; ')}` : ''}`;
  const button = h(
    'button',
    { type: 'button', class: `node node-${key} state-${state}`, title: summary },
    h('span', { class: 'node-kind', text: kind }),
    h('span', { class: 'node-name' }, name ? breakable(name) : '—'),
    detail ? h('span', { class: 'node-detail', text: detail }) : null,
    h('span', { class: 'sr-only', text: `, ${status}` }),
    findings.length && !skipped ? h('span', { class: 'node-badge', text: String(findings.length), 'aria-hidden': 'true' }) : null,
  );
  button.addEventListener('click', () => onFocus(findings));
  return h('li', { class: 'chain-step' }, button);
}

function link(state, label) {
  const text = state === 'skipped' ? `${label}: not used` : `${label}: ${WORDS[state]}`;
  return h(
    'li',
    { class: `chain-link state-${state}`, title: text },
    h('span', { class: 'sr-only', text }),
    h('span', { class: 'link-label', 'aria-hidden': 'true', text: label }),
    h('span', { class: 'link-line', 'aria-hidden': 'true' }),
    state === 'error' ? icon(['M7 7l10 10M17 7L7 17'], 'link-mark') : null,
  );
}

/**
 * The chain for `spec` with `findings`; `focusField(id)` moves the keyboard focus to an input.
 * Returns a node to put in the page.
 */
export function chainView(spec, findings, focusField) {
  const registry = spec.registries[0];
  const namespaces = spec.namespaces.length ? spec.namespaces : [null];
  const viaAccount = spec.attach !== 'workload';
  const viaWorkload = spec.attach !== 'serviceAccount';
  const focusFor = (key) => (nodeFinds) => {
    const first = nodeFinds.find((finding) => finding.field);
    focusField(first ? first.field : null, NODES[key].focus);
  };

  const rows = namespaces.map((namespace) => {
    const found = Object.fromEntries(Object.keys(NODES).map((key) => [key, nodeFindings(findings, key, namespace)]));
    const state = Object.fromEntries(Object.entries(found).map(([key, list]) => [key, stateOf(list)]));
    const hasWorkload = spec.workload !== null;
    const items = [
      node({ key: 'registry', kind: 'Registry', name: registry.server, detail: registry.username ? `as ${registry.username}` : 'credentials to type', findings: found.registry, onFocus: focusFor('registry') }),
      link(worst([state.registry, state.secret]), 'credentials'),
      node({ key: 'secret', kind: 'Secret', name: spec.secretName, detail: namespace ? `namespace ${namespace}` : 'current namespace', findings: found.secret, onFocus: focusFor('secret') }),
    ];
    if (viaAccount) {
      items.push(
        link(worst([state.secret, state.serviceAccount]), 'listed in'),
        node({ key: 'serviceAccount', kind: 'ServiceAccount', name: spec.serviceAccount, detail: 'lists the Secret', findings: found.serviceAccount, onFocus: focusFor('serviceAccount') }),
      );
    }
    if (spec.workload !== null) {
      const upstream = viaAccount ? state.serviceAccount : state.secret;
      const detail = viaAccount && viaWorkload ? `${spec.workload.image} · lists it too` : spec.workload.image;
      items.push(
        link(worst([upstream, state.workload, viaWorkload ? state.secret : 'ok']), viaAccount ? 'used by' : 'listed in'),
        node({ key: 'workload', kind: spec.workload.kind, name: spec.workload.name, detail, findings: found.workload, onFocus: focusFor('workload') }),
      );
    }
    const label = namespace ? `Namespace ${namespace}` : 'Current namespace';
    return h(
      'div',
      { class: 'chain-row' },
      h('p', { class: 'chain-namespace' }, namespace ? ['Namespace ', h('code', { text: namespace })] : 'Current namespace'),
      h('ol', { class: `chain-steps steps-${(items.length + 1) / 2}`, 'aria-label': label }, items),
    );
  });
  return rows;
}
