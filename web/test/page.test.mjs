// The page in Debian's Chromium: same bytes as the CLI, findings that appear and clear, no
// request after load, keyboard use, screenshots, and the size and speed figures.
//
// Environment: REGCRED_BIN (the CLI to compare with), CHROMIUM (default /usr/bin/chromium),
// CHROMIUM_ARGS (space-separated flags), ARTIFACTS (where screenshots and metrics go).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const WEB = resolve(HERE, '..');
const ROOT = resolve(WEB, '..');
const REGCRED = process.env.REGCRED_BIN ?? join(ROOT, 'target/debug/regcred');
const ARTIFACTS = process.env.ARTIFACTS ?? join(ROOT, 'artifacts/web');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = (process.env.CHROMIUM_ARGS
  ?? '--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking --disable-component-update --disable-sync --no-first-run --disable-quic')
  .split(' ').filter(Boolean);

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

/** Every request the server saw, with the time it arrived. */
const served = [];
let server;
let origin;
let browser;

/** A page with the same stylesheet and no script: the browser's own floor for a load. */
const BASELINE = '<!doctype html><html lang="en"><title>baseline</title><link rel="stylesheet" href="style.css"><p>baseline</p></html>';

function serve(request, response) {
  served.push({ url: request.url, at: Date.now() });
  if (request.url === '/__baseline.html') {
    response.writeHead(200, { 'content-type': MIME['.html'], 'cache-control': 'no-store' }).end(BASELINE);
    return;
  }
  const path = decodeURIComponent(new URL(request.url, 'http://127.0.0.1').pathname);
  const file = normalize(join(WEB, path.endsWith('/') ? `${path}index.html` : path));
  if (!file.startsWith(WEB + sep) || !existsSync(file) || file.includes(`${sep}test${sep}`)) {
    response.writeHead(404).end('not found');
    return;
  }
  response.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
  response.end(readFileSync(file));
}

before(async () => {
  assert.ok(existsSync(join(WEB, 'pkg/regcred_generate_bg.wasm')), 'web/pkg is missing: run `just web-build` first');
  assert.ok(existsSync(REGCRED), `the CLI is missing at ${REGCRED}: cargo build -p regcred-cli`);
  server = createServer(serve);
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (fileDir) rmSync(fileDir, { recursive: true, force: true });
});

let fileDir;

/** A file for the page's file input, written into a temporary directory removed after the run. */
function fixture(name, bytes) {
  fileDir ??= mkdtempSync(join(tmpdir(), 'regcred-web-'));
  const path = join(fileDir, name);
  writeFileSync(path, bytes);
  return path;
}

/** A Pod with CRLF line ends and a BOM, as an editor on Windows may save it. */
const CRLF_POD = '\uFEFFapiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p\r\nspec:\r\n  containers:\r\n  - name: c\r\n    image: busybox\r\n';
/** Latin-1 bytes (0xE9 for é) that are not UTF-8. */
const LATIN1_POD = Buffer.from('apiVersion: v1\nkind: Pod\nmetadata:\n  name: caf\xe9\n', 'latin1');

/**
 * A fresh page with every request recorded three ways (page events, DevTools protocol, CSP
 * violations), so a request that fails or is blocked is still counted.
 */
async function openPage({ viewport = { width: 1440, height: 1000 }, colorScheme = 'light', hash = '' } = {}) {
  const context = await browser.newContext({ viewport, colorScheme, acceptDownloads: true });
  const page = await context.newPage();
  const seen = { requests: [], failed: [], protocol: [], violations: [] };
  page.on('request', (request) => seen.requests.push(request.url()));
  page.on('requestfailed', (request) => seen.failed.push(request.url()));
  page.on('websocket', (socket) => seen.requests.push(socket.url()));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.requestWillBeSent', (event) => seen.protocol.push(event.request.url));
  cdp.on('Network.webSocketCreated', (event) => seen.protocol.push(event.url));
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__violations.push(`${event.effectiveDirective} ${event.blockedURI}`);
    });
  });
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`${origin}/index.html${hash}`, { waitUntil: 'load' });
  await page.waitForFunction(() => performance.getEntriesByName('regcred:first-yaml').length > 0);
  return { context, page, seen, errors };
}

/** Fills the form the way a person would: each field typed, selects and radios chosen. */
async function fill(page, scenario) {
  if ('preset' in scenario) await page.selectOption('#f-preset', scenario.preset);
  const text = {
    server: '#f-server', username: '#f-username', password: '#f-password', email: '#f-email',
    secretName: '#f-secret-name', namespaces: '#f-namespaces', serviceAccount: '#f-service-account',
    image: '#f-image', workloadName: '#f-workload-name', replicas: '#f-replicas', port: '#f-port',
  };
  if ('withWorkload' in scenario) await page.setChecked('#f-with-workload', scenario.withWorkload);
  if ('attach' in scenario) await page.check(`input[name=attach][value=${scenario.attach}]`);
  if ('kind' in scenario) await page.selectOption('#f-kind', scenario.kind);
  for (const [key, selector] of Object.entries(text)) {
    if (key in scenario && await page.isVisible(selector) && await page.isEditable(selector)) await page.fill(selector, scenario[key]);
  }
  if ('output' in scenario) await page.check(`input[name=output][value=${scenario.output}]`);
}

async function tabText(page, tab) {
  await page.click(`#tab-${tab}`);
  return page.textContent('#code');
}

function cli(args, password) {
  const run = spawnSync(REGCRED, args, { input: password, encoding: 'utf8' });
  assert.equal(run.status, 0, `regcred ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

function cliArgs(s) {
  const args = ['--server', s.server, '--username', s.username, '--password-stdin'];
  if (s.email) args.push('--email', s.email);
  for (const ns of (s.namespaces ?? '').split(/[\s,]+/).filter(Boolean)) args.push('-n', ns);
  if (s.output === 'json') args.push('-o', 'json');
  return args;
}

function bundleArgs(s) {
  const args = ['bundle', s.secretName, ...cliArgs(s)];
  if (s.serviceAccount && s.serviceAccount !== 'default') args.push('--service-account', s.serviceAccount);
  if (s.attach) args.push('--attach', { serviceAccount: 'service-account', workload: 'workload', both: 'both' }[s.attach]);
  if (s.withWorkload !== false) {
    args.push('--image', s.image, '--kind', s.kind ?? 'Deployment');
    if (s.workloadName) args.push('--workload-name', s.workloadName);
    if (s.replicas) args.push('--replicas', s.replicas);
    if (s.port) args.push('--port', s.port);
  }
  return args;
}

const SCENARIOS = {
  'CloudRaya, two namespaces, ServiceAccount and workload': {
    preset: 'cloudraya', server: 'registry.cloudraya.com', username: 'cr-registry',
    password: `S3cr$et "quoted" \\ back'tick <&>`, secretName: 'cr-registry-secret',
    namespaces: 'team-a, team-b', attach: 'both', kind: 'Deployment',
    image: 'registry.cloudraya.com/team/my-app:v1.0.0', workloadName: '', replicas: '3', port: '8080', output: 'yaml',
  },
  'Docker Hub token, e-mail, StatefulSet, JSON output': {
    preset: 'dockerhub', server: 'https://index.docker.io/v1/', username: 'octocat',
    password: 'dckr_pat_ü€-token', email: 'octo@example.com', secretName: 'dockerhub-secret',
    namespaces: '', serviceAccount: 'builder', attach: 'serviceAccount', kind: 'StatefulSet',
    image: 'octocat/api:2.1', workloadName: 'api-server', replicas: '', port: '', output: 'json',
  },
  'registry with a port, robot account, CronJob listing the Secret itself': {
    preset: '', server: 'registry.example.com:5000', username: 'robot$ci', password: 'tab\there',
    secretName: 'example-pull', namespaces: 'prod', attach: 'workload', kind: 'CronJob',
    image: 'registry.example.com:5000/jobs/backup:1.0', workloadName: 'nightly-backup', replicas: '', port: '', output: 'yaml',
  },
  'Secret only, no workload': {
    preset: 'ghcr', server: 'ghcr.io', username: 'octocat', password: 'ghp_example',
    secretName: 'ghcr-secret', namespaces: 'ci', attach: 'serviceAccount', withWorkload: false, output: 'yaml',
  },
};

describe('the page and the CLI', () => {
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    test(`gives the same bytes: ${name}`, async () => {
      const { context, page, errors } = await openPage();
      try {
        await fill(page, { withWorkload: true, ...scenario });
        assert.equal(await page.isHidden('#output-banner'), true, await page.textContent('#output-banner'));
        const password = scenario.password;
        const s = { withWorkload: true, ...scenario };

        assert.equal(await tabText(page, 'bundle'), cli(bundleArgs(s), password), 'bundle');
        assert.equal(await tabText(page, 'secret'), cli([...bundleArgs(s), '--show', 'secrets'], password), 'secrets');
        assert.equal(await tabText(page, 'secret'), cli(['secret', s.secretName, ...cliArgs(s)], password), 'regcred secret');
        assert.equal(await tabText(page, 'commands'), cli([...bundleArgs(s), '--show', 'commands'], password), 'commands');
        if (s.withWorkload) {
          assert.equal(await tabText(page, 'workload'), cli([...bundleArgs(s), '--show', 'workload'], password), 'workload');
        } else {
          assert.equal(await page.isDisabled('#tab-workload'), true);
        }
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  }

  test('the command line the page shows prints what the page shows', async () => {
    const { context, page } = await openPage();
    try {
      const scenario = SCENARIOS['CloudRaya, two namespaces, ServiceAccount and workload'];
      await fill(page, scenario);
      const bin = dirname(REGCRED);
      for (const tab of ['bundle', 'secret', 'workload', 'commands']) {
        const shown = await tabText(page, tab);
        const command = await page.textContent('#cli-command');
        assert.ok(command.includes('--password-stdin') && !command.includes(scenario.password), command);
        const run = spawnSync('bash', ['-c', command], {
          input: scenario.password, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        });
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout, shown, `tab ${tab}: ${command}`);
      }
    } finally {
      await context.close();
    }
  });
});

describe('findings', () => {
  test('appear next to their field as the user types, break the chain, and clear when fixed', async () => {
    const { context, page } = await openPage();
    try {
      await fill(page, { username: 'cr-registry', password: 'secret' });
      assert.equal(await page.isHidden('#output-banner'), true);
      const cases = [
        ['#f-username', 'ali:ce', 'username', 'username-has-colon', 'error'],
        ['#f-server', 'registry-1.docker.io', 'server', 'server-docker-hub-alias', 'warning'],
        ['#f-server', 'registry.cloudraya.com:5000', 'server', 'server-port', 'info'],
        ['#f-secret-name', 'My_Secret', 'secretName', 'name-invalid', 'error'],
        ['#f-namespaces', 'team.prod', 'namespace', 'name-invalid', 'error'],
        ['#f-port', '70000', 'port', 'port-invalid', 'error'],
      ];
      for (const [selector, bad, field, code, severity] of cases) {
        const good = await page.inputValue(selector);
        await page.fill(selector, '');
        await page.type(selector, bad);
        const item = page.locator(`#ff-${field} li[data-code=${code}]`);
        await item.waitFor({ state: 'visible' });
        assert.match(await item.textContent(), /Fix: /, `${code} carries its fix`);
        assert.equal(await page.locator(`#findings li[data-code=${code}]`).count() > 0, true);
        if (severity === 'error') {
          assert.equal(await page.getAttribute(selector, 'aria-invalid'), 'true');
          assert.equal(await page.isVisible('#output-banner'), true, 'the output is marked stale');
          assert.equal(await page.locator('#chain .state-error').count() > 0, true, 'the chain shows the break');
          assert.equal(await page.isDisabled('#copy'), true);
        }
        await page.fill(selector, good);
        await item.waitFor({ state: 'detached' });
        assert.equal(await page.getAttribute(selector, 'aria-invalid'), null);
      }
      assert.equal(await page.isHidden('#output-banner'), true);
      assert.equal(await page.locator('#chain .state-error').count(), 0);
    } finally {
      await context.close();
    }
  });

  test('empty credentials give a marked preview, and copy unlocks once they are typed', async () => {
    const { context, page } = await openPage();
    try {
      assert.match(await page.textContent('#output-banner'), /Preview/);
      assert.equal(await page.isDisabled('#copy'), true);
      assert.equal(await page.locator('#ff-password li').count(), 0, 'no error before the user got there');
      await fill(page, { username: 'cr-registry', password: 'x' });
      assert.equal(await page.isHidden('#output-banner'), true);
      assert.equal(await page.isEnabled('#copy'), true);
      await page.fill('#f-password', '');
      await page.locator('#ff-password li[data-code=password-empty]').waitFor();
    } finally {
      await context.close();
    }
  });
});

describe('the paste modes and the CLI', () => {
  const findingsShown = (page, list) => page.$$eval(`${list} > li`, (items) => items.map((item) => ({
    code: item.dataset.code,
    object: item.querySelector('.finding-object')?.textContent ?? null,
    message: item.querySelector('.finding-message').textContent,
  })));
  const findingsOf = (json) => json.map((f) => ({ code: f.code, object: f.object ?? null, message: f.message }));
  const run = (args, input) => {
    const done = spawnSync(REGCRED, args, { input, encoding: 'utf8' });
    return { status: done.status, json: done.stdout ? JSON.parse(done.stdout) : null, stderr: done.stderr };
  };

  test('lint shows the findings of regcred lint for the same manifests', async () => {
    const { context, page } = await openPage();
    try {
      await page.click('#mode-lint');
      await page.click('[data-example=lint]');
      const text = await page.inputValue('#lint-input');
      const cliRun = run(['lint', '--json', '-f', '-'], text);
      assert.equal(cliRun.status, 1, cliRun.stderr);
      assert.deepEqual(await findingsShown(page, '#lint-output .findings'), findingsOf(cliRun.json));
      assert.match(await page.textContent('#lint-count'), /exits 1/);

      await page.fill('#lint-input', 'kind: [unclosed');
      await page.locator('#lint-output .problem').waitFor();
      assert.match(await page.textContent('#lint-output'), /not valid YAML/);
    } finally {
      await context.close();
    }
  });

  test('explain gives the causes of regcred explain for the same events', async () => {
    const { context, page } = await openPage();
    try {
      await page.click('#mode-explain');
      for (const example of ['explain-anonymous', 'explain-rejected', 'explain-missing']) {
        await page.click(`[data-example=${example}]`);
        const text = await page.inputValue('#explain-input');
        const cliRun = run(['explain', '--json', '-f', '-'], text);
        assert.equal(cliRun.status, 0, cliRun.stderr);
        const shown = await page.$$eval('#explain-output .causes > li', (items) => items.map((item) => item.dataset.code));
        assert.deepEqual(shown, cliRun.json.causes.map((cause) => cause.code), example);
        assert.notEqual(shown[0], 'no-known-cause', example);
      }
    } finally {
      await context.close();
    }
  });

  test('inspect masks passwords and reads what regcred inspect reads', async () => {
    const { context, page } = await openPage();
    try {
      await page.click('#mode-inspect');
      const secret = cli(['secret', 'pull', '--server', 'registry.example.com', '--username', 'robot$ci', '--password-stdin', '-n', 'shop'], 'Sup3r-secret-value');
      await page.fill('#inspect-input', secret);
      await page.locator('#inspect-output table').waitFor();
      const shown = await page.textContent('#inspect-output');
      assert.ok(!shown.includes('Sup3r-secret-value'), 'the password is masked');
      assert.match(shown, /robot\$ci/);
      assert.match(shown, /registry\.example\.com/);
    } finally {
      await context.close();
    }
  });

  /** Lets the paste box's scheduled run (one per animation frame) happen. */
  const settle = (page) => page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  const injectRun = (args, input) => spawnSync(REGCRED, ['inject', ...args, '-f', '-'], { input, encoding: 'utf8' });
  /** `regcred inject --check` lines: `<stdin>:LINE: would add 'S' to OBJECT (PATH)`. */
  const checkLines = (stdout) => stdout.split('\n').filter(Boolean).map((line) => {
    const [, at, object, path] = /^<stdin>:(\d+): would add '[^']*' to (\S+) \((\S+)\)$/.exec(line);
    return { object, path, line: at };
  });
  const changesShown = (page) => page.$$eval('#inject-output .inject-change', (items) => items.map((item) => ({
    object: item.dataset.object, path: item.dataset.path, line: item.dataset.line,
  })));

  // Comments, four-space and odd list indentation, a list that already names another Secret, a
  // JSON document, a document end marker. No CRLF: a textarea's value always has LF line ends,
  // so CRLF cannot reach the page by pasting; it comes through an opened file (tested below).
  const MANIFESTS = `# rendered by hand
apiVersion: apps/v1
kind: Deployment
metadata:
    name: api            # four-space indentation
    namespace: shop
    labels: {app: api}
spec:
    template:
        spec:
            imagePullSecrets:
              -   name: legacy-registry   # kept
            containers:
              -   name: api
                  image: 'registry.example.com/shop/api:3.1'
---
# a Job as JSON
{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate", "namespace": "shop"},
 "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "m", "image": "registry.example.com/shop/api:3.1"}]}}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: shop, namespace: shop}
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
  - name: sh
    image: busybox   # public
...
`;

  test('inject gives the bytes of regcred inject, and a second run changes nothing', async () => {
    const { context, page, errors } = await openPage();
    try {
      await page.click('#mode-inject');
      assert.equal(await page.inputValue('#inject-secret'), 'cr-registry-secret', 'prefilled from the Generate form');
      const cases = [
        { fields: {}, args: [] },
        { fields: { namespaces: 'shop', selector: 'app in (api, web)', serviceAccounts: true }, args: ['-n', 'shop', '-l', 'app in (api, web)', '--service-accounts'] },
        { fields: { kinds: 'Job, pod' }, args: ['--kind', 'Job,pod'] },
      ];
      for (const { fields, args } of cases) {
        const label = JSON.stringify(fields);
        await page.fill('#inject-secret', 'regcred');
        await page.fill('#inject-kinds', fields.kinds ?? '');
        await page.fill('#inject-namespaces', fields.namespaces ?? '');
        await page.fill('#inject-selector', fields.selector ?? '');
        await page.setChecked('#inject-service-accounts', fields.serviceAccounts ?? false);
        await page.fill('#inject-input', MANIFESTS);
        await settle(page);
        const input = await page.inputValue('#inject-input');
        assert.equal(input, MANIFESTS);

        const output = await page.textContent('#inject-code');
        const cliRun = injectRun(['--secret', 'regcred', ...args], input);
        assert.equal(cliRun.status, 0, cliRun.stderr);
        assert.equal(output, cliRun.stdout, label);
        assert.notEqual(output, input, label);
        if (!args.length) assert.match(output, /-   name: legacy-registry   # kept\n {14}-   name: regcred\n/, 'the existing item stays, the new one follows its style');
        const check = injectRun(['--secret', 'regcred', '--check', ...args], input);
        assert.equal(check.status, 1, check.stderr);
        assert.deepEqual(await changesShown(page), checkLines(check.stdout), label);

        await page.fill('#inject-input', output);
        await settle(page);
        assert.equal(await page.textContent('#inject-code'), output, `second run: ${label}`);
        assert.deepEqual(await changesShown(page), [], `second run: ${label}`);
        assert.match(await page.textContent('#inject-count'), /^0 added · [1-9]\d* already had it · regcred inject --check exits 0$/);
        assert.equal(injectRun(['--secret', 'regcred', '--check', ...args], output).status, 0, label);
      }
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('inject shows the line and column of a syntax error, and copy and download give the output', async () => {
    const { context, page } = await openPage();
    try {
      await page.click('#mode-inject');
      await page.click('[data-example=inject]');
      await settle(page);
      const good = await page.textContent('#inject-code');
      assert.equal(good, injectRun(['--secret', 'cr-registry-secret'], await page.inputValue('#inject-input')).stdout);
      assert.equal(await page.locator('#inject-output .inject-change').count(), 2);
      const saved = page.waitForEvent('download');
      await page.click('#inject-download');
      const download = await saved;
      assert.equal(download.suggestedFilename(), 'manifests-with-cr-registry-secret.yaml');
      assert.equal(readFileSync(await download.path(), 'utf8'), good);

      const broken = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers: [{name: web, image: "hunter2\n';
      await page.fill('#inject-input', broken);
      await page.locator('#inject-input-error .problem').waitFor();
      const cliRun = injectRun(['--secret', 'cr-registry-secret'], broken);
      assert.equal(cliRun.status, 2);
      const [, line, column] = /<stdin>:(\d+):(\d+): invalid YAML/.exec(cliRun.stderr);
      const shown = await page.textContent('#inject-input-error .problem');
      assert.match(shown, new RegExp(`line ${line}, column ${column}: `));
      assert.ok(!shown.includes('hunter2'), shown);
      assert.equal(await page.getAttribute('#inject-input', 'aria-invalid'), 'true');
      assert.equal(await page.isVisible('#inject-banner'), true, 'the last good output is marked stale');
      assert.equal(await page.textContent('#inject-code'), good);
      assert.equal(await page.isDisabled('#inject-copy'), true);
      await page.click('#inject-input-error button');
      const caret = await page.evaluate(() => ({ focus: document.activeElement.id, at: document.activeElement.selectionStart }));
      const expected = broken.split('\n').slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0) + Number(column) - 1;
      assert.deepEqual(caret, { focus: 'inject-input', at: expected });

      await page.fill('#inject-secret', 'Reg_Cred');
      await page.locator('#inject-secret-findings li').waitFor();
      assert.match(await page.textContent('#inject-secret-findings'), /'Reg_Cred'/);
      assert.equal(await page.getAttribute('#inject-secret', 'aria-invalid'), 'true');
      await page.fill('#inject-secret', 'regcred');
      await page.fill('#inject-selector', 'app in (web');
      await page.locator('#inject-selector-findings li').waitFor();
      await page.fill('#inject-selector', '');
      await page.locator('#inject-selector-findings li').waitFor({ state: 'detached' });
      // Each option's error goes under its own field, never under the (valid) Secret name.
      for (const [field, value] of [['kinds', 'Foo'], ['namespaces', 'Shop']]) {
        await page.fill(`#inject-${field}`, value);
        await page.locator(`#inject-${field}-findings li`).waitFor();
        assert.match(await page.textContent(`#inject-${field}-findings`), new RegExp(`'${value}'`));
        assert.equal(await page.getAttribute(`#inject-${field}`, 'aria-invalid'), 'true');
        assert.equal(await page.getAttribute('#inject-secret', 'aria-invalid'), null);
        assert.equal(await page.locator('#inject-secret-findings li').count(), 0);
        await page.fill(`#inject-${field}`, '');
        await page.locator(`#inject-${field}-findings li`).waitFor({ state: 'detached' });
      }

      await page.click('[data-example=inject]');
      await settle(page);
      assert.equal(await page.isHidden('#inject-input-error'), true);
      assert.equal(await page.getAttribute('#inject-input', 'aria-invalid'), null);
      assert.equal(await page.isEnabled('#inject-copy'), true);
      await page.click('#inject-copy');
    } finally {
      await context.close();
    }
  });

  test('inject keeps every byte of an opened or dropped file, CRLF and BOM too, and refuses one that is not UTF-8', async () => {
    const crlf = `\uFEFF${MANIFESTS.replaceAll('\n', '\r\n')}`;
    const file = fixture('deploy.yaml', crlf);
    const expected = spawnSync(REGCRED, ['inject', '--secret', 'regcred', '-f', file]);
    assert.equal(expected.status, 0, String(expected.stderr));
    const { context, page, errors } = await openPage();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    const saveInjected = async () => {
      const saved = page.waitForEvent('download');
      await page.click('#inject-download');
      const download = await saved;
      return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
    };
    try {
      await page.click('#mode-inject');
      await page.fill('#inject-secret', 'regcred');
      await page.setInputFiles('#inject-file', file);
      await page.locator('#inject-source', { hasText: 'from deploy.yaml' }).waitFor();
      assert.equal(await page.textContent('#inject-source'), 'from deploy.yaml · CRLF line ends · BOM kept');
      assert.equal(await page.inputValue('#inject-input'), crlf.replaceAll('\r\n', '\n'), 'the box shows the text, with a textarea\'s LF line ends');

      const saved = await saveInjected();
      assert.equal(saved.name, 'deploy.yaml');
      assert.ok(saved.bytes.equals(expected.stdout), 'the download has the bytes of regcred inject -f deploy.yaml');
      assert.deepEqual([...saved.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the output starts with the BOM');
      const output = saved.bytes.toString('utf8');
      assert.equal(output.split('\n').length, output.split('\r\n').length, 'every line ends in CRLF');
      assert.ok(output.split('\r\n').length > crlf.split('\r\n').length, 'lines were added, with CRLF');
      assert.equal(await page.textContent('#inject-code'), output, 'the panel shows the same text');
      const check = injectRun(['--secret', 'regcred', '--check'], crlf);
      assert.deepEqual(await changesShown(page), checkLines(check.stdout));
      await page.click('#inject-copy');
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), output, 'copy gives the text as it is');

      // Not UTF-8: named in the message, as the CLI names it, and nothing else changes.
      const latin1 = fixture('latin1.yaml', LATIN1_POD);
      const refused = spawnSync(REGCRED, ['inject', '--secret', 'regcred', '-f', latin1], { encoding: 'utf8' });
      assert.equal(refused.status, 2, refused.stderr);
      const shownNow = () => Promise.all(['#inject-input', '#inject-code', '#inject-source'].map((selector) => (
        selector === '#inject-input' ? page.inputValue(selector) : page.textContent(selector))));
      const before = await shownNow();
      await page.setInputFiles('#inject-file', latin1);
      await page.locator('#inject-file-error .problem').waitFor();
      const message = await page.textContent('#inject-file-error .problem');
      assert.equal(message, 'latin1.yaml is not UTF-8 text; convert it (for example with iconv) first');
      assert.ok(refused.stderr.includes(message.replace('latin1.yaml', latin1)), refused.stderr);
      assert.deepEqual(await shownNow(), before);
      assert.ok((await saveInjected()).bytes.equals(expected.stdout), 'the download is still the file\'s');

      // Once the box is edited, its text is the source, with the LF line ends it has.
      const edited = `${await page.inputValue('#inject-input')}# edited here\n`;
      await page.fill('#inject-input', edited);
      await settle(page);
      assert.equal(await page.textContent('#inject-source'), 'deploy.yaml, edited here: the text in the box is the source now, with LF line ends (open the file again to keep its CRLF)');
      const afterEdit = await saveInjected();
      assert.equal(afterEdit.name, 'deploy.yaml');
      assert.equal(afterEdit.bytes.toString('utf8'), injectRun(['--secret', 'regcred'], edited).stdout);

      // Dropped on the paste box: the same bytes as opened, under the dropped file's name.
      await page.evaluate(([name, base64]) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name));
        document.getElementById('inject-input').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }, ['dropped.yml', Buffer.from(crlf).toString('base64')]);
      await page.locator('#inject-source', { hasText: 'from dropped.yml' }).waitFor();
      assert.equal(await page.isHidden('#inject-file-error'), true, 'a file that opens clears the last refusal');
      const dropped = await saveInjected();
      assert.equal(dropped.name, 'dropped.yml');
      assert.ok(dropped.bytes.equals(expected.stdout));

      await page.click('[data-example=inject]');
      assert.match(await page.textContent('#inject-source'), /^Or open a file/, 'an example is not the file');
      assert.equal((await saveInjected()).name, 'manifests-with-regcred.yaml');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

describe('privacy', () => {
  test('no request leaves the page after load, and the lock blocks one that tries', async () => {
    const { context, page, seen, errors } = await openPage();
    try {
      const servedAtLoad = served.length;
      const baseline = { requests: seen.requests.length, failed: seen.failed.length, protocol: seen.protocol.length };

      await fill(page, SCENARIOS['CloudRaya, two namespaces, ServiceAccount and workload']);
      await page.fill('#f-image', 'registry.cloudraya.com/team/other:2.0');
      for (const tab of ['secret', 'workload', 'serviceaccount', 'commands', 'bundle']) await page.click(`#tab-${tab}`);
      await page.check('input[name=output][value=json]');
      await page.click('#password-reveal');
      await page.click('#theme-toggle');
      await page.click('#privacy-toggle');
      await page.click('#copy');
      await page.click('#share');
      const download = page.waitForEvent('download');
      await page.click('#download');
      const saved = await download;
      assert.equal(readFileSync(await saved.path(), 'utf8'), await page.textContent('#code'));
      await page.click('#mode-inspect');
      await page.click('[data-example=inspect]');
      await page.fill('#inspect-input', cli(['secret', 'x', '--server', 'ghcr.io', '--username', 'u', '--password-stdin'], 'p'));
      await page.click('#mode-lint');
      await page.click('[data-example=lint]');
      await page.click('#mode-explain');
      await page.click('[data-example=explain-rejected]');
      await page.click('#mode-inject');
      await page.click('[data-example=inject]');
      await page.fill('#inject-namespaces', 'shop');
      await page.check('#inject-service-accounts');
      await page.click('#inject-copy');
      const injected = page.waitForEvent('download');
      await page.click('#inject-download');
      assert.equal(readFileSync(await (await injected).path(), 'utf8'), await page.textContent('#inject-code'));
      await page.setInputFiles('#inject-file', fixture('private.yaml', CRLF_POD));
      await page.locator('#inject-source', { hasText: 'from private.yaml' }).waitFor();
      const opened = page.waitForEvent('download');
      await page.click('#inject-download');
      assert.equal(readFileSync(await (await opened).path(), 'utf8'), await page.textContent('#inject-code'));
      await page.click('#mode-generate');
      await page.waitForTimeout(500);

      const after = {
        requests: seen.requests.slice(baseline.requests),
        failed: seen.failed.slice(baseline.failed),
        protocol: seen.protocol.slice(baseline.protocol),
        violations: await page.evaluate(() => window.__violations),
        served: served.slice(servedAtLoad).map((entry) => entry.url),
      };
      const network = (urls) => urls.filter((url) => !url.startsWith('blob:') && !url.startsWith('data:'));
      const counted = {
        requests: network(after.requests).length,
        failed: network(after.failed).length,
        protocol: network(after.protocol).length,
        violations: after.violations.length,
        served: after.served.length,
      };
      writeFileSync(join(ARTIFACTS, 'requests-after-load.json'), `${JSON.stringify({ counted, after }, null, 2)}\n`);
      assert.deepEqual(counted, { requests: 0, failed: 0, protocol: 0, violations: 0, served: 0 }, JSON.stringify(after));
      assert.match(await page.textContent('#privacy-summary'), /0 requests since load/);

      const storage = await page.evaluate(() => ({
        local: localStorage.length, session: sessionStorage.length, cookie: document.cookie, url: location.href,
      }));
      assert.deepEqual({ ...storage, url: undefined }, { local: 0, session: 0, cookie: '', url: undefined });
      const scenario = SCENARIOS['CloudRaya, two namespaces, ServiceAccount and workload'];
      assert.ok(!storage.url.includes(encodeURIComponent(scenario.username)) && !storage.url.includes('S3cr'), storage.url);
      assert.ok(storage.url.includes('ns=team-a'), `the share link keeps the safe fields: ${storage.url}`);

      const attempt = await page.evaluate(() => fetch('/index.html?probe').then(() => 'sent', () => 'blocked'));
      assert.equal(attempt, 'blocked', 'connect-src is locked after load');
      assert.ok(!served.some((entry) => entry.url.includes('probe')), 'the server never saw the probe');
      assert.deepEqual(errors.filter((e) => !/Content Security Policy|Failed to fetch/.test(e)), []);
    } finally {
      await context.close();
    }
  });
});

describe('share links', () => {
  test('a share link restores the safe fields and leaves the credentials empty', async () => {
    const first = await openPage();
    let url;
    try {
      await fill(first.page, { ...SCENARIOS['Docker Hub token, e-mail, StatefulSet, JSON output'] });
      await first.page.click('#tab-workload');
      await first.page.click('#share');
      url = await first.page.evaluate(() => location.href);
    } finally {
      await first.context.close();
    }
    const hash = new URL(url).hash;
    const keys = [...new URLSearchParams(hash.slice(1)).keys()];
    assert.deepEqual(keys.filter((key) => ['username', 'user', 'password', 'email'].includes(key)), [], hash);
    assert.ok(!hash.includes('dckr_pat') && !hash.includes('octo%40example'), hash);

    const { context, page } = await openPage({ hash });
    try {
      const values = await page.evaluate(() => Object.fromEntries(
        ['f-preset', 'f-server', 'f-secret-name', 'f-service-account', 'f-kind', 'f-image', 'f-workload-name', 'f-username', 'f-password', 'f-email']
          .map((id) => [id, document.getElementById(id).value]),
      ));
      assert.deepEqual(values, {
        'f-preset': 'dockerhub', 'f-server': 'https://index.docker.io/v1/', 'f-secret-name': 'dockerhub-secret',
        'f-service-account': 'builder', 'f-kind': 'StatefulSet', 'f-image': 'octocat/api:2.1', 'f-workload-name': 'api-server',
        'f-username': '', 'f-password': '', 'f-email': '',
      });
      assert.equal(await page.getAttribute('#tab-workload', 'aria-selected'), 'true');
      assert.equal(await page.isChecked('input[name=output][value=json]'), true);
    } finally {
      await context.close();
    }
  });
});

describe('keyboard and layout', () => {
  test('every control has a label and the form works from the keyboard', async () => {
    const { context, page } = await openPage();
    try {
      const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
        .filter((element) => !element.closest('[hidden]'))
        .filter((element) => !(element.labels?.length || element.getAttribute('aria-label') || element.textContent.trim()))
        .map((element) => element.outerHTML.slice(0, 80)));
      assert.deepEqual(unlabelled, []);

      await page.focus('#f-username');
      await page.keyboard.type('cr-registry');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'f-password');
      await page.keyboard.type('s3cret');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'password-reveal');
      await page.keyboard.press('Space');
      assert.equal(await page.getAttribute('#f-password', 'type'), 'text');
      await page.keyboard.press('Space');
      assert.equal(await page.getAttribute('#f-password', 'type'), 'password');

      await page.focus('#tab-bundle');
      await page.keyboard.press('ArrowRight');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-secret');
      assert.equal(await page.getAttribute('#tab-secret', 'aria-selected'), 'true');
      assert.match(await page.textContent('#code'), /kind: Secret/);
      await page.keyboard.press('End');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-commands');

      await page.focus('#mode-generate');
      await page.keyboard.press('ArrowRight');
      assert.equal(await page.isVisible('#lint-input'), true);
      await page.keyboard.press('End');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'mode-inject');
      assert.equal(await page.isVisible('#inject-input'), true);
      await page.keyboard.press('ArrowLeft');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'mode-explain');
      assert.equal(await page.isVisible('#explain-input'), true);
      assert.equal(await page.isHidden('#inject-input'), true);
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'mode-generate', 'the last tab wraps to the first');
    } finally {
      await context.close();
    }
  });

  test('axe finds no WCAG 2 A or AA violation in any mode, light or dark', async () => {
    const problems = [];
    for (const colorScheme of ['light', 'dark']) {
      const { context, page } = await openPage({ colorScheme });
      try {
        // The findings, the preview banner and the stale output all have to pass too.
        await fill(page, { username: 'ali:ce', password: 'x', image: 'registry.cloudraya.com:5000/my-app', namespaces: 'team-a' });
        await page.click('#privacy-toggle');
        await page.evaluate(AXE);
        // Inject twice: with the example's output, then with a syntax error and a bad secret name.
        const breakInject = async () => {
          await page.fill('#inject-input', 'kind: Pod\nspec: [unclosed\n');
          await page.fill('#inject-secret', 'Bad_Name');
          await page.locator('#inject-secret-findings li').waitFor();
        };
        // And with a file opened, then a second one refused.
        const openFiles = async () => {
          await page.fill('#inject-secret', 'regcred');
          await page.setInputFiles('#inject-file', fixture('axe.yaml', CRLF_POD));
          await page.locator('#inject-source', { hasText: 'from axe.yaml' }).waitFor();
          await page.setInputFiles('#inject-file', fixture('axe-latin1.yaml', LATIN1_POD));
          await page.locator('#inject-file-error .problem').waitFor();
        };
        const states = [['generate', null], ['lint', 'lint'], ['inspect', 'inspect'], ['explain', 'explain-missing'], ['inject', 'inject'], ['inject', breakInject], ['inject', openFiles]];
        for (const [mode, example] of states) {
          await page.click(`#mode-${mode}`);
          if (typeof example === 'function') await example();
          else if (example) await page.click(`[data-example=${example}]`);
          const result = await page.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }));
          for (const violation of result.violations) {
            problems.push(`${colorScheme} ${mode}: ${violation.id} (${violation.nodes.length}): ${violation.nodes.slice(0, 3).map((node) => node.target.join(' ')).join(', ')}`);
          }
        }
      } finally {
        await context.close();
      }
    }
    assert.deepEqual(problems, []);
  });

  test('the mode tabs stay on one row inside the top bar at every width', async () => {
    const problems = [];
    for (const width of [1440, 1280, 1200, 1100, 960, 800, 700, 660]) {
      const { context, page } = await openPage({ viewport: { width, height: 800 } });
      try {
        const boxes = await page.evaluate(() => {
          const bar = document.querySelector('.topbar').getBoundingClientRect();
          const tabs = [...document.querySelectorAll('.modes [role=tab]')].map((tab) => tab.getBoundingClientRect());
          return { bar: { top: bar.top, bottom: bar.bottom }, tops: tabs.map((t) => t.top), bottoms: tabs.map((t) => t.bottom) };
        });
        if (new Set(boxes.tops.map(Math.round)).size !== 1) problems.push(`${width}px: the tabs wrap onto ${new Set(boxes.tops.map(Math.round)).size} rows`);
        if (Math.min(...boxes.tops) < boxes.bar.top || Math.max(...boxes.bottoms) > boxes.bar.bottom) problems.push(`${width}px: a tab sticks out of the top bar`);
      } finally {
        await context.close();
      }
    }
    assert.deepEqual(problems, []);
  });

  test('screenshots in light and dark, desktop and phone width', async () => {
    const shots = [];
    for (const colorScheme of ['light', 'dark']) {
      for (const [size, viewport] of [['desktop', { width: 1440, height: 1000 }], ['phone', { width: 390, height: 844 }]]) {
        const { context, page } = await openPage({ viewport, colorScheme });
        try {
          await fill(page, { username: 'cr-registry', password: 'example', namespaces: 'team-a team-b', image: 'registry.cloudraya.com:5000/my-app' });
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(overflow <= 0, `${size} ${colorScheme}: the page is ${overflow}px wider than the screen`);
          const file = join(ARTIFACTS, `page-${size}-${colorScheme}.png`);
          await page.screenshot({ path: file, fullPage: size === 'phone' });
          shots.push(file);
          if (size === 'desktop') {
            for (const [mode, example] of [['lint', 'lint'], ['inspect', 'inspect'], ['explain', 'explain-anonymous'], ['inject', 'inject']]) {
              await page.click(`#mode-${mode}`);
              await page.click(`[data-example=${example}]`);
              const modeFile = join(ARTIFACTS, `${mode}-${size}-${colorScheme}.png`);
              await page.screenshot({ path: modeFile });
              shots.push(modeFile);
            }
          }
        } finally {
          await context.close();
        }
      }
    }
    assert.equal(shots.filter((file) => existsSync(file)).length, shots.length);
  });
});

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

describe('size and speed', () => {
  test('wasm and JavaScript fit the gzip budget; first YAML and keystrokes are fast', async () => {
    const gzip = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
    const js = readdirSync(join(WEB, 'js')).filter((f) => f.endsWith('.js')).map((f) => join(WEB, 'js', f));
    const sizes = {
      generateWasm: gzip(join(WEB, 'pkg/regcred_generate_bg.wasm')),
      generateGlue: gzip(join(WEB, 'pkg/regcred_generate.js')),
      analyzeWasm: gzip(join(WEB, 'pkg/regcred_analyze_bg.wasm')),
      analyzeGlue: gzip(join(WEB, 'pkg/regcred_analyze.js')),
      pageJs: js.reduce((sum, file) => sum + gzip(file), 0),
      css: gzip(join(WEB, 'style.css')),
      html: gzip(join(WEB, 'index.html')),
    };
    // What the form needs before its first YAML; the analysis module loads beside it.
    const formWasmAndJs = sizes.generateWasm + sizes.generateGlue + sizes.pageJs;
    const allWasmAndJs = formWasmAndJs + sizes.analyzeWasm + sizes.analyzeGlue;

    // The machine is shared and noisy: each page load is paired with a load of a blank page with
    // the same stylesheet, and the page's own cost is the difference.
    const loads = [];
    for (let run = 0; run < 7; run += 1) {
      const blank = await browser.newContext();
      const blankPage = await blank.newPage();
      await blankPage.goto(`${origin}/__baseline.html`, { waitUntil: 'load' });
      const floor = await blankPage.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd);
      await blank.close();
      const { context, page } = await openPage();
      const timing = await page.evaluate(() => {
        const [navigation] = performance.getEntriesByType('navigation');
        const first = performance.getEntriesByName('regcred:first-yaml')[0].startTime;
        return { firstYaml: first, loadEvent: navigation.loadEventEnd };
      });
      loads.push({ ...timing, afterLoadEvent: timing.firstYaml - timing.loadEvent, blankPageLoad: floor, overPageFloor: timing.firstYaml - floor });
      await context.close();
    }

    const { context, page } = await openPage();
    await fill(page, { username: 'cr-registry', password: 'secret', namespaces: 'team-a team-b team-c' });
    await page.evaluate(() => performance.clearMeasures('regcred:regenerate'));
    await page.focus('#f-image');
    await page.keyboard.press('End');
    await page.keyboard.type('-with-a-longer-tag-name-typed-key-by-key', { delay: 5 });
    const keystrokes = await page.evaluate(() => performance.getEntriesByName('regcred:regenerate').map((entry) => entry.duration));
    await context.close();

    const metrics = {
      gzipBytes: { ...sizes, formWasmAndJs, allWasmAndJs },
      budgetBytes: 250 * 1024,
      firstYamlMs: {
        medianFromNavigation: median(loads.map((l) => l.firstYaml)),
        medianBlankPageLoad: median(loads.map((l) => l.blankPageLoad)),
        medianOverBlankPage: median(loads.map((l) => l.overPageFloor)),
        medianAfterLoadEvent: median(loads.map((l) => l.afterLoadEvent)),
        runs: loads,
      },
      keystrokeMs: { median: median(keystrokes), p95: percentile(keystrokes, 0.95), max: Math.max(...keystrokes), count: keystrokes.length },
    };
    writeFileSync(join(ARTIFACTS, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
    const kib = (bytes) => (bytes / 1024).toFixed(1);
    console.log(`form wasm+JS gzip: ${kib(formWasmAndJs)} KiB of 250 KiB (wasm ${kib(sizes.generateWasm)}, glue ${kib(sizes.generateGlue)}, page JS ${kib(sizes.pageJs)})`);
    console.log(`with the analysis module: ${kib(allWasmAndJs)} KiB (wasm ${kib(sizes.analyzeWasm)}, glue ${kib(sizes.analyzeGlue)}); CSS ${kib(sizes.css)}, HTML ${kib(sizes.html)}`);
    const first = metrics.firstYamlMs;
    console.log(`first YAML: ${first.medianFromNavigation.toFixed(0)} ms from navigation start, ${first.medianAfterLoadEvent.toFixed(0)} ms after the load event, ${first.medianOverBlankPage.toFixed(0)} ms more than a blank page with the same stylesheet (${first.medianBlankPageLoad.toFixed(0)} ms); medians of ${loads.length}; target 150 ms`);
    console.log(`regenerate per keystroke: median ${metrics.keystrokeMs.median.toFixed(2)} ms, p95 ${metrics.keystrokeMs.p95.toFixed(2)} ms over ${keystrokes.length} keys; target 5 ms`);

    assert.ok(keystrokes.length >= 40, `every keystroke regenerates (${keystrokes.length})`);
    assert.ok(formWasmAndJs <= metrics.budgetBytes, `the form's wasm + JS is ${formWasmAndJs} bytes gzipped, over the 250 KiB budget`);
    // Targets: 150 ms from the page's load event to the first YAML, 5 ms per keystroke. The gates
    // are twice that, because this shared 2-core machine runs several times slower under load;
    // they catch regressions, and the figures themselves are printed above and kept in
    // metrics.json (from navigation start too, which includes fetching every file).
    assert.ok(first.medianAfterLoadEvent < 300, `first YAML ${first.medianAfterLoadEvent} ms after the load event`);
    assert.ok(metrics.keystrokeMs.median < 10, `a keystroke takes ${metrics.keystrokeMs.median} ms`);
  });
});
