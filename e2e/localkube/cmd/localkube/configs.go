package main

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// cniDir holds the Debian containernetworking-plugins binaries (bridge, host-local, loopback).
const cniDir = "/usr/lib/cni"

// containerdConfig is Debian containerd 1.6's CRI setup with every path moved into the state
// directory, registry trust through config_path (hosts.toml) and the locally built pause image.
func containerdConfig(l layout) []byte {
	return fmt.Appendf(nil, `version = 2
root = %[1]q
state = %[2]q
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = %[3]q

[plugins."io.containerd.internal.v1.opt"]
  path = %[4]q

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %[5]q
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  # These machines deny CAP_SYS_RESOURCE, so a negative oom_score_adj (-998 for every pod
  # sandbox) fails in runc; clamp scores to containerd's own instead.
  restrict_oom_score_adj = true

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = %[6]q

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %[7]q
    conf_dir = %[8]q

  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = %[9]q
`, l.path("containerd", "root"), l.containerdState(), l.containerdSocket(),
		l.path("containerd", "opt"), pauseImage, l.path("containerd", "runc"),
		cniDir, l.path("cni", "net.d"), l.path("containerd", "certs.d"))
}

// registryHostsTOML makes containerd trust the registry's CA for that host only; TLS stays on.
func registryHostsTOML(registry, caPath string) []byte {
	return fmt.Appendf(nil, `server = "https://%[1]s"

[host."https://%[1]s"]
  capabilities = ["pull", "resolve"]
  ca = %[2]q
`, registry, caPath)
}

// certsDirName is the hosts directory containerd looks up for registry host:port.
func certsDirName(registry string) string {
	// containerd 1.6 maps "host:port" to a directory named exactly that; only IPv6 needs care.
	return strings.NewReplacer("[", "", "]", "").Replace(registry)
}

// cniConfig is a bridge without masquerading or gateway: pods talk to nothing outside.
func cniConfig(l layout, podCIDR *net.IPNet) []byte {
	return fmt.Appendf(nil, `{
  "cniVersion": "1.0.0",
  "name": "localkube",
  "plugins": [
    {
      "type": "bridge",
      "bridge": %q,
      "isGateway": false,
      "ipMasq": false,
      "hairpinMode": false,
      "ipam": {
        "type": "host-local",
        "dataDir": %q,
        "ranges": [[{"subnet": %q}]]
      }
    }
  ]
}
`, bridgeName, l.path("cni", "ipam"), podCIDR.String())
}

// kubeletConfig keeps every listener on loopback and every file in the state directory, and
// leaves host iptables alone. failCgroupV1 is off because these machines run cgroup v1.
func kubeletConfig(l layout, p ports) []byte {
	return fmt.Appendf(nil, `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: %[1]d
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: %[2]d
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: %[3]q
authorization:
  mode: Webhook
tlsCertFile: %[4]q
tlsPrivateKeyFile: %[5]q
containerRuntimeEndpoint: unix://%[6]s
cgroupDriver: cgroupfs
cgroupRoot: /%[7]s/pods
failCgroupV1: false
failSwapOn: false
makeIPTablesUtilChains: false
podLogsDir: %[8]q
clusterDomain: cluster.local
resolvConf: ""
maxPods: 30
oomScoreAdj: 0
serializeImagePulls: false
imageGCHighThresholdPercent: 100
evictionHard:
  memory.available: 100Mi
  nodefs.available: "1%%"
  nodefs.inodesFree: "1%%"
  imagefs.available: "1%%"
rotateCertificates: false
serverTLSBootstrap: false
`, p.Kubelet, p.KubeletHealthz, l.pki("ca.crt"), l.pki("kubelet-serving.crt"),
		l.pki("kubelet-serving.key"), l.containerdSocket(), cgroupName,
		l.path("kubelet-pod-logs"))
}

func hostPort(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

func etcdArgs(l layout, p ports) []string {
	client := "http://" + hostPort(p.EtcdClient)
	peer := "http://" + hostPort(p.EtcdPeer)
	return []string{
		"--name=localkube",
		"--data-dir=" + l.path("etcd"),
		"--listen-client-urls=" + client,
		"--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer,
		"--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=localkube=" + peer,
		"--initial-cluster-state=new",
	}
}

func apiserverArgs(l layout, p ports, serviceCIDR string) []string {
	return []string{
		"--etcd-servers=http://" + hostPort(p.EtcdClient),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		// The kubernetes Service cannot have loopback endpoints; nothing in the cluster needs it.
		"--endpoint-reconciler-type=none",
		"--secure-port=" + strconv.Itoa(p.APIServer),
		"--tls-cert-file=" + l.pki("apiserver.crt"),
		"--tls-private-key-file=" + l.pki("apiserver.key"),
		"--client-ca-file=" + l.pki("ca.crt"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + l.pki("sa.pub"),
		"--service-account-signing-key-file=" + l.pki("sa.key"),
		"--service-cluster-ip-range=" + serviceCIDR,
		"--authorization-mode=Node,RBAC",
		"--kubelet-client-certificate=" + l.pki("apiserver-kubelet-client.crt"),
		"--kubelet-client-key=" + l.pki("apiserver-kubelet-client.key"),
		"--kubelet-certificate-authority=" + l.pki("ca.crt"),
		// The node is named localhost, which resolves to loopback: logs and exec stay local.
		"--kubelet-preferred-address-types=Hostname",
		"--allow-privileged=true",
		"--profiling=false",
	}
}

func controllerManagerArgs(l layout, p ports, serviceCIDR string) []string {
	kubeconfig := l.kubeconfig("controller-manager")
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(p.ControllerManager),
		"--cert-dir=" + l.path("controller-manager"),
		"--leader-elect=false",
		"--use-service-account-credentials=true",
		"--service-account-private-key-file=" + l.pki("sa.key"),
		"--root-ca-file=" + l.pki("ca.crt"),
		"--cluster-signing-cert-file=" + l.pki("ca.crt"),
		"--cluster-signing-key-file=" + l.pki("ca.key"),
		"--service-cluster-ip-range=" + serviceCIDR,
		"--profiling=false",
	}
}

func schedulerArgs(l layout, p ports) []string {
	kubeconfig := l.kubeconfig("scheduler")
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(p.Scheduler),
		"--cert-dir=" + l.path("scheduler"),
		"--leader-elect=false",
		"--profiling=false",
	}
}

func kubeletArgs(l layout) []string {
	return []string{
		"--config=" + l.path("kubelet-config.yaml"),
		"--kubeconfig=" + l.kubeconfig("kubelet"),
		"--root-dir=" + l.kubeletRoot(),
		"--cert-dir=" + l.path("kubelet-pki"),
		"--volume-plugin-dir=" + l.path("kubelet-volume-plugins"),
		"--hostname-override=" + nodeName,
		"--v=2",
	}
}
