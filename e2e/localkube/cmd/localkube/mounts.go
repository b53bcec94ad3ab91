package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
)

// mountsUnder lists the mount points at or below dir, deepest (latest mounted) first.
func mountsUnder(dir string) ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()

	var found []string
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) < 5 {
			continue
		}
		point := unescapeMount(fields[4])
		if point == dir || strings.HasPrefix(point, dir+"/") {
			found = append(found, point)
		}
	}
	slices.Reverse(found)
	return found, scanner.Err()
}

// unmountAll undoes every mount under dir: overlay root filesystems, shm, network namespaces,
// pod volumes and the kubelet's rshared bind mount. Busy mounts are detached lazily.
func unmountAll(dir string) error {
	for range 10 {
		points, err := mountsUnder(dir)
		if err != nil {
			return err
		}
		if len(points) == 0 {
			return nil
		}
		for _, point := range points {
			err := syscall.Unmount(point, 0)
			if errors.Is(err, syscall.EBUSY) {
				err = syscall.Unmount(point, syscall.MNT_DETACH)
			}
			if err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOENT) {
				return fmt.Errorf("unmounting %s: %w", point, err)
			}
		}
	}
	points, _ := mountsUnder(dir)
	return fmt.Errorf("mounts left under %s: %v", dir, points)
}
