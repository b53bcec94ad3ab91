package selftest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// hostSnapshot is what a cluster could leave on the host outside its state directory.
type hostSnapshot struct {
	mounts, cgroups, links, shimSockets, containerLogs, processes []string
	sysctls                                                       map[string]string
}

func snapshotHost(t *testing.T, stateDir string) hostSnapshot {
	t.Helper()
	s := hostSnapshot{sysctls: map[string]string{}}
	mountinfo, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(mountinfo), "\n") {
		if strings.Contains(line, stateDir) {
			s.mounts = append(s.mounts, line)
		}
	}
	s.cgroups, _ = filepath.Glob("/sys/fs/cgroup/*/regcred-localkube")
	if more, _ := filepath.Glob("/sys/fs/cgroup/regcred-localkube"); len(more) > 0 {
		s.cgroups = append(s.cgroups, more...)
	}
	s.links = names("/sys/class/net")
	s.shimSockets = names("/run/containerd/s")
	s.containerLogs = names("/var/log/containers")
	s.processes = processesMentioning(stateDir)
	for _, key := range []string{"vm/overcommit_memory", "vm/panic_on_oom", "kernel/panic",
		"kernel/panic_on_oops", "kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes", "net/ipv4/ip_forward"} {
		value, _ := os.ReadFile("/proc/sys/" + key)
		s.sysctls[key] = strings.TrimSpace(string(value))
	}
	return s
}

func (s hostSnapshot) diff(after hostSnapshot) string {
	var b strings.Builder
	for _, pair := range []struct {
		what          string
		before, after []string
	}{
		{"mounts under the state dir", s.mounts, after.mounts},
		{"cluster cgroups", s.cgroups, after.cgroups},
		{"network interfaces", s.links, after.links},
		{"shim sockets in /run/containerd/s", s.shimSockets, after.shimSockets},
		{"entries in /var/log/containers", s.containerLogs, after.containerLogs},
		{"processes mentioning the state dir", s.processes, after.processes},
	} {
		if extra := missingFrom(pair.before, pair.after); len(extra) > 0 {
			fmt.Fprintf(&b, "new %s: %v\n", pair.what, extra)
		}
	}
	for key, value := range s.sysctls {
		if after.sysctls[key] != value {
			fmt.Fprintf(&b, "sysctl %s: %s before, %s after\n", key, value, after.sysctls[key])
		}
	}
	return b.String()
}

func missingFrom(before, after []string) []string {
	var extra []string
	for _, item := range after {
		if !slices.Contains(before, item) {
			extra = append(extra, item)
		}
	}
	return extra
}

func names(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var found []string
	for _, e := range entries {
		found = append(found, e.Name())
	}
	return found
}

func processesMentioning(text string) []string {
	entries, _ := os.ReadDir("/proc")
	var found []string
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(cmdline), text) && e.Name() != fmt.Sprint(os.Getpid()) {
			found = append(found, e.Name()+" "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	return found
}

func listeningPorts(ports []int) []int {
	var open []int
	for _, port := range ports {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 500*time.Millisecond)
		if err == nil {
			conn.Close()
			open = append(open, port)
		}
	}
	return open
}
