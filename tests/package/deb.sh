#!/usr/bin/env bash
# Builds the Debian package and installs it on a clean Debian root: a minimal bookworm made by
# debootstrap, where apt must find every library the package needs from its Depends alone. Then
# `tillbridge --help` and `tillbridge-desktop --help` must run there, and the menu entry and the
# icons must be where a desktop looks for them.
#
#   tests/package/deb.sh [--debug]   (--debug packages the debug builds, as CI does)
#
# Needs root (debootstrap and chroot) and the network to a Debian mirror.
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "package test: $*" >&2; exit 1; }
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || fail "needs root (or sudo) for debootstrap and chroot"
  exec sudo --preserve-env=PATH,CARGO_HOME,RUSTUP_HOME "$0" "$@"
fi
command -v debootstrap >/dev/null || fail "debootstrap is missing (apt-get install debootstrap)"

deb=$(scripts/package-deb "$@")
[ -f "$deb" ] || fail "scripts/package-deb did not produce a package (said: $deb)"
echo "package: $deb ($(du -h "$deb" | cut -f1))" >&2

# What the package says it needs and holds, before installing it anywhere.
depends=$(dpkg-deb --field "$deb" Depends)
for lib in libwebkit2gtk-4.1-0 libgtk-3-0 libayatana-appindicator3-1; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib, which the app loads: $depends"
done
contents=$(dpkg-deb --contents "$deb" | awk '{print $6}')
for path in usr/bin/tillbridge usr/bin/tillbridge-desktop usr/share/applications/Tillbridge.desktop \
  usr/share/icons/hicolor/128x128/apps/tillbridge-desktop.png; do
  grep -qx "./$path\|$path" <<<"$contents" || fail "the package does not hold $path"
done

root=$(mktemp -d /tmp/tillbridge-clean-root.XXXXXX)
cleanup() {
  umount "$root/proc" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT
echo "making a clean Debian root in $root (debootstrap, minbase)" >&2
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$root.log" 2>&1 ||
  { tail -20 "$root.log" >&2; fail "debootstrap failed"; }
rm -f "$root.log"
mount -t proc proc "$root/proc"
cp "$deb" "$root/tmp/tillbridge.deb"
echo "installing the package there with apt" >&2
chroot "$root" apt-get update -qq
DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends /tmp/tillbridge.deb >/dev/null

help=$(chroot "$root" tillbridge --help) || fail "tillbridge --help failed in the clean root"
grep -q "Usage: tillbridge" <<<"$help" || fail "tillbridge --help printed no usage: $help"
desktop_help=$(chroot "$root" tillbridge-desktop --help) || fail "tillbridge-desktop --help failed in the clean root"
grep -q -- "--minimized" <<<"$desktop_help" || fail "tillbridge-desktop --help lacks its options: $desktop_help"
grep -q "^Exec=tillbridge-desktop" "$root/usr/share/applications/Tillbridge.desktop" ||
  fail "the menu entry does not start tillbridge-desktop: $(cat "$root/usr/share/applications/Tillbridge.desktop")"
echo "package test: installed on a clean bookworm; tillbridge and tillbridge-desktop answer --help" >&2
