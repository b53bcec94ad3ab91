"""Generates (image, keys) cases for the keyring oracle; deterministic for a given seed.

Usage: python3 gen_cases.py > cases.jsonl
"""
import json
import random

rng = random.Random(20250601)

HOSTS = [
    "registry.example.com", "registry.example.com:5000", "registry.example.com:443",
    "Registry.Example.com", "example.com", "a.b.example.com", "registry1.example.com",
    "localhost", "localhost:5000", "127.0.0.1:5000", "[::1]:5000", "[fe80::1]", "docker.io",
    "index.docker.io", "registry-1.docker.io", "my_registry.local", "reg.example.com",
    "registryexample.com", "quay.io", "ghcr.io",
]
PATHS = ["app", "team/app", "team-b/app", "team", "library/nginx", "alice/app", "a/b/c/d", "v2/app"]
TAGS = ["", ":1", ":latest", ":v1.0.0", ":V1_RC", ":" + "t" * 128, ":" + "t" * 129, ":-x", ":.x", ":a+b"]
DIGESTS = ["", "@sha256:" + "a" * 64, "@sha256:" + "A" * 64, "@sha512:" + "b" * 128,
           "@sha256:" + "a" * 63, "@md5:" + "c" * 32, "@SHA256:" + "a" * 64]
ODD_IMAGES = [
    "", "nginx", "Nginx", "alice/App", " nginx", "nginx ", "nginx\n", "https://registry.example.com/app",
    "registry.example.com:5000", "localhost:5000", "registry.example.com/", "/app", "a//b",
    "a..b/c", "registry.example.com:/app", "registry.example.com:abc/app", "[::1/app", "[zz]/app",
    "0123456789abcdef" * 4, ("0123456789abcdef" * 4) + ":1", "a" * 247, "a" * 248,
    "registry.example.com/" + "a" * 255, "registry.example.com/" + "a" * 256, "a___b", "a__b",
    "a.-b", "a--b", "x/a._b", "UPPER/app", "Upper.Case/app", "localhost/app", "-a.com/app",
    "a_b:5000/app", "a:b/c", "foo:bar/baz", "app@sha256", "app:1:2", "a/b:c/d",
]
SCHEMES = ["", "", "", "https://", "http://", "HTTPS://", "ftp://"]
KEY_HOSTS = HOSTS + [
    "*.example.com", "*example.com", "registr?.example.com", "registry[0-9].example.com",
    "*.*.com", "*", "registry.example.com:", ":5000", "user@registry.example.com",
    "user:p%41ss@registry.example.com", "registry.example.com:abc", "*.docker.io", "docker.*",
    "REGISTRY.example.com", "registry.example.com:5000:6000", "%72egistry.example.com",
    "%C3%A9.example.com", "", "registry\\.example.com", "reg*y.example.com", "[::1]", "[1.2.3.4]",
]
KEY_PATHS = ["", "", "/", "/v1/", "/v2/", "/v2", "/v1", "/v1/team", "/v2/team/", "/team", "/team/",
             "/team-b", "/%74eam", "?x", "#y", "/%zz", "/v3/", "/team/app", "/v2/v2/", "//team"]
KEY_SUFFIXES = ["", "", "", "", " ", "\n", "\t"]


def image():
    if rng.random() < 0.12:
        return rng.choice(ODD_IMAGES)
    host = rng.choice(HOSTS + ["", "", ""])
    path = rng.choice(PATHS)
    name = f"{host}/{path}" if host else path
    if not host and rng.random() < 0.4:
        name = path.split("/")[-1]
    return name + rng.choice(TAGS[:5] if rng.random() < 0.9 else TAGS) + rng.choice(DIGESTS[:2] if rng.random() < 0.9 else DIGESTS)


def related_host(image):
    """A host close to the image's: itself, without or with another port, or a wildcard."""
    first = image.split("/")[0] if "/" in image else "docker.io"
    bare = first.split(":")[0] if not first.startswith("[") else first
    labels = bare.split(".")
    return rng.choice([
        first, first, bare, bare + ":5000", "*." + ".".join(labels[1:]), "*" + ".".join(labels[1:]),
        "?" + bare[1:], bare.upper(), "index.docker.io", "docker.io",
    ])


def key(image):
    host = related_host(image) if rng.random() < 0.6 else rng.choice(KEY_HOSTS)
    suffix = rng.choice(KEY_SUFFIXES) if rng.random() < 0.3 else ""
    path = rng.choice(KEY_PATHS) if rng.random() < 0.5 else ""
    return rng.choice(SCHEMES) + host + path + suffix


TOKENS = ["a", "b1", "A", "x.y", "a_b", "a__b", "a___b", "a-b", "a--b", ".", "_", "-", "/", "/",
          ":", "5000", "@", "sha256:" + "a" * 64, "[::1]", "[", "]", "localhost", "docker.io",
          "index.docker.io", "latest", "..", "//", "\u00e9", "Ab", "x:1", "q/r", "0", "9z"]


def token_image():
    """An image string glued from grammar-relevant tokens, mostly invalid."""
    return "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 6)))


def main():
    for _ in range(3000):
        img = image()
        keys = [key(img) for _ in range(rng.choice([0, 1, 1, 2, 3, 4]))]
        print(json.dumps({"image": img, "keys": keys}))
    for _ in range(1500):
        print(json.dumps({"image": token_image(), "keys": []}))


main()
