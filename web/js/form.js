// The generator form: its values, the bundle spec they make, and share links of the safe fields.

import { byId } from './dom.js';

/** What the form shows on first load: the CloudRaya registry guide's example. */
export const DEFAULTS = Object.freeze({
  preset: 'cloudraya',
  server: 'registry.cloudraya.com',
  username: '',
  password: '',
  email: '',
  secretName: 'cr-registry-secret',
  namespaces: '',
  attach: 'serviceAccount',
  serviceAccount: 'default',
  withWorkload: true,
  kind: 'Deployment',
  workloadName: '',
  image: 'registry.cloudraya.com/my-app:v1.0.0',
  replicas: '2',
  port: '8080',
  output: 'yaml',
});

/** Kinds whose objects have a replica count. */
export const KINDS_WITH_REPLICAS = new Set(['Deployment', 'StatefulSet']);

const INPUTS = {
  preset: 'f-preset',
  server: 'f-server',
  username: 'f-username',
  password: 'f-password',
  email: 'f-email',
  secretName: 'f-secret-name',
  namespaces: 'f-namespaces',
  serviceAccount: 'f-service-account',
  kind: 'f-kind',
  workloadName: 'f-workload-name',
  image: 'f-image',
  replicas: 'f-replicas',
  port: 'f-port',
};

/** Fields that may travel in a share link (never username, password or e-mail), by URL key. */
const SHAREABLE = {
  preset: 'preset',
  server: 'server',
  secret: 'secretName',
  ns: 'namespaces',
  attach: 'attach',
  sa: 'serviceAccount',
  workload: 'withWorkload',
  kind: 'kind',
  name: 'workloadName',
  image: 'image',
  replicas: 'replicas',
  port: 'port',
  output: 'output',
};

const radio = (name) => document.querySelector(`input[name=${name}]:checked`)?.value;

/** The current values of every input, as strings (and one boolean). */
export function readForm() {
  const values = {};
  for (const [key, id] of Object.entries(INPUTS)) values[key] = byId(id).value;
  values.attach = radio('attach') ?? DEFAULTS.attach;
  values.output = radio('output') ?? DEFAULTS.output;
  values.withWorkload = byId('f-with-workload').checked;
  return values;
}

/** Puts `values` into the inputs; keys left out keep what the inputs hold. */
export function writeForm(values) {
  for (const [key, id] of Object.entries(INPUTS)) {
    if (key in values) byId(id).value = values[key];
  }
  for (const name of ['attach', 'output']) {
    if (!(name in values)) continue;
    const input = document.querySelector(`input[name=${name}][value="${CSS.escape(values[name])}"]`);
    if (input) input.checked = true;
  }
  if ('withWorkload' in values) byId('f-with-workload').checked = Boolean(values.withWorkload);
}

/** Namespaces as typed: separated by spaces or commas, as repeated `-n` flags. */
export function namespaceList(text) {
  return text.split(/[\s,]+/).filter(Boolean);
}

function wholeNumber(text, field, label) {
  const value = text.trim();
  if (value === '') return { value: null };
  if (!/^-?\d+$/.test(value)) {
    return {
      finding: {
        code: `${field}-not-a-number`,
        severity: 'error',
        field,
        message: `${label} '${value}' is not a whole number`,
        fix: `give a whole number${field === 'port' ? ', e.g. 8080' : ', e.g. 2'}`,
      },
    };
  }
  return { value: Number(value) };
}

/** The workload name the spec uses: as typed, or derived from the image like the CLI does. */
export function effectiveWorkloadName(values, defaultName) {
  return values.workloadName.trim() === '' ? defaultName(values.image) : values.workloadName;
}

/**
 * The camelCase bundle spec for `manifest::generate`, built exactly as `regcred bundle` builds it
 * from its flags, plus findings about inputs that are not numbers where numbers are needed.
 */
export function bundleSpec(values, defaultName) {
  const findings = [];
  const registry = { server: values.server, username: values.username, password: values.password };
  if (values.email !== '') registry.email = values.email;
  const spec = {
    registries: [registry],
    secretName: values.secretName,
    namespaces: namespaceList(values.namespaces),
    serviceAccount: values.serviceAccount === '' ? 'default' : values.serviceAccount,
    attach: values.attach,
    workload: null,
    output: values.output,
  };
  if (values.withWorkload) {
    const hasReplicas = KINDS_WITH_REPLICAS.has(values.kind);
    const replicas = hasReplicas ? wholeNumber(values.replicas, 'replicas', 'replicas') : {};
    const port = wholeNumber(values.port, 'port', 'container port');
    findings.push(...[replicas.finding, port.finding].filter(Boolean));
    spec.workload = {
      kind: values.kind,
      name: effectiveWorkloadName(values, defaultName),
      image: values.image,
      // The CLI always sends replicas (default 2), also for kinds that have none.
      replicas: replicas.value ?? 2,
      port: port.value,
    };
  }
  return { spec, findings };
}

/** A share link's fragment for the current values: only fields listed in SHAREABLE. */
export function shareFragment(values, tab) {
  const params = new URLSearchParams();
  for (const [key, field] of Object.entries(SHAREABLE)) {
    const value = values[field];
    if (value === DEFAULTS[field]) continue;
    params.set(key, typeof value === 'boolean' ? (value ? '1' : '0') : value);
  }
  if (tab !== 'bundle') params.set('tab', tab);
  return params.toString();
}

/** The values and tab a share link's fragment carries; unknown keys are ignored. */
export function readFragment(fragment) {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  const values = {};
  for (const [key, field] of Object.entries(SHAREABLE)) {
    if (!params.has(key)) continue;
    const value = params.get(key);
    values[field] = typeof DEFAULTS[field] === 'boolean' ? value === '1' : value;
  }
  return { values, tab: params.get('tab') };
}
