package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"regcred.dev/e2e/localkube/internal/ociimage"
)

// kernelSettings are the sysctls the kubelet (and CNI) may change; `down` puts them back.
var kernelSettings = []string{
	"vm/overcommit_memory", "vm/panic_on_oom", "kernel/panic", "kernel/panic_on_oops",
	"kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes", "net/ipv4/ip_forward",
}

// hostTools are the Debian-packaged programs the node needs besides our own binaries.
var hostTools = []string{
	"/usr/bin/etcd", "/usr/bin/containerd", "/usr/bin/containerd-shim-runc-v2", "/usr/sbin/runc",
	"/usr/bin/ctr", cniDir + "/bridge", cniDir + "/host-local", cniDir + "/loopback",
}

const containerLogDir = "/var/log/containers"

type upOptions struct {
	binDir, stateDir, podCIDR, serviceCIDR string
	registries, registryCAs                stringList
	timeout                                time.Duration
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func parseUp(args []string) (upOptions, error) {
	var o upOptions
	fset := flag.NewFlagSet("up", flag.ContinueOnError)
	fset.StringVar(&o.binDir, "bin-dir", "", "directory with kube-apiserver, kubelet, … and pause")
	fset.StringVar(&o.stateDir, "state-dir", "", "directory for all cluster files (created)")
	fset.Var(&o.registries, "registry", "HOST:PORT of a registry whose CA the node trusts (repeatable)")
	fset.Var(&o.registryCAs, "registry-ca", "PEM file with the CA of the --registry in the same position")
	fset.StringVar(&o.podCIDR, "pod-cidr", "10.77.0.0/24", "subnet of the CNI bridge for pods")
	fset.StringVar(&o.serviceCIDR, "service-cidr", "10.78.0.0/24", "Service cluster IP range")
	fset.DurationVar(&o.timeout, "timeout", 3*time.Minute, "how long each component may take to start")
	if err := fset.Parse(args); err != nil {
		return o, errUsage
	}
	return o, o.validate()
}

func (o *upOptions) validate() error {
	if o.binDir == "" || o.stateDir == "" {
		return errors.New("--bin-dir and --state-dir are required")
	}
	stateDir, err := filepath.Abs(o.stateDir)
	if err != nil {
		return err
	}
	o.stateDir = stateDir
	// Unix socket paths are limited to 107 bytes; containerd adds ".ttrpc" to its socket.
	if sock := (layout{root: stateDir}).containerdSocket() + ".ttrpc"; len(sock) > 100 {
		return fmt.Errorf("state dir %q is too long for a unix socket path (%d bytes); use a shorter path such as /tmp/regcred-e2e", stateDir, len(sock))
	}
	if len(o.registries) != len(o.registryCAs) {
		return fmt.Errorf("%d --registry but %d --registry-ca: give one CA file for each registry, in the same order",
			len(o.registries), len(o.registryCAs))
	}
	for i, registry := range o.registries {
		if err := validateRegistry(registry, o.registryCAs[i]); err != nil {
			return err
		}
	}
	return nil
}

func validateRegistry(registry, caPath string) error {
	if _, _, err := net.SplitHostPort(registry); err != nil || strings.Contains(registry, "/") {
		return fmt.Errorf("registry %q is not HOST:PORT (for example 127.0.0.1:5000)", registry)
	}
	data, err := os.ReadFile(caPath)
	if err != nil {
		return fmt.Errorf("reading registry CA: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return fmt.Errorf("registry CA %s holds no PEM CERTIFICATE block", caPath)
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return fmt.Errorf("registry CA %s: %w", caPath, err)
	}
	return nil
}

// preflight checks the machine before anything is written.
func preflight(o upOptions) error {
	if os.Geteuid() != 0 {
		return errors.New("up needs root (it mounts, creates cgroups and network interfaces)")
	}
	for _, name := range []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "pause"} {
		if _, err := os.Stat(filepath.Join(o.binDir, name)); err != nil {
			return fmt.Errorf("binary %s missing in %s; run `localkube.sh build` first", name, o.binDir)
		}
	}
	for _, tool := range hostTools {
		if _, err := os.Stat(tool); err != nil {
			return fmt.Errorf("%s missing; apt-get install etcd-server containerd runc containernetworking-plugins", tool)
		}
	}
	pids, err := clusterCgroupPids()
	if err != nil {
		return err
	}
	if len(pids) > 0 {
		return fmt.Errorf("another localkube cluster is running (processes %v in cgroup %s); stop it with `localkube.sh down --state-dir %s`",
			pids, cgroupName, runningStateDir(pids))
	}
	if _, err := os.Stat("/sys/class/net/" + bridgeName); err == nil {
		return fmt.Errorf("bridge %s exists from an earlier cluster; `localkube.sh down --state-dir ANY_DIR` removes it", bridgeName)
	}
	return nil
}

// runningStateDir finds the state dir of a running cluster from its etcd's command line.
func runningStateDir(pids []int) string {
	for _, pid := range pids {
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil {
			continue
		}
		for _, arg := range strings.Split(string(cmdline), "\x00") {
			if dataDir, ok := strings.CutPrefix(arg, "--data-dir="); ok {
				return filepath.Dir(dataDir)
			}
		}
	}
	return "ITS_STATE_DIR"
}

func runUp(args []string) error {
	o, err := parseUp(args)
	if err != nil {
		return err
	}
	if err := preflight(o); err != nil {
		return err
	}
	l := layout{root: o.stateDir}
	if err := prepareStateDir(l); err != nil {
		return err
	}

	started := time.Now()
	kubeconfig, err := bringUp(l, o)
	if err != nil {
		if os.Getenv("LOCALKUBE_KEEP_FAILED") == "" {
			if downErr := teardown(l); downErr != nil {
				err = errors.Join(err, fmt.Errorf("cleaning up after the failure: %w", downErr))
			}
		}
		return err
	}
	progress("cluster ready in %.1fs", time.Since(started).Seconds())
	fmt.Println(kubeconfig)
	return nil
}

// prepareStateDir refuses a directory holding anything but an earlier, stopped cluster.
func prepareStateDir(l layout) error {
	entries, err := os.ReadDir(l.root)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if len(entries) > 0 {
		if _, err := os.Stat(l.path(stateFile)); err != nil {
			return fmt.Errorf("state dir %s is not empty and holds no %s; give an empty or new directory", l.root, stateFile)
		}
		return fmt.Errorf("state dir %s holds an earlier cluster; run `localkube.sh down --state-dir %s` first", l.root, l.root)
	}
	for _, dir := range []string{"pki", "kubeconfig", "logs", "run", "images", "cni/net.d", "containerd/certs.d"} {
		if err := os.MkdirAll(l.path(dir), 0o700); err != nil {
			return err
		}
	}
	return nil
}

func bringUp(l layout, o upOptions) (string, error) {
	st, err := initialState(l)
	if err != nil {
		return "", err
	}
	_, podCIDR, err := net.ParseCIDR(o.podCIDR)
	if err != nil {
		return "", fmt.Errorf("--pod-cidr %q: %w", o.podCIDR, err)
	}
	if err := writePKI(l, st.Ports, o.serviceCIDR); err != nil {
		return "", err
	}
	if err := makeCgroups(); err != nil {
		return "", err
	}
	if err := joinDaemonCgroup(); err != nil {
		return "", err
	}
	if err := startControlPlane(l, o, st.Ports); err != nil {
		return "", err
	}
	if err := startContainerd(l, o, podCIDR); err != nil {
		return "", err
	}
	if err := startKubelet(l, o, st.Ports); err != nil {
		return "", err
	}
	return st.Kubeconfig, nil
}

// initialState picks ports, records what `down` must restore, and saves it before any change.
func initialState(l layout) (state, error) {
	found, err := freePorts(7)
	if err != nil {
		return state{}, err
	}
	st := state{
		Ports: ports{EtcdClient: found[0], EtcdPeer: found[1], APIServer: found[2],
			ControllerManager: found[3], Scheduler: found[4], Kubelet: found[5], KubeletHealthz: found[6]},
		Sysctls:    map[string]string{},
		Kubeconfig: l.kubeconfig("admin"),
	}
	for _, key := range kernelSettings {
		if value, err := os.ReadFile("/proc/sys/" + key); err == nil {
			st.Sysctls[key] = strings.TrimSpace(string(value))
		}
	}
	if _, err := os.Stat(containerLogDir); errors.Is(err, fs.ErrNotExist) {
		st.MadeContainerLogDir = true
	}
	if _, err := os.Stat(shimSocketDir); errors.Is(err, fs.ErrNotExist) {
		st.MadeShimSocketDir = true
	}
	return st, l.writeState(st)
}

func writePKI(l layout, p ports, serviceCIDR string) error {
	ca, err := newAuthority()
	if err != nil {
		return err
	}
	serviceIP, err := firstServiceIP(serviceCIDR)
	if err != nil {
		return err
	}
	loopback := []net.IP{net.IPv4(127, 0, 0, 1)}
	requests := map[string]certRequest{
		"apiserver": {commonName: "kube-apiserver", server: true, ips: append(loopback, serviceIP),
			dnsNames: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
				"kubernetes.default.svc.cluster.local"}},
		"apiserver-kubelet-client": {commonName: "kube-apiserver-kubelet-client", orgs: []string{"system:masters"}},
		"kubelet-serving":          {commonName: nodeName, server: true, ips: loopback, dnsNames: []string{nodeName}},
		"admin":                    {commonName: "localkube-admin", orgs: []string{"system:masters"}},
		"controller-manager":       {commonName: "system:kube-controller-manager"},
		"scheduler":                {commonName: "system:kube-scheduler"},
		"kubelet":                  {commonName: "system:node:" + nodeName, orgs: []string{"system:nodes"}},
	}
	caKey, err := ca.keyPEM()
	if err != nil {
		return err
	}
	saKey, saPub, err := serviceAccountKeys()
	if err != nil {
		return err
	}
	files := map[string][]byte{"ca.crt": ca.certPEM, "ca.key": caKey, "sa.key": saKey, "sa.pub": saPub}
	server := "https://" + hostPort(p.APIServer)
	for name, req := range requests {
		id, err := ca.issue(req)
		if err != nil {
			return err
		}
		files[name+".crt"], files[name+".key"] = id.certPEM, id.keyPEM
		if _, isUser := map[string]bool{"admin": true, "controller-manager": true, "scheduler": true, "kubelet": true}[name]; isUser {
			if err := writeFileAtomic(l.kubeconfig(name), kubeconfigText(server, ca.certPEM, id), 0o600); err != nil {
				return err
			}
		}
	}
	for name, data := range files {
		if err := writeFileAtomic(l.pki(name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func firstServiceIP(cidr string) (net.IP, error) {
	_, network, err := net.ParseCIDR(cidr)
	if err != nil || network.IP.To4() == nil {
		return nil, fmt.Errorf("--service-cidr %q is not an IPv4 CIDR such as 10.78.0.0/24", cidr)
	}
	ip := network.IP.To4()
	return net.IPv4(ip[0], ip[1], ip[2], ip[3]+1), nil
}

func startControlPlane(l layout, o upOptions, p ports) error {
	progress("starting etcd on %s", hostPort(p.EtcdClient))
	if err := startDaemon(l, "etcd", "/usr/bin/etcd", etcdArgs(l, p)...); err != nil {
		return err
	}
	if err := waitFor(l, "etcd", o.timeout, etcdHealth(p.EtcdClient)); err != nil {
		return err
	}

	progress("starting kube-apiserver on %s", hostPort(p.APIServer))
	if err := startDaemon(l, "kube-apiserver", filepath.Join(o.binDir, "kube-apiserver"),
		apiserverArgs(l, p, o.serviceCIDR)...); err != nil {
		return err
	}
	api, err := newAPIClient(l, p.APIServer)
	if err != nil {
		return err
	}
	readyz := func(ctx context.Context) error { _, err := api.get(ctx, "/readyz"); return err }
	if err := waitFor(l, "kube-apiserver", o.timeout, readyz); err != nil {
		return err
	}

	progress("starting kube-controller-manager and kube-scheduler")
	if err := startDaemon(l, "kube-controller-manager", filepath.Join(o.binDir, "kube-controller-manager"),
		controllerManagerArgs(l, p, o.serviceCIDR)...); err != nil {
		return err
	}
	if err := startDaemon(l, "kube-scheduler", filepath.Join(o.binDir, "kube-scheduler"),
		schedulerArgs(l, p)...); err != nil {
		return err
	}
	if err := waitFor(l, "kube-controller-manager", o.timeout, healthz(p.ControllerManager)); err != nil {
		return err
	}
	return waitFor(l, "kube-scheduler", o.timeout, healthz(p.Scheduler))
}

func startContainerd(l layout, o upOptions, podCIDR *net.IPNet) error {
	files := map[string][]byte{
		l.path("containerd", "config.toml"):             containerdConfig(l),
		l.path("cni", "net.d", "10-localkube.conflist"): cniConfig(l, podCIDR),
	}
	for i, registry := range o.registries {
		ca, err := os.ReadFile(o.registryCAs[i])
		if err != nil {
			return err
		}
		hostDir := l.path("containerd", "certs.d", certsDirName(registry))
		files[filepath.Join(hostDir, "ca.crt")] = ca
		files[filepath.Join(hostDir, "hosts.toml")] = registryHostsTOML(registry, filepath.Join(hostDir, "ca.crt"))
	}
	for path, data := range files {
		if err := writeFileAtomic(path, data, 0o600); err != nil {
			return err
		}
	}

	progress("starting containerd on %s", l.containerdSocket())
	if err := startDaemon(l, "containerd", "/usr/bin/containerd", "--config", l.path("containerd", "config.toml")); err != nil {
		return err
	}
	if err := waitFor(l, "containerd", o.timeout, socketAnswers(l.containerdSocket())); err != nil {
		return err
	}
	return importImage(l, pauseImage, filepath.Join(o.binDir, "pause"), "/pause")
}

// importImage builds a FROM-scratch image around one static binary and imports it for the CRI.
func importImage(l layout, name, binary, entrypoint string) error {
	archive, err := ociimage.LayoutTar(name, binary, entrypoint)
	if err != nil {
		return err
	}
	path := l.path("images", filepath.Base(binary)+".tar")
	if err := writeFileAtomic(path, archive, 0o600); err != nil {
		return err
	}
	progress("importing %s", name)
	return runTool("/usr/bin/ctr", "--address", l.containerdSocket(), "--namespace", "k8s.io",
		"images", "import", path)
}

func startKubelet(l layout, o upOptions, p ports) error {
	if err := os.MkdirAll(containerLogDir, 0o755); err != nil {
		return err
	}
	if err := writeFileAtomic(l.path("kubelet-config.yaml"), kubeletConfig(l, p), 0o600); err != nil {
		return err
	}
	progress("starting kubelet (node %s)", nodeName)
	if err := startDaemon(l, "kubelet", filepath.Join(o.binDir, "kubelet"), kubeletArgs(l)...); err != nil {
		return err
	}
	api, err := newAPIClient(l, p.APIServer)
	if err != nil {
		return err
	}
	if err := waitFor(l, "kubelet", o.timeout, api.nodeReady); err != nil {
		return err
	}
	// Pods in the default namespace are refused until its ServiceAccount exists.
	defaultSA := func(ctx context.Context) error {
		_, err := api.get(ctx, "/api/v1/namespaces/default/serviceaccounts/default")
		return err
	}
	return waitFor(l, "kube-controller-manager", o.timeout, defaultSA)
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "localkube: %s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
