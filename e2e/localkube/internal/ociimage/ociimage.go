// Package ociimage builds FROM-scratch OCI images around one static binary.
package ociimage

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// Image is a one-layer image: its layer, config and manifest blobs and their descriptors.
type Image struct {
	Layer, Config, Manifest             []byte
	LayerDesc, ConfigDesc, ManifestDesc Descriptor
}

// LayoutTar builds an OCI image layout archive named name (repository:tag) holding the binary
// at binaryPath as its only file and entrypoint: the form `ctr images import` takes.
//
// # Errors
//
// Reading the binary fails.
func LayoutTar(name, binaryPath, entrypoint string) ([]byte, error) {
	img, err := FromBinary(binaryPath, entrypoint)
	if err != nil {
		return nil, err
	}
	manifestDesc := img.ManifestDesc
	manifestDesc.Platform = map[string]string{"architecture": "amd64", "os": "linux"}
	manifestDesc.Annotations = map[string]string{
		"io.containerd.image.name":          name,
		"org.opencontainers.image.ref.name": name[strings.LastIndexByte(name, ':')+1:],
	}
	index, err := json.Marshal(map[string]any{"schemaVersion": 2, "manifests": []Descriptor{manifestDesc}})
	if err != nil {
		return nil, err
	}
	return tarFiles(map[string][]byte{
		"oci-layout":               []byte(`{"imageLayoutVersion":"1.0.0"}`),
		"index.json":               index,
		blobPath(img.LayerDesc):    img.Layer,
		blobPath(img.ConfigDesc):   img.Config,
		blobPath(img.ManifestDesc): img.Manifest,
	}, 0o644)
}

// FromBinary builds the blobs of an image whose only file is the binary, at entrypoint.
//
// # Errors
//
// Reading the binary fails.
func FromBinary(binaryPath, entrypoint string) (Image, error) {
	binary, err := os.ReadFile(binaryPath)
	if err != nil {
		return Image{}, err
	}
	layer, err := tarFiles(map[string][]byte{strings.TrimPrefix(entrypoint, "/"): binary}, 0o755)
	if err != nil {
		return Image{}, err
	}
	layerDesc := describe("application/vnd.oci.image.layer.v1.tar", layer)

	config, err := json.Marshal(map[string]any{
		"architecture": "amd64",
		"os":           "linux",
		"config":       map[string]any{"Entrypoint": []string{entrypoint}},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{layerDesc.Digest}},
	})
	if err != nil {
		return Image{}, err
	}
	configDesc := describe("application/vnd.oci.image.config.v1+json", config)

	manifest, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        configDesc,
		"layers":        []Descriptor{layerDesc},
	})
	if err != nil {
		return Image{}, err
	}
	return Image{
		Layer: layer, Config: config, Manifest: manifest,
		LayerDesc: layerDesc, ConfigDesc: configDesc,
		ManifestDesc: describe("application/vnd.oci.image.manifest.v1+json", manifest),
	}, nil
}

// Descriptor points at a blob by media type, digest and size.
type Descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int               `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Platform    map[string]string `json:"platform,omitempty"`
}

func describe(mediaType string, content []byte) Descriptor {
	sum := sha256.Sum256(content)
	return Descriptor{MediaType: mediaType, Digest: "sha256:" + hex.EncodeToString(sum[:]), Size: len(content)}
}

func blobPath(d Descriptor) string {
	return "blobs/sha256/" + strings.TrimPrefix(d.Digest, "sha256:")
}

// tarFiles writes files (and their parent directories) in a stable order with fixed times,
// so the same input always gives the same digest.
func tarFiles(files map[string][]byte, mode int64) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Unix(0, 0)
	seenDirs := map[string]bool{}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for i, c := range name {
			if dir := name[:i+1]; c == '/' && !seenDirs[dir] {
				seenDirs[dir] = true
				hdr := &tar.Header{Name: dir, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: epoch}
				if err := tw.WriteHeader(hdr); err != nil {
					return nil, err
				}
			}
		}
		hdr := &tar.Header{Name: name, Mode: mode, Size: int64(len(files[name])), ModTime: epoch}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(files[name]); err != nil {
			return nil, fmt.Errorf("writing %s into image archive: %w", name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
