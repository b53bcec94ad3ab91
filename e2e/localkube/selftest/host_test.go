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
	mounts, cgroups, links, containerLogs, processes []string
	sysctls                                          map[string]string
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
	s.links = unbridgedLinks()
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
		{"network interfaces outside other bridges", s.links, after.links},
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

// unbridgedLinks lists network interfaces not enslaved to a bridge other than the cluster's:
// Docker, used by other work on the same machine, adds and removes veths on its own bridges.
func unbridgedLinks() []string {
	var found []string
	for _, name := range names("/sys/class/net") {
		master, err := os.Readlink(filepath.Join("/sys/class/net", name, "master"))
		if err != nil || filepath.Base(master) == "regcredlk0" {
			found = append(found, name)
		}
	}
	return found
}

// shimSockets lists the shim sockets the cluster's containerd recorded for its tasks.
func shimSockets(t *testing.T, stateDir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(stateDir, "containerd", "state", "io.containerd.runtime.v2.task", "*", "*", "address"))
	if err != nil {
		t.Fatal(err)
	}
	var sockets []string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		sockets = append(sockets, strings.TrimPrefix(strings.TrimSpace(string(data)), "unix://"))
	}
	if len(sockets) == 0 {
		t.Fatal("no shim socket recorded in the containerd state; the check would prove nothing")
	}
	return sockets
}

func existing(paths []string) []string {
	var found []string
	for _, path := range paths {
		if _, err := os.Lstat(path); err == nil {
			found = append(found, path)
		}
	}
	return found
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
