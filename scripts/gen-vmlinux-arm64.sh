#!/usr/bin/env bash
# Generate vmlinux/arm64/vmlinux.h from the BTF of a Debian arm64 kernel,
# without an arm64 machine.
#
# Usage: scripts/gen-vmlinux-arm64.sh [OUTPUT]
#   OUTPUT defaults to vmlinux/arm64/vmlinux.h in the repository.
#
# Environment:
#   ARM64_KERNEL_PKG  kernel image package to use (e.g.
#                     linux-image-6.1.0-56-arm64-unsigned). Default: whatever
#                     the linux-image-arm64 meta package depends on, preferring
#                     its -unsigned variant.
#   BPFTOOL           bpftool binary (default: bpftool on PATH, else /usr/sbin/bpftool)
#
# Steps: enable the arm64 dpkg architecture if needed (root only), download
# the kernel .deb with apt-get download, unpack it, gunzip /boot/vmlinuz-*
# (a compressed raw arm64 Image, not an ELF file), find the raw .BTF blob by
# its header, and let bpftool turn it into C.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-"$repo_root/vmlinux/arm64/vmlinux.h"}

if [[ -z "${BPFTOOL:-}" ]]; then
    BPFTOOL=$(command -v bpftool || true)
    [[ -n "$BPFTOOL" ]] || BPFTOOL=/usr/sbin/bpftool
fi
[[ -x "$BPFTOOL" ]] || { echo "error: bpftool not found" >&2; exit 1; }
command -v python3 >/dev/null || { echo "error: python3 not found" >&2; exit 1; }

# arm64 packages must be visible to apt.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "error: arm64 dpkg architecture not enabled; run as root:" >&2
        echo "  dpkg --add-architecture arm64 && apt-get update" >&2
        exit 1
    fi
    echo "enabling arm64 dpkg architecture" >&2
    dpkg --add-architecture arm64
    apt-get update -qq
fi

pkg=${ARM64_KERNEL_PKG:-}
if [[ -z "$pkg" ]]; then
    pkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
          sed -n 's/^ *Depends: \(linux-image-[^:]*\).*/\1/p' | head -n1)
    [[ -n "$pkg" ]] || { echo "error: cannot resolve linux-image-arm64:arm64 (apt-get update?)" >&2; exit 1; }
    if apt-cache show "$pkg-unsigned:arm64" >/dev/null 2>&1; then
        pkg="$pkg-unsigned"
    fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Running as root, apt warns that the download is "performed unsandboxed";
# that warning is harmless here.

echo "downloading $pkg:arm64" >&2
(cd "$tmp" && apt-get download -q "$pkg:arm64")
deb=$(ls "$tmp"/*.deb)
version=$(dpkg-deb -f "$deb" Version)
echo "package: $pkg $version" >&2

dpkg-deb -x "$deb" "$tmp/root"
vmlinuz=$(ls "$tmp"/root/boot/vmlinuz-* | head -n1)
[[ -f "$vmlinuz" ]] || { echo "error: no /boot/vmlinuz-* in $deb" >&2; exit 1; }

if [[ $(head -c2 "$vmlinuz" | od -An -tx1 | tr -d ' \n') == 1f8b ]]; then
    gzip -dc "$vmlinuz" > "$tmp/Image"
else
    cp "$vmlinuz" "$tmp/Image"
fi

# Locate the BTF blob: struct btf_header, little endian:
#   u16 magic 0xeb9f, u8 version 1, u8 flags, u32 hdr_len,
#   u32 type_off, u32 type_len, u32 str_off, u32 str_len
python3 - "$tmp/Image" "$tmp/vmlinux.btf" <<'EOF'
import struct, sys
src, dst = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
best = None
pos = data.find(b"\x9f\xeb\x01")
while pos != -1:
    if pos + 24 <= len(data):
        _, _, _, hdr_len, type_off, type_len, str_off, str_len = \
            struct.unpack_from("<HBBIIIII", data, pos)
        total = hdr_len + str_off + str_len
        if (hdr_len == 24 and type_off == 0 and type_len > 0 and str_len > 0
                and type_off + type_len <= str_off
                and pos + total <= len(data)
                and data[pos + hdr_len + str_off] == 0):  # string section starts with ""
            if best is None or total > best[1]:
                best = (pos, total)
    pos = data.find(b"\x9f\xeb\x01", pos + 1)
if best is None:
    sys.exit("error: no BTF header found in kernel image")
pos, total = best
open(dst, "wb").write(data[pos:pos + total])
print(f"BTF at offset {pos:#x}, {total} bytes", file=sys.stderr)
EOF

"$BPFTOOL" btf dump file "$tmp/vmlinux.btf" format c > "$tmp/vmlinux.h"

for want in 'struct task_struct {' 'struct user_pt_regs {'; do
    grep -qF "$want" "$tmp/vmlinux.h" ||
        { echo "error: generated header lacks '$want'" >&2; exit 1; }
done

mkdir -p "$(dirname "$out")"
mv "$tmp/vmlinux.h" "$out"
echo "wrote $out ($pkg $version)" >&2
