package ociimage

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestLayoutTarIsReproducibleAndNamesTheImage(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "pause")
	if err := os.WriteFile(bin, []byte("\x7fELF fake"), 0o755); err != nil {
		t.Fatal(err)
	}
	first, err := LayoutTar("example.invalid/pause:1", bin, "/pause")
	if err != nil {
		t.Fatal(err)
	}
	second, err := LayoutTar("example.invalid/pause:1", bin, "/pause")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Fatal("two builds of the same image differ")
	}

	var index struct {
		Manifests []Descriptor `json:"manifests"`
	}
	if err := json.Unmarshal(tarEntry(t, first, "index.json"), &index); err != nil {
		t.Fatal(err)
	}
	if got := index.Manifests[0].Annotations["io.containerd.image.name"]; got != "example.invalid/pause:1" {
		t.Fatalf("image name annotation %q", got)
	}
	if tarEntry(t, first, blobPath(index.Manifests[0])) == nil {
		t.Fatal("manifest blob missing from the archive")
	}
}

func tarEntry(t *testing.T, archive []byte, name string) []byte {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Name == name {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
	}
}
