#!/usr/bin/env bash
# Regenerates the app icons in this folder from nothing but ImageMagick 6 (`convert`), the
# DejaVu fonts and python3 (for the .icns container). The PNGs and icon.ico/icon.icns are
# committed, so this only runs when the mark changes.
set -euo pipefail
cd "$(dirname "$0")"

font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1024x1024 master: a teal rounded square (lighter at the top) with a bold white "Tb".
convert -size 1024x1024 gradient:'#2dd4bf'-'#0f766e' "$work/fill.png"
convert -size 1024x1024 xc:none -fill white -draw "roundrectangle 48,48 975,975 210,210" "$work/mask.png"
convert "$work/fill.png" "$work/mask.png" -alpha off -compose CopyOpacity -composite \
  -font "$font" -pointsize 560 -fill white -gravity center -annotate +0+12 'Tb' \
  -define png:color-type=6 "$work/master.png"

png() { convert "$work/master.png" -filter Lanczos -resize "$1x$1" -depth 8 -define png:color-type=6 "$2"; }
png 32 32x32.png
png 128 128x128.png
png 256 128x128@2x.png
png 512 icon.png

# Windows: one .ico holding the usual sizes.
for s in 16 24 32 48 64 256; do png "$s" "$work/ico-$s.png"; done
convert "$work"/ico-{16,24,32,48,64,256}.png icon.ico

# macOS: an .icns is a list of (4-byte type, big-endian length, PNG) records.
for s in 16 32 64 128 256 512 1024; do png "$s" "$work/icns-$s.png"; done
python3 - "$work" <<'PY'
import struct, sys, pathlib
work = pathlib.Path(sys.argv[1])
types = [("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256), ("ic09", 512),
         ("ic10", 1024), ("ic11", 32), ("ic12", 64), ("ic13", 256), ("ic14", 512)]
body = b"".join(t.encode() + struct.pack(">I", 8 + len(d)) + d
                for t, s in types for d in [(work / f"icns-{s}.png").read_bytes()])
pathlib.Path("icon.icns").write_bytes(b"icns" + struct.pack(">I", 8 + len(body)) + body)
PY
ls -l 32x32.png 128x128.png 128x128@2x.png icon.png icon.ico icon.icns
