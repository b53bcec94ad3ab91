// Package selftest brings the local cluster up, runs pods on it (from a locally imported image
// and from a private TLS registry), brings it down and checks that nothing is left.
package selftest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"regcred.dev/e2e/localkube/internal/ociimage"
)

const launcher = "../localkube.sh"

func TestClusterRunsPodsAndLeavesNothingBehind(t *testing.T) {
	binDir := requireMachine(t)
	started := time.Now()
	reg := startRegistry(t)
	img, err := ociimage.FromBinary(filepath.Join(binDir, "pause"), "/sleeper")
	if err != nil {
		t.Fatal(err)
	}
	reg.push(t, "selftest/sleeper", "1", img)
	untrusted := startRegistry(t)
	untrusted.push(t, "selftest/sleeper", "1", img)

	stateDir, err := os.MkdirTemp("/tmp", "lk-selftest-")
	if err != nil {
		t.Fatal(err)
	}
	before := snapshotHost(t, stateDir)
	t.Cleanup(func() { _ = exec.Command(launcher, "down", "--state-dir", stateDir).Run() })

	upStarted := time.Now()
	// The second registry is configured with the first one's CA: TLS verification must refuse it.
	kubeconfig := strings.TrimSpace(runOK(t, nil, launcher, "up", "--state-dir", stateDir,
		"--registry", reg.addr, "--registry-ca", reg.caPath,
		"--registry", untrusted.addr, "--registry-ca", reg.caPath))
	t.Logf("cluster up in %.1fs, kubeconfig %s", time.Since(upStarted).Seconds(), kubeconfig)
	kube := func(t *testing.T, stdin []byte, args ...string) string {
		t.Helper()
		return runOK(t, stdin, "kubectl", append([]string{"--kubeconfig", kubeconfig}, args...)...)
	}
	statePorts := readPorts(t, stateDir)

	t.Run("pod from a locally imported image becomes Ready", func(t *testing.T) {
		archive, err := ociimage.LayoutTar("localkube.invalid/sleeper:1", filepath.Join(binDir, "pause"), "/sleeper")
		if err != nil {
			t.Fatal(err)
		}
		tarPath := filepath.Join(stateDir, "images", "sleeper.tar")
		if err := os.WriteFile(tarPath, archive, 0o600); err != nil {
			t.Fatal(err)
		}
		runOK(t, nil, "ctr", "--address", filepath.Join(stateDir, "run", "containerd.sock"),
			"--namespace", "k8s.io", "images", "import", tarPath)
		kube(t, podJSON("local", "localkube.invalid/sleeper:1", "Never", ""), "apply", "-f", "-")
		kube(t, nil, "wait", "--for=condition=Ready", "pod/local", "--timeout=120s")
	})

	t.Run("private registry pull with the CA trusted and a pull secret", func(t *testing.T) {
		kube(t, pullSecretJSON(reg), "apply", "-f", "-")
		kube(t, podJSON("private", reg.addr+"/selftest/sleeper:1", "Always", "selftest-pull"), "apply", "-f", "-")
		kube(t, nil, "wait", "--for=condition=Ready", "pod/private", "--timeout=120s")
	})

	t.Run("private registry pull without a secret fails with 401", func(t *testing.T) {
		kube(t, podJSON("anonymous", reg.addr+"/selftest/sleeper:1", "Always", ""), "apply", "-f", "-")
		waitForEvent(t, kube, "anonymous", "401 Unauthorized")
	})

	t.Run("registry configured with the wrong CA fails TLS verification", func(t *testing.T) {
		kube(t, pullSecretJSONNamed("untrusted-pull", untrusted), "apply", "-f", "-")
		kube(t, podJSON("untrusted", untrusted.addr+"/selftest/sleeper:1", "Always", "untrusted-pull"),
			"apply", "-f", "-")
		waitForEvent(t, kube, "untrusted", "x509: certificate signed by unknown authority")
	})

	sockets := shimSockets(t, stateDir)
	runOK(t, nil, launcher, "down", "--state-dir", stateDir)
	t.Run("down leaves nothing behind", func(t *testing.T) {
		if left := existing(sockets); len(left) > 0 {
			t.Errorf("shim sockets left: %v", left)
		}
		after := snapshotHost(t, stateDir)
		if diff := before.diff(after); diff != "" {
			t.Errorf("host changed by up/down:\n%s", diff)
		}
		if _, err := os.Stat(stateDir); !os.IsNotExist(err) {
			t.Errorf("state dir %s still exists (%v)", stateDir, err)
		}
		if open := listeningPorts(statePorts); len(open) > 0 {
			t.Errorf("ports %v still listening", open)
		}
	})
	t.Run("down again succeeds", func(t *testing.T) {
		runOK(t, nil, launcher, "down", "--state-dir", stateDir)
	})
	t.Logf("full flow (2 registries, push, up, 4 pods, down, checks) in %.1fs", time.Since(started).Seconds())
}

func TestDownAfterACrashLeavesNothingBehind(t *testing.T) {
	binDir := requireMachine(t)
	stateDir, err := os.MkdirTemp("/tmp", "lk-crash-")
	if err != nil {
		t.Fatal(err)
	}
	before := snapshotHost(t, stateDir)
	t.Cleanup(func() { _ = exec.Command(launcher, "down", "--state-dir", stateDir).Run() })
	kubeconfig := strings.TrimSpace(runOK(t, nil, launcher, "up", "--state-dir", stateDir))
	statePorts := readPorts(t, stateDir)

	archive, err := ociimage.LayoutTar("localkube.invalid/sleeper:1", filepath.Join(binDir, "pause"), "/sleeper")
	if err != nil {
		t.Fatal(err)
	}
	tarPath := filepath.Join(stateDir, "images", "sleeper.tar")
	if err := os.WriteFile(tarPath, archive, 0o600); err != nil {
		t.Fatal(err)
	}
	runOK(t, nil, "ctr", "--address", filepath.Join(stateDir, "run", "containerd.sock"),
		"--namespace", "k8s.io", "images", "import", tarPath)
	runOK(t, podJSON("doomed", "localkube.invalid/sleeper:1", "Never", ""), "kubectl", "--kubeconfig", kubeconfig, "apply", "-f", "-")
	runOK(t, nil, "kubectl", "--kubeconfig", kubeconfig, "wait", "--for=condition=Ready", "pod/doomed", "--timeout=120s")

	// A crash: every daemon dies at once; shims, pods, mounts and the bridge stay behind.
	for _, name := range []string{"kubelet", "containerd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"} {
		killRecorded(t, filepath.Join(stateDir, "run", name+".pid"))
	}
	sockets := shimSockets(t, stateDir)
	runOK(t, nil, launcher, "down", "--state-dir", stateDir)

	if left := existing(sockets); len(left) > 0 {
		t.Errorf("shim sockets left: %v", left)
	}
	if diff := before.diff(snapshotHost(t, stateDir)); diff != "" {
		t.Errorf("host changed by up/crash/down:\n%s", diff)
	}
	if _, err := os.Stat(stateDir); !os.IsNotExist(err) {
		t.Errorf("state dir %s still exists (%v)", stateDir, err)
	}
	if open := listeningPorts(statePorts); len(open) > 0 {
		t.Errorf("ports %v still listening", open)
	}
}

func killRecorded(t *testing.T, pidFile string) {
	t.Helper()
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	if _, err := fmt.Sscan(string(data), &pid); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill %d from %s: %v", pid, pidFile, err)
	}
}

// requireMachine skips unless the test runs as root with the binaries and Debian tools present.
func requireMachine(t *testing.T) string {
	t.Helper()
	binDir := os.Getenv("LOCALKUBE_BIN_DIR")
	switch {
	case os.Geteuid() != 0:
		t.Skip("needs root: the cluster mounts, creates cgroups and a bridge")
	case binDir == "":
		t.Skip("needs LOCALKUBE_BIN_DIR (selftest.sh sets it after `localkube.sh build`)")
	}
	for _, tool := range []string{"/usr/bin/docker-registry", "/usr/bin/etcd", "/usr/bin/containerd", "/usr/bin/ctr"} {
		if _, err := os.Stat(tool); err != nil {
			t.Skipf("needs %s (apt-get install docker-registry etcd-server containerd)", tool)
		}
	}
	if _, err := exec.LookPath("kubectl"); err != nil {
		t.Skip("needs kubectl on PATH")
	}
	return binDir
}

func podJSON(name, image, pullPolicy, pullSecret string) []byte {
	spec := map[string]any{
		"containers":                    []any{map[string]any{"name": "main", "image": image, "imagePullPolicy": pullPolicy}},
		"terminationGracePeriodSeconds": 1,
	}
	if pullSecret != "" {
		spec["imagePullSecrets"] = []any{map[string]any{"name": pullSecret}}
	}
	return mustJSON(map[string]any{"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": name, "namespace": "default"}, "spec": spec})
}

// pullSecretJSON goes through stdin so the password never reaches a command line.
func pullSecretJSON(r *registry) []byte { return pullSecretJSONNamed("selftest-pull", r) }

func pullSecretJSONNamed(name string, r *registry) []byte {
	auth := base64.StdEncoding.EncodeToString([]byte(r.user + ":" + r.password))
	config := mustJSON(map[string]any{"auths": map[string]any{r.addr: map[string]any{"auth": auth}}})
	return mustJSON(map[string]any{"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
		"metadata": map[string]any{"name": name, "namespace": "default"},
		"data":     map[string]any{".dockerconfigjson": base64.StdEncoding.EncodeToString(config)}})
}

func waitForEvent(t *testing.T, kube func(*testing.T, []byte, ...string) string, pod, want string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		events := kube(t, nil, "get", "events", "--field-selector", "involvedObject.name="+pod,
			"-o", "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}")
		if strings.Contains(events, want) {
			t.Logf("event seen: %s", firstLineWith(events, want))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no event with %q for pod %s; events:\n%s", want, pod, events)
		}
		time.Sleep(2 * time.Second)
	}
}

func firstLineWith(text, want string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, want) {
			return line
		}
	}
	return ""
}

func runOK(t *testing.T, stdin []byte, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	if name == launcher && stderr.Len() > 0 {
		t.Logf("%s %s:\n%s", name, args[0], strings.TrimSpace(stderr.String()))
	}
	return stdout.String()
}

func readPorts(t *testing.T, stateDir string) []int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(stateDir, "localkube.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st struct{ Ports map[string]int }
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	var ports []int
	for _, p := range st.Ports {
		ports = append(ports, p)
	}
	return ports
}

func mustJSON(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("marshal %T: %v", v, err))
	}
	return data
}
