#!/usr/bin/env python3
"""oci-layout.py BINARY LAYOUT TAG: an OCI image layout holding one single-file image.

The image's only file is BINARY at /<its name>, run as the entrypoint; the layer is a
reproducible tar (fixed times, root owner). Every JSON document goes through the json module
and every digest through hashlib, so the layout is valid by construction.
"""
import hashlib
import io
import json
import os
import sys
import tarfile


def blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as out:
        out.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def document(value):
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode()


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: oci-layout.py BINARY LAYOUT TAG")
    binary, layout, tag = sys.argv[1:]
    name = os.path.basename(binary)
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)

    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tar.gettarinfo(binary, arcname=name)
        info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
        with open(binary, "rb") as data:
            tar.addfile(info, data)
    layer_bytes = layer.getvalue()

    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Entrypoint": ["/" + name]},
        "rootfs": {
            "type": "layers",
            "diff_ids": ["sha256:" + hashlib.sha256(layer_bytes).hexdigest()],
        },
    }
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            **blob(layout, document(config)),
        },
        "layers": [
            {"mediaType": "application/vnd.oci.image.layer.v1.tar", **blob(layout, layer_bytes)}
        ],
    }
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                **blob(layout, document(manifest)),
                "annotations": {"org.opencontainers.image.ref.name": tag},
            }
        ],
    }
    with open(os.path.join(layout, "oci-layout"), "wb") as out:
        out.write(document({"imageLayoutVersion": "1.0.0"}))
    with open(os.path.join(layout, "index.json"), "wb") as out:
        out.write(document(index))


if __name__ == "__main__":
    main()
