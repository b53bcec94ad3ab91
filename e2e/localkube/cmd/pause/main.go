// Command pause is the sandbox process of every pod on the local node: it holds the pod's
// namespaces open and exits on SIGTERM or SIGINT. Built static so the image is FROM scratch.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)

	// As PID 1 of a shared PID namespace the sandbox inherits orphans; reap them.
	children := make(chan os.Signal, 1)
	signal.Notify(children, syscall.SIGCHLD)

	for {
		select {
		case <-stop:
			os.Exit(0)
		case <-children:
			reapChildren()
		}
	}
}

func reapChildren() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
