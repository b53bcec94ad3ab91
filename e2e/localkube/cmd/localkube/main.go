// Command localkube starts and stops the single-node Kubernetes cluster of the regcred e2e:
// etcd, the control plane and a kubelet on Debian's containerd, all on loopback, all files in
// one state directory. localkube.sh builds it and the server binaries and calls it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

const usage = `usage:
  localkube up --bin-dir DIR --state-dir DIR [--registry HOST:PORT --registry-ca CA.pem]...
               [--pod-cidr CIDR] [--service-cidr CIDR] [--timeout DURATION]
      start the cluster; prints the admin kubeconfig path on stdout when the node is Ready
  localkube down --state-dir DIR
      stop the cluster and remove everything it made, DIR included; safe to repeat
  localkube status --state-dir DIR
      print the admin kubeconfig path and exit 0 when the API answers and the node is Ready
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	commands := map[string]func([]string) error{"up": runUp, "down": runDown, "status": runStatus}
	run, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "localkube: unknown command %q\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	err := run(os.Args[2:])
	if errors.Is(err, errUsage) {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "localkube %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func runStatus(args []string) error {
	fset := flag.NewFlagSet("status", flag.ContinueOnError)
	stateDir := fset.String("state-dir", "", "state directory given to up")
	fset.String("bin-dir", "", "ignored; accepted so every subcommand takes the same flags")
	if err := fset.Parse(args); err != nil || *stateDir == "" {
		return errUsage
	}
	root, err := filepath.Abs(*stateDir)
	if err != nil {
		return err
	}
	l := layout{root: root}
	st, err := l.readState()
	if err != nil {
		return err
	}
	if st.Ports.APIServer == 0 {
		return fmt.Errorf("no cluster in %s", root)
	}

	api, err := newAPIClient(l, st.Ports.APIServer)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := api.get(ctx, "/readyz"); err != nil {
		return err
	}
	if err := api.nodeReady(ctx); err != nil {
		return err
	}
	fmt.Println(st.Kubeconfig)
	return nil
}
