// Syntax colouring for the output panel. Every character of the input ends up in a text node in
// order, so the code element's textContent is exactly the generated text.

const YAML_KEY = /^(\s*)((?:- )*)([^\s#'"{[][^:#]*?|"[^"]*"|'[^']*')(:)(?=\s|$)(.*)$/;
const YAML_ITEM = /^(\s*)((?:- )+)(.*)$/;
const JSON_TOKEN = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b|([{}[\],])/g;
const SHELL_TOKEN = /('(?:[^'])*')|(\s--?[A-Za-z][\w-]*(?:=\S*)?)|(\|)/g;

function span(className, text) {
  const element = document.createElement('span');
  element.className = className;
  element.textContent = text;
  return element;
}

function scalar(text) {
  const value = text.trim();
  if (value === '') return [text];
  const lead = text.slice(0, text.indexOf(value));
  const tail = text.slice(lead.length + value.length);
  let className = 'tok-string';
  if (/^-?\d+(\.\d+)?$/.test(value)) className = 'tok-number';
  else if (/^(true|false|null|~)$/.test(value)) className = 'tok-keyword';
  else if (value.startsWith('#')) className = 'tok-comment';
  return [lead, span(className, value), tail];
}

function yamlLine(line) {
  if (/^\s*#/.test(line)) return [span('tok-comment', line)];
  if (line === '---' || line === '...') return [span('tok-punct', line)];
  const key = YAML_KEY.exec(line);
  if (key) {
    const [, indent, dashes, name, colon, rest] = key;
    return [indent, dashes && span('tok-punct', dashes), span('tok-key', name), span('tok-punct', colon), ...scalar(rest)];
  }
  const item = YAML_ITEM.exec(line);
  if (item) return [item[1], span('tok-punct', item[2]), ...scalar(item[3])];
  return [line];
}

function tokensBy(pattern, line, classify) {
  const parts = [];
  let last = 0;
  for (const match of line.matchAll(pattern)) {
    if (match.index > last) parts.push(line.slice(last, match.index));
    parts.push(...classify(match));
    last = match.index + match[0].length;
  }
  if (last < line.length) parts.push(line.slice(last));
  return parts;
}

function jsonLine(line) {
  return tokensBy(JSON_TOKEN, line, ([, string, colon, number, keyword, punct]) => {
    if (string && colon) return [span('tok-key', string), span('tok-punct', colon)];
    if (string) return [span('tok-string', string)];
    if (number) return [span('tok-number', number)];
    if (keyword) return [span('tok-keyword', keyword)];
    return [span('tok-punct', punct)];
  });
}

function shellLine(line) {
  if (/^\s*#/.test(line)) return [span('tok-comment', line)];
  const command = /^(\s*)(\S+)(.*)$/.exec(line);
  if (!command) return [line];
  const [, indent, word, rest] = command;
  const tokens = tokensBy(SHELL_TOKEN, rest, ([, quoted, flag, pipe]) => {
    if (quoted) return [span('tok-string', quoted)];
    if (flag) return [span('tok-key', flag)];
    return [span('tok-punct', pipe)];
  });
  return [indent, span('tok-command', word), ...tokens];
}

const LINES = { yaml: yamlLine, json: jsonLine, shell: shellLine, text: (line) => [line] };

const rendered = new WeakMap();

function lineElement(lineOf, line) {
  const element = document.createElement('span');
  // A CRLF line's CR is kept after the coloured part: the patterns read up to the line's end.
  const cr = line.endsWith('\r');
  for (const part of lineOf(cr ? line.slice(0, -1) : line)) {
    if (part !== '' && part !== null && part !== undefined && part !== false) element.append(part);
  }
  if (cr) element.append('\r');
  return element;
}

/** Texts longer than this many lines are shown without colour. */
const PLAIN_ABOVE = 5000;

/**
 * Fills `code` with coloured `text` (plain above PLAIN_ABOVE lines) and `gutter` with its line
 * numbers. Only lines that changed
 * since the last call are rebuilt, so a keystroke costs a line or two, not the whole text.
 */
export function renderCode(code, gutter, text, language) {
  const lineOf = LINES[language] ?? LINES.text;
  const lines = text.split('\n');
  const previous = rendered.get(code);
  if (lines.length > PLAIN_ABOVE) {
    // Colouring a whole manifest set costs a node per token and stalls the page; plain text is one.
    code.textContent = text;
    rendered.delete(code);
  } else if (!previous || previous.language !== language) {
    const nodes = lines.map((line) => lineElement(lineOf, line));
    const fragment = document.createDocumentFragment();
    nodes.forEach((node, index) => {
      fragment.append(node);
      if (index < nodes.length - 1) fragment.append('\n');
    });
    code.replaceChildren(fragment);
    rendered.set(code, { language, lines, nodes });
  } else {
    const { lines: old, nodes } = previous;
    const shared = Math.min(old.length, lines.length);
    for (let index = 0; index < shared; index += 1) {
      if (old[index] !== lines[index]) {
        const node = lineElement(lineOf, lines[index]);
        nodes[index].replaceWith(node);
        nodes[index] = node;
      }
    }
    for (let index = old.length; index < lines.length; index += 1) {
      const node = lineElement(lineOf, lines[index]);
      code.append('\n', node);
      nodes.push(node);
    }
    for (let index = old.length - 1; index >= lines.length; index -= 1) {
      nodes[index].previousSibling?.remove();
      nodes[index].remove();
      nodes.pop();
    }
    previous.lines = lines;
  }
  const count = text.endsWith('\n') ? lines.length - 1 : lines.length;
  if (gutter.dataset.count !== String(count)) {
    gutter.textContent = Array.from({ length: count }, (_, i) => i + 1).join('\n');
    gutter.dataset.count = String(count);
  }
}
