package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// shimSocketDir is where containerd 1.6 puts shim sockets whatever its state dir is.
const shimSocketDir = "/run/containerd/s"

func runDown(args []string) error {
	fset := flag.NewFlagSet("down", flag.ContinueOnError)
	stateDir := fset.String("state-dir", "", "state directory given to up")
	fset.String("bin-dir", "", "ignored; accepted so every subcommand takes the same flags")
	if err := fset.Parse(args); err != nil || *stateDir == "" {
		return errUsage
	}
	root, err := filepath.Abs(*stateDir)
	if err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return errors.New("down needs root (it unmounts and removes cgroups)")
	}
	return teardown(layout{root: root})
}

// teardown stops the cluster in l and removes every trace of it. It works on a healthy
// cluster, a half-started one and the remains of a crash, and does nothing the second time.
func teardown(l layout) error {
	if err := checkOwnedStateDir(l); err != nil {
		return err
	}
	st, err := l.readState()
	if err != nil {
		return err
	}

	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, name := range []string{"kubelet", "kube-scheduler", "kube-controller-manager", "kube-apiserver"} {
		keep(stopDaemon(l, name, 10*time.Second))
	}
	keep(killPods())
	keep(stopDaemon(l, "containerd", 10*time.Second))
	shimSockets := recordedShimSockets(l)
	keep(killClusterCgroup(15 * time.Second))
	keep(stopDaemon(l, "etcd", 10*time.Second))
	keep(killStrays(l))
	for _, socket := range shimSockets {
		keep(removeIfExists(socket))
	}

	keep(unmountAll(l.root))
	keep(deleteBridge())
	keep(leaveClusterCgroup())
	keep(removeCgroups())
	keep(restoreSysctls(st.Sysctls))
	keep(removeContainerLogLinks(l, st.MadeContainerLogDir))
	if st.MadeShimSocketDir {
		keep(removeEmptyDirs(shimSocketDir, filepath.Dir(shimSocketDir)))
	}
	if len(errs) == 0 {
		keep(os.RemoveAll(l.root))
	}
	if open := listening(st.Ports.all()); len(open) > 0 {
		keep(fmt.Errorf("ports %v still listening after down", open))
	}
	return errors.Join(errs...)
}

// strayExecutables are the programs a cluster runs; one of them naming the state dir in its
// command line belongs to this cluster even if it escaped the pid files and the cgroup.
var strayExecutables = []string{"etcd", "containerd", "containerd-shim-runc-v2", "runc", "kube-apiserver",
	"kube-controller-manager", "kube-scheduler", "kubelet", "ctr"}

func killStrays(l layout) error {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return err
	}
	var errs []error
	for _, entry := range entries {
		var pid int
		if _, err := fmt.Sscan(entry.Name(), &pid); err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		exe := strings.TrimSuffix(exePath(pid), " (deleted)")
		if err != nil || !slices.Contains(strayExecutables, filepath.Base(exe)) ||
			!strings.Contains(string(cmdline), l.root+"/") {
			continue
		}
		if err := signalAndWait(pid, 5*time.Second); err != nil {
			errs = append(errs, fmt.Errorf("stopping stray %s (pid %d): %w", exe, pid, err))
		}
	}
	return errors.Join(errs...)
}

// checkOwnedStateDir refuses to delete a directory that `up` did not make.
func checkOwnedStateDir(l layout) error {
	if l.root == "/" || l.root == "" {
		return fmt.Errorf("refusing state dir %q", l.root)
	}
	entries, err := os.ReadDir(l.root)
	if errors.Is(err, fs.ErrNotExist) || len(entries) == 0 {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := os.Stat(l.path(stateFile)); err != nil {
		return fmt.Errorf("state dir %s holds no %s: not a localkube cluster, refusing to remove it", l.root, stateFile)
	}
	return nil
}

// killPods ends container processes first so containerd records clean exits.
func killPods() error {
	mounts, err := cgroupMounts()
	if err != nil {
		return err
	}
	for _, mount := range mounts {
		_ = filepath.WalkDir(filepath.Join(mount, cgroupName, "pods"), func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil //nolint:nilerr // nothing to kill where nothing is
			}
			data, _ := os.ReadFile(filepath.Join(path, "cgroup.procs"))
			for _, field := range strings.Fields(string(data)) {
				var pid int
				if _, err := fmt.Sscan(field, &pid); err == nil {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
			return nil
		})
	}
	return nil
}

// recordedShimSockets reads the socket address each container shim left in the task state;
// a killed shim cannot remove its own socket from the shared /run/containerd/s.
func recordedShimSockets(l layout) []string {
	matches, _ := filepath.Glob(filepath.Join(l.containerdState(), "io.containerd.runtime.v2.task", "*", "*", "address"))
	var sockets []string
	for _, path := range matches {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		socket := strings.TrimPrefix(strings.TrimSpace(string(data)), "unix://")
		if strings.HasPrefix(socket, shimSocketDir+"/") {
			sockets = append(sockets, socket)
		}
	}
	return sockets
}

func deleteBridge() error {
	if _, err := os.Stat("/sys/class/net/" + bridgeName); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return runTool("ip", "link", "delete", bridgeName)
}

func restoreSysctls(saved map[string]string) error {
	var errs []error
	for key, want := range saved {
		path := "/proc/sys/" + key
		current, err := os.ReadFile(path)
		if err != nil || strings.TrimSpace(string(current)) == want {
			continue
		}
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			errs = append(errs, fmt.Errorf("restoring sysctl %s to %s: %w", key, want, err))
		}
	}
	return errors.Join(errs...)
}

// removeContainerLogLinks removes the kubelet's /var/log/containers links into this cluster.
func removeContainerLogLinks(l layout, madeDir bool) error {
	entries, err := os.ReadDir(containerLogDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, entry := range entries {
		link := filepath.Join(containerLogDir, entry.Name())
		target, err := os.Readlink(link)
		if err == nil && strings.HasPrefix(target, l.root+"/") {
			if err := removeIfExists(link); err != nil {
				return err
			}
		}
	}
	if madeDir {
		return removeEmptyDirs(containerLogDir)
	}
	return nil
}

// removeEmptyDirs removes each directory in turn if it is empty, and leaves it otherwise.
func removeEmptyDirs(dirs ...string) error {
	for _, dir := range dirs {
		err := syscall.Rmdir(dir)
		if err != nil && !errors.Is(err, syscall.ENOENT) && !errors.Is(err, syscall.ENOTEMPTY) &&
			!errors.Is(err, syscall.EEXIST) {
			return fmt.Errorf("removing %s: %w", dir, err)
		}
	}
	return nil
}

func removeIfExists(path string) error {
	err := os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
