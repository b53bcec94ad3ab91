package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUpRejectsRegistryWithoutCA(t *testing.T) {
	_, err := parseUp([]string{"--bin-dir", "/b", "--state-dir", "/tmp/x", "--registry", "127.0.0.1:5000"})
	if err == nil || !strings.Contains(err.Error(), "1 --registry but 0 --registry-ca") {
		t.Fatalf("got %v", err)
	}
}

func TestUpRejectsRegistryWithPath(t *testing.T) {
	ca := writeTemp(t, "ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
	_, err := parseUp([]string{"--bin-dir", "/b", "--state-dir", "/tmp/x",
		"--registry", "127.0.0.1:5000/library", "--registry-ca", ca})
	if err == nil || !strings.Contains(err.Error(), `registry "127.0.0.1:5000/library" is not HOST:PORT`) {
		t.Fatalf("got %v", err)
	}
}

func TestUpRejectsCAFileWithoutCertificate(t *testing.T) {
	ca := writeTemp(t, "ca.pem", "not a certificate\n")
	_, err := parseUp([]string{"--bin-dir", "/b", "--state-dir", "/tmp/x",
		"--registry", "127.0.0.1:5000", "--registry-ca", ca})
	if err == nil || !strings.Contains(err.Error(), "holds no PEM CERTIFICATE block") {
		t.Fatalf("got %v", err)
	}
}

func TestUpRejectsStateDirTooLongForSockets(t *testing.T) {
	long := "/tmp/" + strings.Repeat("d", 90)
	_, err := parseUp([]string{"--bin-dir", "/b", "--state-dir", long})
	if err == nil || !strings.Contains(err.Error(), "too long for a unix socket path") {
		t.Fatalf("got %v", err)
	}
}

func TestUpAcceptsRegistryWithRealCA(t *testing.T) {
	ca, err := newAuthority()
	if err != nil {
		t.Fatal(err)
	}
	path := writeTemp(t, "ca.pem", string(ca.certPEM))
	o, err := parseUp([]string{"--bin-dir", "/b", "--state-dir", "relative",
		"--registry", "127.0.0.1:5000", "--registry-ca", path})
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(o.stateDir) {
		t.Fatalf("state dir %q not made absolute", o.stateDir)
	}
}

func TestDownRefusesDirectoryItDidNotMake(t *testing.T) {
	dir := t.TempDir()
	writeTempIn(t, dir, "precious.txt", "keep me")
	err := checkOwnedStateDir(layout{root: dir})
	if err == nil || !strings.Contains(err.Error(), "refusing to remove it") {
		t.Fatalf("got %v", err)
	}
}

func TestDownAcceptsMissingAndEmptyStateDir(t *testing.T) {
	for _, dir := range []string{filepath.Join(t.TempDir(), "never-made"), t.TempDir()} {
		if err := checkOwnedStateDir(layout{root: dir}); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
	}
}

func TestRegistryTrustNamesTheCAAndKeepsTLS(t *testing.T) {
	got := string(registryHostsTOML("127.0.0.1:5000", "/s/ca.crt"))
	for _, want := range []string{`server = "https://127.0.0.1:5000"`, `ca = "/s/ca.crt"`} {
		if !strings.Contains(got, want) {
			t.Errorf("hosts.toml lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "skip_verify") {
		t.Errorf("hosts.toml disables TLS verification:\n%s", got)
	}
}

func TestKubeletConfigAllowsCgroupV1AndStaysOnLoopback(t *testing.T) {
	got := string(kubeletConfig(layout{root: "/s"}, ports{Kubelet: 1, KubeletHealthz: 2}))
	for _, want := range []string{"failCgroupV1: false", "address: 127.0.0.1", "healthzBindAddress: 127.0.0.1",
		"readOnlyPort: 0", "makeIPTablesUtilChains: false", `nodefs.available: "1%"`} {
		if !strings.Contains(got, want) {
			t.Errorf("kubelet config lacks %s:\n%s", want, got)
		}
	}
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	return writeTempIn(t, t.TempDir(), name, content)
}

func writeTempIn(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
