package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Every process of the cluster lives under one cgroup, /regcred-localkube, in every hierarchy:
// daemons in daemons/, pods under pods/ (the kubelet's cgroupRoot). `down` empties and removes
// it, which catches container shims and pod processes even after a crash.

// cgroupMounts returns the mount points of every cgroup hierarchy (v1 controllers, named
// hierarchies and the unified one).
func cgroupMounts() ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()

	var mounts []string
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		sep := slices.Index(fields, "-")
		if sep < 0 || sep+1 >= len(fields) {
			continue
		}
		if fsType := fields[sep+1]; fsType == "cgroup" || fsType == "cgroup2" {
			mounts = append(mounts, unescapeMount(fields[4]))
		}
	}
	return mounts, scanner.Err()
}

func isCgroupV2Only() bool {
	var st syscall.Statfs_t
	return syscall.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == 0x63677270 // CGROUP2_SUPER_MAGIC
}

// makeCgroups creates daemons/ and pods/ under the cluster cgroup in every hierarchy.
func makeCgroups() error {
	mounts, err := cgroupMounts()
	if err != nil {
		return err
	}
	for _, mount := range mounts {
		if err := makeCgroupsIn(mount); err != nil {
			return fmt.Errorf("creating cgroup %s in %s: %w", cgroupName, mount, err)
		}
	}
	return nil
}

func makeCgroupsIn(mount string) error {
	top := filepath.Join(mount, cgroupName)
	for _, dir := range []string{top, filepath.Join(top, "daemons"), filepath.Join(top, "pods")} {
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		// A new v1 cpuset cgroup starts with no CPUs or memory nodes: inherit the parent's.
		for _, file := range []string{"cpuset.cpus", "cpuset.mems"} {
			if err := copyCgroupFile(dir, file); err != nil {
				return err
			}
		}
	}
	if isCgroupV2Only() {
		return enableV2Controllers(top)
	}
	return nil
}

func copyCgroupFile(dir, file string) error {
	parent, err := os.ReadFile(filepath.Join(filepath.Dir(dir), file))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, file), parent, 0o644)
}

// enableV2Controllers delegates the controllers the kubelet needs below the cluster cgroup.
func enableV2Controllers(top string) error {
	available, err := os.ReadFile(filepath.Join(filepath.Dir(top), "cgroup.subtree_control"))
	if err != nil {
		return err
	}
	var enable []string
	for _, c := range strings.Fields(string(available)) {
		enable = append(enable, "+"+c)
	}
	for _, dir := range []string{top, filepath.Join(top, "pods")} {
		if err := os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"),
			[]byte(strings.Join(enable, " ")), 0o644); err != nil {
			return fmt.Errorf("enabling controllers in %s: %w", dir, err)
		}
	}
	return nil
}

// joinDaemonCgroup moves the launcher into daemons/ so every daemon it starts inherits it.
func joinDaemonCgroup() error {
	mounts, err := cgroupMounts()
	if err != nil {
		return err
	}
	pid := []byte(strconv.Itoa(os.Getpid()))
	for _, mount := range mounts {
		procs := filepath.Join(mount, cgroupName, "daemons", "cgroup.procs")
		if err := os.WriteFile(procs, pid, 0o644); err != nil {
			return fmt.Errorf("joining %s: %w", procs, err)
		}
	}
	return nil
}

// leaveClusterCgroup moves the launcher back to the root cgroups (after a failed `up`), so the
// cluster cgroups can be removed.
func leaveClusterCgroup() error {
	mounts, err := cgroupMounts()
	if err != nil {
		return err
	}
	pid := []byte(strconv.Itoa(os.Getpid()))
	for _, mount := range mounts {
		if err := os.WriteFile(filepath.Join(mount, "cgroup.procs"), pid, 0o644); err != nil {
			return fmt.Errorf("leaving cgroup %s in %s: %w", cgroupName, mount, err)
		}
	}
	return nil
}

// clusterCgroupPids lists every process in the cluster cgroup of any hierarchy.
func clusterCgroupPids() ([]int, error) {
	mounts, err := cgroupMounts()
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, mount := range mounts {
		err := filepath.WalkDir(filepath.Join(mount, cgroupName), func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil //nolint:nilerr // a cgroup vanishing during the walk is expected
			}
			data, err := os.ReadFile(filepath.Join(path, "cgroup.procs"))
			if err != nil {
				return nil //nolint:nilerr // same as above
			}
			for _, field := range strings.Fields(string(data)) {
				if pid, err := strconv.Atoi(field); err == nil && !slices.Contains(pids, pid) {
					pids = append(pids, pid)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return pids, nil
}

// killClusterCgroup SIGKILLs every process left in the cluster cgroup until none is left.
func killClusterCgroup(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		pids, err := clusterCgroupPids()
		if err != nil {
			return err
		}
		pids = slices.DeleteFunc(pids, func(pid int) bool { return pid == os.Getpid() || !isRunning(pid) })
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes %v survive SIGKILL in cgroup %s", pids, cgroupName)
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// removeCgroups removes the cluster cgroup tree, deepest first, in every hierarchy.
func removeCgroups() error {
	mounts, err := cgroupMounts()
	if err != nil {
		return err
	}
	var errs []error
	for _, mount := range mounts {
		var dirs []string
		_ = filepath.WalkDir(filepath.Join(mount, cgroupName), func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, path)
			}
			return nil
		})
		for _, dir := range slices.Backward(dirs) {
			if err := removeCgroupDir(dir); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// removeCgroupDir retries briefly: a cgroup stays busy for a moment after its last process dies.
func removeCgroupDir(dir string) error {
	var err error
	for range 50 {
		err = syscall.Rmdir(dir)
		if err == nil || errors.Is(err, syscall.ENOENT) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("removing cgroup %s: %w", dir, err)
}

// unescapeMount decodes the octal escapes (\040 for space) of /proc/self/mountinfo.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
