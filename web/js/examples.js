// Example inputs for the paste modes. Every credential here is made up.

const base64 = (text) => btoa(text);
const dockerConfig = (auths) => base64(JSON.stringify({ auths }));
const entry = (username, password) => ({ username, password, auth: base64(`${username}:${password}`) });

/** A pull Secret in `namespace` with one entry per `[key, username, password]`. */
function secret(name, namespace, entries) {
  const auths = Object.fromEntries(entries.map(([key, user, password]) => [key, entry(user, password)]));
  return `apiVersion: v1
kind: Secret
metadata:
  name: ${name}
  namespace: ${namespace}
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: ${dockerConfig(auths)}
`;
}

function deployment(name, namespace, pullSecret, images) {
  const containers = images.map(([container, image]) => `        - name: ${container}\n          image: ${image}`).join('\n');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      imagePullSecrets:
        - name: ${pullSecret}
      containers:
${containers}
`;
}

/** A shop whose images will not all pull: a port the key lacks, no tag, a Secret in another namespace. */
export function lintExample() {
  return [
    secret('regcred', 'shop', [['registry.example.com', 'ci-bot', 'example-password']]),
    deployment('web', 'shop', 'regcred', [
      ['web', 'registry.example.com:5000/shop/web:1.4.0'],
      ['proxy', 'registry.example.com/shop/proxy'],
    ]),
    deployment('billing', 'billing', 'regcred', [['billing', 'registry.example.com/shop/billing:2.0.1']]),
  ].join('---\n');
}

/** A config.json with a good entry and a Docker Hub key that no image ever matches. */
export function inspectExample() {
  return `${JSON.stringify({
    auths: {
      'registry.cloudraya.com': entry('cr-registry', 'example-password'),
      'registry-1.docker.io': { auth: base64('octocat:example-token') },
    },
  }, null, 2)}\n`;
}

const IMAGE = 'registry.example.com:5000/shop/web:1.4.0';

function describePod(events, extra = '') {
  return `Name:             web-7d9c5b7f6-x2x8k
Namespace:        shop
Node:             node-1/10.0.0.11
Status:           Pending
Containers:
  web:
    Image:          ${IMAGE}
    State:          Waiting
      Reason:       ImagePullBackOff
${extra}Events:
  Type     Reason     Age                From               Message
  ----     ------     ----               ----               -------
  Normal   Scheduled  2m                 default-scheduler  Successfully assigned shop/web-7d9c5b7f6-x2x8k to node-1
${events}`;
}

/** `kubectl describe pod` output for three common failures. */
export const EXPLAIN_EXAMPLES = {
  'explain-anonymous': () => describePod(`  Normal   Pulling    90s (x4 over 2m)   kubelet            Pulling image "${IMAGE}"
  Warning  Failed     90s (x4 over 2m)   kubelet            Failed to pull image "${IMAGE}": failed to resolve reference "${IMAGE}": no basic auth credentials
  Warning  Failed     90s (x4 over 2m)   kubelet            Error: ErrImagePull
  Normal   BackOff    20s (x6 over 2m)   kubelet            Back-off pulling image "${IMAGE}"
  Warning  Failed     20s (x6 over 2m)   kubelet            Error: ImagePullBackOff
`),
  'explain-rejected': () => describePod(`  Normal   Pulling    90s (x4 over 2m)   kubelet            Pulling image "${IMAGE}"
  Warning  Failed     90s (x4 over 2m)   kubelet            Failed to pull image "${IMAGE}": failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://registry.example.com:5000/token?scope=repository%3Ashop%2Fweb%3Apull: 401 Unauthorized
  Warning  Failed     90s (x4 over 2m)   kubelet            Error: ErrImagePull
`),
  'explain-missing': () => describePod(`  Warning  FailedToRetrieveImagePullSecret  2m (x9 over 3m)  kubelet  Unable to retrieve some image pull secrets (regcred); attempting to pull the image may not succeed.
  Normal   Pulling    90s (x4 over 2m)   kubelet            Pulling image "${IMAGE}"
  Warning  Failed     90s (x4 over 2m)   kubelet            Failed to pull image "${IMAGE}": pull access denied, repository does not exist or may require authorization
`),
};

/** A small app as a Helm chart renders it: comments, a list that already names another Secret, a ServiceAccount. */
export function injectExample() {
  return `# Source: shop/templates/web.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      # pulled from the old registry until the move is done
      imagePullSecrets:
        - name: legacy-registry
      containers:
        - name: web
          image: "registry.example.com/shop/web:1.4.0"
          ports: [{containerPort: 8080}]
---
# Source: shop/templates/backup.yaml
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
  namespace: shop
spec:
  schedule: '15 3 * * *'
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: backup
            image: registry.example.com/shop/backup:2.0.1   # pinned
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: shop
  namespace: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-settings
  namespace: shop
data:
  LOG_LEVEL: info
`;
}
