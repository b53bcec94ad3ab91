package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// startDaemon starts a long-running component in its own session, logging to the layout's
// log file, and records its pid and executable so `down` never signals a recycled pid.
func startDaemon(l layout, name, binary string, args ...string) error {
	logFile, err := os.OpenFile(l.log(name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()

	cmd := exec.Command(binary, args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.Dir = l.root
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s (%s): %w", name, binary, err)
	}

	record := fmt.Sprintf("%d %s\n", cmd.Process.Pid, exePath(cmd.Process.Pid))
	if err := writeFileAtomic(l.pidFile(name), []byte(record), 0o600); err != nil {
		return err
	}
	// The launcher exits right after `up`; the daemon is reparented, never waited for here.
	return cmd.Process.Release()
}

func exePath(pid int) string {
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		return ""
	}
	return exe
}

// livePid returns the recorded pid of a component if that process still runs the same binary.
func livePid(l layout, name string) (int, bool) {
	data, err := os.ReadFile(l.pidFile(name))
	if err != nil {
		return 0, false
	}
	fields := strings.Fields(string(data))
	if len(fields) != 2 {
		return 0, false
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil || pid <= 1 {
		return 0, false
	}
	exe := exePath(pid)
	return pid, exe != "" && strings.TrimSuffix(exe, " (deleted)") == fields[1]
}

// stopDaemon sends SIGTERM, waits up to grace, then SIGKILLs; a missing process is success.
func stopDaemon(l layout, name string, grace time.Duration) error {
	pid, ok := livePid(l, name)
	if ok {
		if err := signalAndWait(pid, grace); err != nil {
			return fmt.Errorf("stopping %s (pid %d): %w", name, pid, err)
		}
	}
	err := os.Remove(l.pidFile(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

func signalAndWait(pid int, grace time.Duration) error {
	_ = syscall.Kill(pid, syscall.SIGTERM)
	if waitGone(pid, grace) {
		return nil
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	if waitGone(pid, 5*time.Second) {
		return nil
	}
	return errors.New("still running after SIGKILL")
}

// waitGone reports whether pid exited (or became a zombie) within timeout.
func waitGone(pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if !isRunning(pid) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func isRunning(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name, which may itself contain spaces.
	rest := string(data[strings.LastIndexByte(string(data), ')')+1:])
	fields := strings.Fields(rest)
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}

// runTool runs a short helper command and returns its combined output in the error.
func runTool(binary string, args ...string) error {
	out, err := exec.Command(binary, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", filepath.Base(binary), strings.Join(args, " "), err,
			strings.TrimSpace(string(out)))
	}
	return nil
}
