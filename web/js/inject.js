// Inject mode: pasted, opened or dropped manifests come back with the pull Secret added, as `regcred inject` prints them.

import { byId, copyText, download, h, toast } from './dom.js';
import { carriesFiles, describeText, draggedFile, readUtf8 } from './file.js';
import { findingItem } from './generate.js';
import { renderCode } from './highlight.js';

const plural = (count, word) => `${count} ${word}${count === 1 ? '' : 's'}`;
const list = (value) => value.split(/[\s,]+/).filter(Boolean);

/** The core's syntax errors read `line L, column C: reason` (inject::Error::Syntax). */
const SYNTAX = /^line (\d+), column (\d+): /;

/** The options as `InjectOptions` (camelCase), from the fields above the paste box. */
function readOptions() {
  const selector = byId('inject-selector').value.trim();
  return {
    secret: byId('inject-secret').value.trim(),
    kinds: list(byId('inject-kinds').value),
    namespaces: list(byId('inject-namespaces').value),
    selector: selector === '' ? null : selector,
    serviceAccounts: byId('inject-service-accounts').checked,
  };
}

/** Characters above which the page waits for typing to pause before injecting again. */
const LARGE_TEXT = 200_000;

/** The option fields that can carry an error of their own. */
const OPTION_FIELDS = ['secret', 'kinds', 'namespaces', 'selector'];

/** Where a thrown error belongs: beside the paste box (with its position), or beside a field. */
function placeError(error) {
  const message = String(error.message ?? error);
  const syntax = SYNTAX.exec(message);
  if (syntax) return { place: 'input', message, line: Number(syntax[1]), column: Number(syntax[2]) };
  // The core checks the secret name, the selector, the kinds and the namespaces, one error at a
  // time, and reads the text only then; each goes under its own field.
  if (message.startsWith('label selector ')) return { place: 'selector', message };
  if (message.startsWith("kind '")) return { place: 'kinds', message };
  if (message.startsWith('namespace ')) return { place: 'namespaces', message };
  return { place: 'secret', message };
}

/**
 * The UTF-16 offset of a line and column (both from one, the column in characters) in `text`.
 * The parser gives a BOM no column, so on the first line it is stepped over.
 */
function offsetOf(text, line, column) {
  const lines = text.split('\n');
  const index = Math.min(line, lines.length) - 1;
  const before = lines.slice(0, index).reduce((sum, each) => sum + each.length + 1, 0);
  const bom = index === 0 && lines[0].startsWith('\uFEFF') ? 1 : 0;
  const within = [...lines[index].slice(bom)].slice(0, column - 1).join('').length;
  return before + bom + within;
}

/** Puts the caret of the paste box at the syntax error, scrolled into view. */
function showPosition(input, line, column) {
  const at = offsetOf(input.value, line, column);
  input.focus();
  input.setSelectionRange(at, at);
  const lineHeight = parseFloat(getComputedStyle(input).lineHeight) || 19;
  input.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

function fieldError(name, message) {
  const findings = byId(`inject-${name}-findings`);
  const input = byId(`inject-${name}`);
  const container = input.closest('.field');
  findings.replaceChildren(...(message ? [findingItem({ severity: 'error', code: `inject-${name}`, message }, false)] : []));
  container.dataset.severity = message ? 'error' : '';
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function inputError(input, problem) {
  const box = byId('inject-input-error');
  box.hidden = !problem;
  if (!problem) {
    box.replaceChildren();
    delete box.dataset.message;
    input.removeAttribute('aria-invalid');
    return;
  }
  input.setAttribute('aria-invalid', 'true');
  // The same error on the next keystroke is not announced again.
  if (box.dataset.message === problem.message) return;
  box.dataset.message = problem.message;
  const jump = h('button', { type: 'button', class: 'button ghost', text: `Go to line ${problem.line}` });
  jump.addEventListener('click', () => showPosition(input, problem.line, problem.column));
  box.replaceChildren(h('p', { class: 'problem', role: 'alert' }, h('strong', { text: 'Not valid YAML: ' }), problem.message), jump);
}

/** A file that could not be opened: said beside the paste box, and nothing else changes. */
function fileError(message) {
  const box = byId('inject-file-error');
  box.hidden = !message;
  box.replaceChildren(...(message ? [h('p', { class: 'problem', role: 'alert', text: message })] : []));
}

/** What the note under the paste box says about an opened file, or null with none. */
function sourceNote(file) {
  if (!file) return null;
  if (!file.edited) return [`from ${file.name}`, file.lineEnds, file.hasBom && 'BOM kept'].filter(Boolean).join(' · ');
  const lost = file.hasCrlf ? ', with LF line ends (open the file again to keep its CRLF)' : '';
  return `${file.name}, edited here: the text in the box is the source now${lost}`;
}

/** How many objects a list shows before it says how many more there are. */
const LIST_LIMIT = 200;

/** The first LIST_LIMIT items, and a last one counting the rest. */
function capped(items, item) {
  const shown = items.slice(0, LIST_LIMIT).map(item);
  if (items.length > LIST_LIMIT) shown.push(h('li', { class: 'hint', text: `and ${items.length - LIST_LIMIT} more` }));
  return shown;
}

function changeList(changes) {
  return h('ul', { class: 'inject-list' }, capped(changes, (change) => h(
    'li',
    { class: 'inject-change', 'data-object': change.object, 'data-path': change.path, 'data-line': change.line },
    h('code', { class: 'finding-object', text: change.object }),
    h('span', { class: 'inject-path' }, h('code', { text: change.path }), ` · line ${change.line}`),
  )));
}

/** The summary under the output: what got the Secret, what had it already, what was left alone. */
function summaryView(injected, secret) {
  const { changes, unchanged, findings } = injected;
  byId('inject-count').textContent = `${changes.length} added · ${unchanged.length} already had it · regcred inject --check exits ${changes.length || findings.length ? 1 : 0}`;
  const parts = [];
  if (changes.length) {
    parts.push(h('h3', { text: `'${secret}' added to ${plural(changes.length, 'object')}` }), changeList(changes));
  }
  if (unchanged.length) {
    parts.push(
      h('h3', { text: `Already listed '${secret}'` }),
      h('ul', { class: 'inject-list' }, capped(unchanged, (object) => h('li', {}, h('code', { class: 'finding-object', text: object })))),
    );
  }
  if (findings.length) {
    parts.push(h('h3', { text: `Left alone (${findings.length})` }), h('ul', { class: 'findings' }, capped(findings, (finding) => findingItem(finding, true))));
  }
  if (!changes.length && !unchanged.length && !findings.length) {
    parts.push(h('p', { class: 'hint', text: 'No object matched: nothing here has a pod spec, or the kinds, namespaces and selector above exclude every one.' }));
  } else if (!changes.length && !findings.length) {
    parts.push(h('p', { class: 'all-clear', text: `Nothing to do: every matching object already lists '${secret}'.` }));
  }
  return parts;
}

/** The paste box, the options and the output, wired to the core's `inject`. */
class InjectMode {
  constructor(core) {
    this.core = core;
    this.input = byId('inject-input');
    this.lastGood = null;
    this.current = null;
    this.frame = 0;
    this.secretTouched = false;
    // An opened file: its decoded text is the source, byte for byte, until the box is edited (a
    // textarea's value has LF line ends only, so the box cannot hold a CRLF file itself).
    this.file = null;
    this.opening = 0;
    this.note = byId('inject-source');
    this.noFileNote = this.note.textContent;
  }

  start() {
    const secret = byId('inject-secret');
    const generateSecret = byId('f-secret-name');
    // The Generate form's Secret is the likely one to add, until the user types another here.
    // Presets and Reset change it too, so the whole form is followed (after its own handlers).
    const follow = () => {
      if (this.secretTouched || secret.value === generateSecret.value) return;
      secret.value = generateSecret.value;
      this.schedule();
    };
    secret.value = generateSecret.value;
    byId('form').addEventListener('input', follow);
    byId('reset').addEventListener('click', follow);
    secret.addEventListener('input', () => {
      this.secretTouched = true;
    });
    for (const id of ['inject-secret', 'inject-kinds', 'inject-namespaces', 'inject-selector']) {
      byId(id).addEventListener('input', () => this.schedule());
    }
    this.input.addEventListener('input', () => {
      this.edited();
      this.schedule();
    });
    this.wireFiles();
    byId('inject-service-accounts').addEventListener('change', () => this.schedule());
    byId('inject-copy').addEventListener('click', () => this.copy());
    byId('inject-download').addEventListener('click', () => this.save());
    this.run();
    return (text) => this.load(text);
  }

  /**
   * One run per frame however fast the keys come; for a large text (where a run takes longer
   * than a keystroke), one run once typing pauses.
   */
  schedule() {
    clearTimeout(this.idle);
    if (this.source().length > LARGE_TEXT) {
      if (this.frame) cancelAnimationFrame(this.frame);
      this.frame = 0;
      this.idle = setTimeout(() => this.run(), 300);
      return;
    }
    if (!this.frame) this.frame = requestAnimationFrame(() => this.run());
  }

  /** The "Open file…" button and dropping a file on the paste box. */
  wireFiles() {
    const picker = byId('inject-file');
    byId('inject-open').addEventListener('click', () => picker.click());
    picker.addEventListener('change', () => {
      const [file] = picker.files;
      // Cleared, so that choosing the same file again (after an edit) opens it again.
      picker.value = '';
      if (file) this.open(file);
    });
    const dragging = (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
      this.input.classList.add('is-drop-target');
    };
    this.input.addEventListener('dragenter', dragging);
    this.input.addEventListener('dragover', dragging);
    this.input.addEventListener('dragleave', () => this.input.classList.remove('is-drop-target'));
    this.input.addEventListener('drop', (event) => {
      this.input.classList.remove('is-drop-target');
      const file = draggedFile(event);
      if (!file) return;
      event.preventDefault();
      this.open(file);
    });
    // A file dropped beside the box would make the browser open it in place of the page, and
    // what was typed would be lost: outside the box a drop does nothing.
    const elsewhere = (event) => {
      if (!carriesFiles(event) || event.target === this.input) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'none';
    };
    window.addEventListener('dragover', elsewhere);
    window.addEventListener('drop', elsewhere);
  }

  /** Reads a file as the source; a file that cannot be read is named and changes nothing. */
  async open(file) {
    this.opening += 1;
    const attempt = this.opening;
    let text;
    try {
      text = await readUtf8(file);
    } catch (error) {
      if (attempt === this.opening) fileError(error.message);
      return;
    }
    if (attempt !== this.opening) return;
    this.setSource(text, { name: file.name, text, ...describeText(text), edited: false });
  }

  /** The text inject reads: the opened file's own, or the box's once it was edited. */
  source() {
    return this.file && !this.file.edited ? this.file.text : this.input.value;
  }

  edited() {
    if (!this.file) return;
    // An emptied box starts over: what is pasted next is not that file.
    if (this.input.value === '') this.file = null;
    else if (this.file.edited) return;
    else this.file.edited = true;
    this.showSource();
  }

  showSource() {
    const note = sourceNote(this.file) ?? this.noFileNote;
    if (this.note.textContent !== note) this.note.textContent = note;
  }

  load(text) {
    this.opening += 1;
    this.setSource(text, null);
  }

  /** Shows `text` in the box and injects into it; `file` is the opened file, or null. */
  setSource(text, file) {
    this.file = file;
    fileError(null);
    this.showSource();
    this.input.value = text;
    this.run();
    this.input.focus();
    this.input.setSelectionRange(0, 0);
    this.input.scrollTop = 0;
  }

  run() {
    this.frame = 0;
    const started = performance.now();
    const options = readOptions();
    const text = this.source();
    let injected = null;
    let problem = null;
    // Empty text too: the options are checked before the text is read, so a bad name shows at once.
    try {
      injected = this.core.inject(text, options);
    } catch (error) {
      problem = placeError(error);
    }
    for (const field of OPTION_FIELDS) fieldError(field, problem?.place === field ? problem.message : null);
    inputError(this.input, problem?.place === 'input' ? problem : null);
    this.render(text, options, injected, problem);
    const elapsed = performance.now() - started;
    byId('inject-time').textContent = text.trim() === '' || problem ? '' : `injected in ${elapsed < 1 ? elapsed.toFixed(2) : elapsed.toFixed(1)} ms`;
  }

  render(text, options, injected, problem) {
    const output = byId('inject-output');
    const banner = byId('inject-banner');
    const blank = text.trim() === '';
    const result = blank ? null : injected;
    if (result) this.lastGood = result;
    if (blank) this.lastGood = null;
    const shown = result ?? (problem ? this.lastGood : null);
    const language = /^\s*[[{]/.test(text) ? 'json' : 'yaml';
    renderCode(byId('inject-code'), byId('inject-gutter'), shown?.text ?? '', language);
    byId('inject-panel').classList.toggle('is-stale', Boolean(problem && shown));
    banner.hidden = !(problem && shown);
    banner.className = 'banner banner-stale';
    banner.textContent = problem && shown ? 'This is the output of the last valid input: fix the problem marked in red to update it.' : '';
    const file = this.file?.name ?? `manifests-with-${options.secret}.${language}`;
    this.current = result ? { text: result.text, file, language } : null;
    byId('inject-copy').disabled = !this.current;
    byId('inject-download').disabled = !this.current;
    const lines = result ? result.text.split('\n').length - (result.text.endsWith('\n') ? 1 : 0) : 0;
    byId('inject-status').textContent = result ? `${plural(result.changes.length, 'object')} changed · ${plural(lines, 'line')}` : '';
    if (result) {
      output.replaceChildren(...summaryView(result, options.secret));
    } else {
      byId('inject-count').textContent = '';
      const hint = problem
        ? 'Nothing injected from the text as it is: fix the problem marked in red.'
        : 'Paste manifests, or load the example, to add the pull Secret to every pod spec in them.';
      output.replaceChildren(h('p', { class: 'hint', text: hint }));
    }
  }

  async copy() {
    if (!this.current) return;
    toast((await copyText(this.current.text)) ? `Copied ${this.current.file}` : 'Copy failed: select the text and copy it by hand');
  }

  save() {
    if (!this.current) return;
    download(this.current.file, this.current.text, this.current.language === 'json' ? 'application/json' : 'application/yaml');
    toast(`Saved ${this.current.file}`);
  }
}

/** Starts inject mode on the analysis module; returns the function that loads an example. */
export function startInjectMode(core) {
  return new InjectMode(core).start();
}
