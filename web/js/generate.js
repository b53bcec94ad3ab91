// Generate mode: every input runs the core again and the output, findings and chain follow.

import { byId, copyText, download, h, icon, toast, wireTabs } from './dom.js';
import { renderCode } from './highlight.js';
import { chainView } from './chain.js';
import { cliCommand } from './cli.js';
import {
  DEFAULTS, KINDS_WITH_REPLICAS, bundleSpec, effectiveWorkloadName, readForm,
  readFragment, shareFragment, writeForm,
} from './form.js';

/** Stand-ins while username or password are still empty: the output is then only a preview. */
const PLACEHOLDER = { username: '<username>', password: '<password>' };
const EMPTY_CREDENTIALS = new Set(['username-empty', 'password-empty']);
const FIELD_LABELS = {
  server: 'Registry server', username: 'Username', password: 'Password', email: 'E-mail',
  secretName: 'Secret name', namespace: 'Namespaces', serviceAccount: 'ServiceAccount',
  workloadName: 'Workload name', image: 'Image', replicas: 'Replicas', port: 'Container port',
};
const FIELD_INPUTS = {
  server: 'f-server', username: 'f-username', password: 'f-password', email: 'f-email',
  secretName: 'f-secret-name', namespace: 'f-namespaces', serviceAccount: 'f-service-account',
  workloadName: 'f-workload-name', image: 'f-image', replicas: 'f-replicas', port: 'f-port',
};
const SEVERITY_ICON = {
  error: ['M12 8v5', 'M12 16.5v.5', 'M10.3 3.9L2.4 18a2 2 0 0 0 1.7 3h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z'],
  warning: ['M12 8v5', 'M12 16.5v.5', 'M10.3 3.9L2.4 18a2 2 0 0 0 1.7 3h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z'],
  info: ['M12 11v6', 'M12 7.5v.5', 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z'],
};

export class Generator {
  constructor(core) {
    this.core = core;
    this.presets = core.presets();
    this.touched = new Set();
    this.tab = 'bundle';
    this.lastGood = null;
    this.view = null;
    this.rendered = { text: null, language: null };
    this.firstYaml = false;
  }

  /** Fills the selects, applies a share link, wires every control and renders once. */
  start() {
    this.fillSelects();
    writeForm(DEFAULTS);
    this.applyPreset(DEFAULTS.preset, { keepValues: true });
    const { values, tab } = readFragment(location.hash);
    if (Object.keys(values).length) {
      writeForm(values);
      if ('preset' in values) this.applyPreset(values.preset, { keepValues: true });
    }
    this.selectTab = wireTabs(byId('output-tabs'), (tabElement) => this.showTab(tabElement.dataset.tab));
    if (tab && byId(`tab-${tab}`)) this.selectTab(byId(`tab-${tab}`));
    this.wire();
    this.update();
  }

  fillSelects() {
    const preset = byId('f-preset');
    for (const entry of this.presets) preset.append(h('option', { value: entry.id, text: entry.name }));
    byId('f-kind').append(...this.core.workloadKinds().map((kind) => h('option', { value: kind, text: kind })));
  }

  wire() {
    const form = byId('form');
    form.addEventListener('submit', (event) => event.preventDefault());
    form.addEventListener('input', (event) => {
      if (event.target.name) this.touched.add(event.target.name === 'namespaces' ? 'namespace' : event.target.name);
      if (event.target.id === 'f-preset') this.applyPreset(event.target.value, { keepValues: false });
      this.update();
    });
    document.querySelectorAll('input[name=output]').forEach((input) => input.addEventListener('change', () => this.update()));
    byId('password-reveal').addEventListener('click', () => this.toggleReveal());
    byId('copy').addEventListener('click', () => this.copyOutput());
    byId('download').addEventListener('click', () => this.downloadOutput());
    byId('copy-cli').addEventListener('click', async () => {
      toast((await copyText(byId('cli-command').textContent)) ? 'Command copied' : 'Copy failed');
    });
    byId('share').addEventListener('click', () => this.share());
    byId('reset').addEventListener('click', () => this.reset());
  }

  applyPreset(id, { keepValues }) {
    const preset = this.presets.find((entry) => entry.id === id);
    const notes = byId('preset-notes');
    const hints = { 'username-hint': preset?.usernameHint, 'password-hint': preset?.passwordHint };
    for (const [hintId, text] of Object.entries(hints)) {
      byId(hintId).hidden = !text;
      byId(hintId).textContent = text ?? '';
    }
    notes.hidden = !preset;
    notes.textContent = preset?.notes ?? '';
    const server = byId('f-server');
    server.placeholder = preset?.server ?? 'registry.example.com';
    byId('f-username').placeholder = preset?.id === 'cloudraya' ? 'cr-registry' : '';
    if (!preset || keepValues) return;
    // A server with <placeholders> is a pattern to fill in, not a value.
    server.value = preset.server.includes('<') ? '' : preset.server;
    byId('f-secret-name').value = preset.secretName;
    if (server.value === '') server.focus();
  }

  toggleReveal() {
    this.reveal(byId('f-password').type === 'password');
  }

  /** Shows or masks the password; the toggle says which it does next. */
  reveal(show) {
    const button = byId('password-reveal');
    byId('f-password').type = show ? 'text' : 'password';
    button.setAttribute('aria-pressed', String(show));
    const label = show ? 'Hide password' : 'Show password';
    button.setAttribute('aria-label', label);
    button.title = label;
  }

  /** Runs the core on the form and renders everything; timed for the status line. */
  update() {
    const started = performance.now();
    const values = readForm();
    const defaultName = (image) => this.core.defaultWorkloadName(image);
    const { spec, findings: inputFindings } = bundleSpec(values, defaultName);
    this.view = this.compute(spec, inputFindings);
    this.render(values, spec);
    const elapsed = performance.now() - started;
    performance.measure('regcred:regenerate', { start: started, end: started + elapsed });
    if (performance.getEntriesByName('regcred:regenerate').length > 500) performance.clearMeasures('regcred:regenerate');
    byId('status-time').textContent = `regenerated in ${elapsed < 1 ? elapsed.toFixed(2) : elapsed.toFixed(1)} ms`;
  }

  /** Findings for the spec, and the output: live, a preview with stand-in credentials, or stale. */
  compute(spec, inputFindings) {
    let findings;
    try {
      findings = inputFindings.concat(this.core.checkBundle(spec));
    } catch (error) {
      return { mode: 'failed', findings: inputFindings, error: String(error.message ?? error) };
    }
    const errors = findings.filter((finding) => finding.severity === 'error');
    let mode = 'live';
    let source = spec;
    if (errors.length && errors.every((finding) => EMPTY_CREDENTIALS.has(finding.code))) {
      mode = 'preview';
      const [registry] = spec.registries;
      source = {
        ...spec,
        registries: [{
          ...registry,
          username: registry.username || PLACEHOLDER.username,
          password: registry.password || PLACEHOLDER.password,
        }],
      };
    } else if (errors.length) {
      return { mode: 'stale', findings, generated: this.lastGood };
    }
    try {
      const generated = this.core.generate(source);
      const copies = Math.max(1, spec.namespaces.length);
      generated.objects = { bundle: copies * (spec.workload ? 2 : 1), secret: copies, workload: copies };
      this.lastGood = generated;
      return { mode, findings, generated };
    } catch (error) {
      return { mode: 'failed', findings, error: String(error.message ?? error), generated: this.lastGood };
    }
  }

  /** Findings worth showing: an empty username or password only once the user has been there. */
  visible(findings) {
    return findings.filter((finding) => !EMPTY_CREDENTIALS.has(finding.code) || this.touched.has(finding.field));
  }

  render(values, spec) {
    const findings = this.visible(this.view.findings);
    this.renderTabs(values);
    this.renderOutput(values);
    // Most keystrokes leave the findings as they were: their lists are rebuilt only on a change.
    const findingsKey = JSON.stringify(findings);
    if (findingsKey !== this.findingsKey) {
      this.findingsKey = findingsKey;
      this.renderFieldFindings(findings);
      this.renderFindingList(findings);
    }
    const chainKey = JSON.stringify([spec.registries[0].server, spec.registries[0].username, spec.secretName,
      spec.namespaces, spec.serviceAccount, spec.attach, spec.workload, findingsKey]);
    if (chainKey !== this.chainKey) {
      this.chainKey = chainKey;
      byId('chain').replaceChildren(...chainView(spec, findings, (field, fallback) => this.focusField(field, fallback)));
    }
    byId('cli-command').textContent = cliCommand(values, this.tab);
    byId('f-workload-name').placeholder = this.core.defaultWorkloadName(values.image) || 'my-app';
    byId('workload-fields').hidden = !values.withWorkload;
    byId('replicas-field').hidden = !KINDS_WITH_REPLICAS.has(values.kind);
    byId('f-service-account').disabled = values.attach === 'workload';
  }

  renderTabs(values) {
    const disabled = { workload: !values.withWorkload, serviceaccount: values.attach === 'workload' };
    for (const [tab, off] of Object.entries(disabled)) {
      const element = byId(`tab-${tab}`);
      element.disabled = off;
      if (off && this.tab === tab) this.selectTab(byId('tab-bundle'));
    }
  }

  /** The text, language and file name of the selected tab. */
  tabContent(generated, values) {
    const ext = values.output === 'json' ? 'json' : 'yaml';
    const account = values.serviceAccount || 'default';
    switch (this.tab) {
      case 'secret':
        return { text: generated.secrets, language: ext, file: `${values.secretName}.${ext}` };
      case 'workload':
        return generated.workload === null ? null : {
          text: generated.workload,
          language: ext,
          file: `${effectiveWorkloadName(values, (image) => this.core.defaultWorkloadName(image))}.${ext}`,
        };
      case 'serviceaccount': {
        const patch = generated.serviceAccountPatch;
        if (patch === null) return null;
        const text = `# ServiceAccount '${account}' already lists pull secrets: append (existing entries stay)\n${patch.append}\n`
          + `# ServiceAccount '${account}' lists none yet: create the list\n${patch.create}\n`;
        return { text, language: 'patch', file: `${account}-serviceaccount-patches.txt` };
      }
      case 'commands':
        return { text: generated.kubectlCommands, language: 'shell', file: 'regcred-steps.sh' };
      default:
        return { text: generated.bundle, language: ext, file: `${values.secretName}-bundle.${ext}` };
    }
  }

  renderOutput(values) {
    const { mode, generated, error, findings } = this.view;
    const banner = byId('output-banner');
    const panel = byId('output-panel');
    const content = generated ? this.tabContent(generated, values) : null;
    const errorCount = findings.filter((finding) => finding.severity === 'error').length;
    const messages = {
      preview: 'Preview with stand-in credentials: type the username and password to get a Secret you can apply. Copy and download unlock then.',
      stale: `Fix the ${errorCount === 1 ? 'error' : `${errorCount} errors`} marked in the form; ${generated ? 'this is the output of the last valid input.' : 'nothing can be generated yet.'}`,
      failed: `The core refused the input: ${error}`,
    };
    banner.hidden = mode === 'live';
    banner.textContent = messages[mode] ?? '';
    banner.className = `banner banner-${mode}`;
    panel.classList.toggle('is-stale', mode === 'stale' || mode === 'failed');
    panel.classList.toggle('is-preview', mode === 'preview');
    panel.setAttribute('aria-labelledby', `tab-${this.tab}`);
    const usable = mode === 'live' && content !== null;
    byId('copy').disabled = !usable;
    byId('download').disabled = !usable;
    this.current = usable ? content : null;

    const text = content?.text ?? '';
    const language = content?.language === 'patch' ? 'patch' : content?.language ?? 'text';
    if (text !== this.rendered.text || language !== this.rendered.language) {
      renderCode(byId('code'), byId('gutter'), text, language === 'patch' ? 'shell' : language);
      this.rendered = { text, language };
    }
    const objects = generated?.objects?.[this.tab];
    const lines = text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    const parts = [objects && `${objects} object${objects === 1 ? '' : 's'}`, lines && `${lines} lines`, content?.language === values.output && values.output.toUpperCase()];
    byId('status-objects').textContent = generated ? parts.filter(Boolean).join(' · ') : '';
    if (!this.firstYaml && text !== '') {
      this.firstYaml = true;
      performance.mark('regcred:first-yaml');
    }
  }

  /** Findings next to their fields, each input marked invalid while it has an error. */
  renderFieldFindings(findings) {
    for (const container of document.querySelectorAll('[data-field]')) {
      const field = container.dataset.field;
      const input = byId(FIELD_INPUTS[field]);
      const own = findings.filter((finding) => finding.field === field);
      let list = byId(`ff-${field}`);
      if (!list) {
        list = h('ul', { class: 'field-findings', id: `ff-${field}` });
        // Side-by-side fields get their findings across the whole row, where there is room.
        if (container.parentElement.classList.contains('row')) container.parentElement.append(list);
        else container.append(list);
        const described = new Set((input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean));
        described.add(list.id);
        input.setAttribute('aria-describedby', [...described].join(' '));
      }
      list.replaceChildren(...own.map((finding) => findingItem(finding, false)));
      const severity = own.some((f) => f.severity === 'error') ? 'error' : own.some((f) => f.severity === 'warning') ? 'warning' : '';
      container.dataset.severity = severity;
      if (severity === 'error') input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }

  renderFindingList(findings) {
    const list = byId('findings');
    const order = { error: 0, warning: 1, info: 2 };
    const sorted = [...findings].sort((a, b) => order[a.severity] - order[b.severity]);
    if (sorted.length === 0) {
      list.replaceChildren(h('li', { class: 'finding finding-clear' }, icon(['M5 12.5l4.5 4.5L19 7.5'], 'icon severity-icon'), h('span', { text: 'No findings: the kubelet will find this Secret for the image and the API will accept every name.' })));
    } else {
      list.replaceChildren(...sorted.map((finding) => {
        const item = findingItem(finding, true);
        if (finding.field && FIELD_INPUTS[finding.field]) {
          const jump = h('button', { type: 'button', class: 'finding-field', text: FIELD_LABELS[finding.field] ?? finding.field });
          jump.addEventListener('click', () => this.focusField(finding.field));
          item.querySelector('.finding-body').prepend(jump);
        }
        return item;
      }));
    }
    const counts = ['error', 'warning', 'info'].map((severity) => [severity, findings.filter((f) => f.severity === severity).length]).filter(([, n]) => n);
    byId('findings-count').textContent = counts.map(([severity, n]) => `${n} ${severity}${n === 1 ? '' : 's'}`).join(' · ');
  }

  focusField(field, fallback) {
    const input = byId(FIELD_INPUTS[field] ?? fallback);
    if (!input) return;
    if (input.closest('[hidden]')) byId('f-with-workload').focus();
    else input.focus();
  }

  showTab(tab) {
    this.tab = tab;
    if (this.view) this.render(readForm(), bundleSpec(readForm(), (image) => this.core.defaultWorkloadName(image)).spec);
  }

  async copyOutput() {
    if (!this.current) return;
    toast((await copyText(this.current.text)) ? `Copied ${this.current.file}` : 'Copy failed: select the text and copy it by hand');
  }

  downloadOutput() {
    if (!this.current) return;
    const type = this.current.language === 'json' ? 'application/json' : this.current.language === 'yaml' ? 'application/yaml' : 'text/plain';
    download(this.current.file, this.current.text, type);
    toast(`Saved ${this.current.file}`);
  }

  async share() {
    const fragment = shareFragment(readForm(), this.tab);
    const url = `${location.origin}${location.pathname}${fragment ? `#${fragment}` : ''}`;
    history.replaceState(null, '', url);
    toast((await copyText(url)) ? 'Link copied: it holds no username, password or e-mail' : 'The link is in the address bar');
  }

  reset() {
    writeForm(DEFAULTS);
    this.touched.clear();
    this.reveal(false);
    this.applyPreset(DEFAULTS.preset, { keepValues: true });
    history.replaceState(null, '', `${location.origin}${location.pathname}`);
    this.update();
  }
}

/** One finding as a list item: icon, message, fix. */
export function findingItem(finding, withCode) {
  return h(
    'li',
    { class: `finding severity-${finding.severity}`, 'data-code': finding.code },
    icon(SEVERITY_ICON[finding.severity] ?? SEVERITY_ICON.info, 'icon severity-icon'),
    h(
      'div',
      { class: 'finding-body' },
      h('span', { class: 'sr-only', text: `${finding.severity}: ` }),
      finding.object ? h('code', { class: 'finding-object', text: finding.object }) : null,
      h('span', { class: 'finding-message', text: finding.message }),
      finding.fix ? h('span', { class: 'finding-fix' }, h('strong', { text: 'Fix: ' }), finding.fix) : null,
      withCode ? h('code', { class: 'finding-code', text: finding.code }) : null,
    ),
  );
}
