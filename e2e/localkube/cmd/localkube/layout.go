package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Names shared by every cluster on the machine: one localkube cluster runs at a time.
const (
	nodeName   = "localhost"
	bridgeName = "regcredlk0"
	cgroupName = "regcred-localkube"
	pauseImage = "localkube.invalid/pause:1"
	stateFile  = "localkube.json"
)

// layout names the files of one cluster under its state directory.
type layout struct{ root string }

func (l layout) path(parts ...string) string {
	return filepath.Join(append([]string{l.root}, parts...)...)
}

func (l layout) pki(name string) string        { return l.path("pki", name) }
func (l layout) kubeconfig(name string) string { return l.path("kubeconfig", name+".conf") }
func (l layout) log(name string) string        { return l.path("logs", name+".log") }
func (l layout) pidFile(name string) string    { return l.path("run", name+".pid") }
func (l layout) containerdSocket() string      { return l.path("run", "containerd.sock") }
func (l layout) containerdState() string       { return l.path("containerd", "state") }
func (l layout) kubeletRoot() string           { return l.path("kubelet") }

// state is what `up` records for `down` and `status`; every field is optional when read back
// after a crash, so `down` falls back to scanning.
type state struct {
	Ports               ports             `json:"ports"`
	Sysctls             map[string]string `json:"sysctls"`
	MadeContainerLogDir bool              `json:"madeContainerLogDir"`
	MadeShimSocketDir   bool              `json:"madeShimSocketDir"`
	Kubeconfig          string            `json:"kubeconfig"`
}

// ports are the loopback ports of one cluster, chosen free at `up`.
type ports struct {
	EtcdClient        int `json:"etcdClient"`
	EtcdPeer          int `json:"etcdPeer"`
	APIServer         int `json:"apiServer"`
	ControllerManager int `json:"controllerManager"`
	Scheduler         int `json:"scheduler"`
	Kubelet           int `json:"kubelet"`
	KubeletHealthz    int `json:"kubeletHealthz"`
}

func (p ports) all() []int {
	return []int{p.EtcdClient, p.EtcdPeer, p.APIServer, p.ControllerManager, p.Scheduler,
		p.Kubelet, p.KubeletHealthz}
}

func (l layout) writeState(s state) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(l.path(stateFile), data, 0o600)
}

// readState returns the recorded state, or an empty one when `up` never got that far.
func (l layout) readState() (state, error) {
	var s state
	data, err := os.ReadFile(l.path(stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("state file %s is not valid JSON: %w", l.path(stateFile), err)
	}
	return s, nil
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
