package selftest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"regcred.dev/e2e/localkube/internal/ociimage"
)

// registry is a throwaway CNCF distribution registry (Debian's docker-registry) on loopback,
// with TLS from its own CA and htpasswd authentication.
type registry struct {
	addr, caPath, user, password string
	client                       *http.Client
}

func startRegistry(t *testing.T) *registry {
	t.Helper()
	dir := t.TempDir()
	r := &registry{caPath: filepath.Join(dir, "ca.crt"), user: "selftest", password: randomPassword(t)}

	caPEM, certPEM, keyPEM := registryCerts(t)
	hash, err := bcrypt.GenerateFromPassword([]byte(r.password), bcrypt.DefaultCost)
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	r.addr = fmt.Sprintf("127.0.0.1:%d", port)
	files := map[string][]byte{
		"ca.crt":     caPEM,
		"server.crt": certPEM,
		"server.key": keyPEM,
		"htpasswd":   []byte(r.user + ":" + string(hash) + "\n"),
		"config.yml": fmt.Appendf(nil, `version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: %[1]s/data
http:
  addr: %[2]s
  tls:
    certificate: %[1]s/server.crt
    key: %[1]s/server.key
auth:
  htpasswd:
    realm: selftest
    path: %[1]s/htpasswd
`, dir, r.addr),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	cmd := exec.Command("/usr/bin/docker-registry", "serve", filepath.Join(dir, "config.yml"))
	logFile, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	r.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}}
	r.waitAnswering(t)
	return r
}

// waitAnswering waits for the anonymous 401 that proves TLS and auth are both on.
func (r *registry) waitAnswering(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := r.client.Get("https://" + r.addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusUnauthorized {
				return
			}
			err = fmt.Errorf("anonymous GET /v2/ answered %s, want 401", resp.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("registry on %s not answering: %v", r.addr, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// push uploads an image's blobs and manifest with the distribution API, authenticated.
func (r *registry) push(t *testing.T, repo, tag string, img ociimage.Image) {
	t.Helper()
	for _, blob := range []struct {
		digest string
		data   []byte
	}{{img.LayerDesc.Digest, img.Layer}, {img.ConfigDesc.Digest, img.Config}} {
		resp := r.do(t, http.MethodPost, "/v2/"+repo+"/blobs/uploads/", "", nil, http.StatusAccepted)
		location, err := resp.Location()
		if err != nil {
			t.Fatal(err)
		}
		query := location.Query()
		query.Set("digest", blob.digest)
		location.RawQuery = query.Encode()
		r.do(t, http.MethodPut, location.String(), "application/octet-stream", blob.data, http.StatusCreated)
	}
	r.do(t, http.MethodPut, "/v2/"+repo+"/manifests/"+tag, img.ManifestDesc.MediaType, img.Manifest,
		http.StatusCreated)
}

func (r *registry) do(t *testing.T, method, target, contentType string, body []byte, want int) *http.Response {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	if !u.IsAbs() {
		u, _ = url.Parse("https://" + r.addr + target)
	}
	req, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(r.user, r.password)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %s (want %d): %s", method, u.Path, resp.Status, want, strings.TrimSpace(string(text)))
	}
	return resp
}

// registryCerts returns a fresh CA and a serving certificate for 127.0.0.1 signed by it.
func registryCerts(t *testing.T) (caPEM, certPEM, keyPEM []byte) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localkube-selftest-registry-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caTmpl, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
}

func randomPassword(t *testing.T) string {
	t.Helper()
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", b)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
