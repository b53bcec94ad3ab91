// Differential oracle: the real Kubernetes keyring and image parser.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	dockerref "github.com/distribution/reference"
	"k8s.io/kubernetes/pkg/credentialprovider"
	"k8s.io/kubernetes/pkg/util/parsers"
)

type input struct {
	Image string   `json:"image"`
	Keys  []string `json:"keys"`
}

type output struct {
	Image string   `json:"image"`
	Keys  []string `json:"keys"`
	Repo  *string  `json:"repo"`
	Err   bool     `json:"err"`
	Tag   string   `json:"tag"`
	Dig   string   `json:"digest"`
	Tried []string `json:"tried"`
	OK    bool     `json:"ok"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var c input
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		o := output{Image: c.Image, Keys: c.Keys, Tried: []string{}}
		repo, _, _, err := parsers.ParseImageName(c.Image)
		if err != nil {
			o.Err = true
			out.Encode(o)
			continue
		}
		o.Repo = &repo
		named, _ := dockerref.ParseNormalizedNamed(c.Image)
		if t, ok := named.(dockerref.Tagged); ok {
			o.Tag = t.Tag()
		}
		if d, ok := named.(dockerref.Digested); ok {
			o.Dig = d.Digest().String()
		}
		kr := &credentialprovider.BasicDockerKeyring{}
		for _, k := range c.Keys {
			kr.Add(nil, credentialprovider.DockerConfig{k: credentialprovider.DockerConfigEntry{Username: k}})
		}
		creds, ok := kr.Lookup(repo)
		o.OK = ok
		for _, cr := range creds {
			o.Tried = append(o.Tried, cr.Username)
		}
		out.Encode(o)
	}
}
