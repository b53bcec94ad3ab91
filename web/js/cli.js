// The `regcred` command line that prints what the page shows, for scripts and CI.

import { KINDS_WITH_REPLICAS } from './form.js';

const PLAIN = /^[A-Za-z0-9_./:@%+=,^-]+$/;

/** A word as a POSIX shell reads it back unchanged. */
export function shellQuote(word) {
  if (word !== '' && PLAIN.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

const SHOW = { secret: 'secrets', workload: 'workload', commands: 'commands' };
const ATTACH = { workload: 'workload', both: 'both' };

/**
 * `regcred bundle` with the flags that give the same output as the page for `values`; the
 * password comes from stdin. Flags at their CLI default are left out.
 */
export function cliCommand(values, tab) {
  const args = [['regcred', 'bundle', shellQuote(values.secretName)]];
  const flag = (name, value) => args.push([name, shellQuote(value)]);
  flag('--server', values.server);
  flag('--username', values.username === '' ? '<username>' : values.username);
  args.push(['--password-stdin']);
  if (values.email !== '') flag('--email', values.email);
  for (const namespace of values.namespaces.split(/[\s,]+/).filter(Boolean)) flag('-n', namespace);
  if (values.serviceAccount !== '' && values.serviceAccount !== 'default') {
    flag('--service-account', values.serviceAccount);
  }
  if (ATTACH[values.attach]) flag('--attach', ATTACH[values.attach]);
  if (values.withWorkload) {
    flag('--image', values.image);
    if (values.kind !== 'Deployment') flag('--kind', values.kind);
    if (values.workloadName.trim() !== '') flag('--workload-name', values.workloadName);
    if (KINDS_WITH_REPLICAS.has(values.kind) && values.replicas.trim() !== '' && values.replicas.trim() !== '2') {
      flag('--replicas', values.replicas.trim());
    }
    if (values.port.trim() !== '') flag('--port', values.port.trim());
  }
  if (SHOW[tab] && !(tab === 'workload' && !values.withWorkload)) flag('--show', SHOW[tab]);
  if (values.output === 'json') flag('-o', 'json');
  return args.map((parts) => parts.join(' ')).join(' \\\n    ');
}
