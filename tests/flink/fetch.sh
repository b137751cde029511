#!/usr/bin/env bash
# Makes a Flink home for each pinned version under $JVMTAP_CACHE/flink/<version>/home (default
# /var/cache/jvmtap), from PyPI, once: the files are checked against tests/flink/versions.txt
# before anything is unpacked, and a home is only used once it is complete (a stamp file).
# Prints each home's path. Usage: fetch.sh [VERSION...] (default: every pinned version).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${JVMTAP_CACHE:-/var/cache/jvmtap}/flink
py=${PYTHON:-/usr/bin/python3}

versions=("$@")
[ ${#versions[@]} -gt 0 ] || mapfile -t versions < <(awk '!/^#/ && NF {print $1}' "$here/versions.txt" | uniq)

for v in "${versions[@]}"; do
	dl=$cache/$v/download home=$cache/$v/home
	if [ -f "$home/.complete" ]; then
		echo "$home"
		continue
	fi
	grep -q "^$v " "$here/versions.txt" || { echo "fetch: $v is not pinned in versions.txt" >&2; exit 2; }
	mkdir -p "$dl"
	while read -r _ file sum; do
		if ! echo "$sum  $dl/$file" | sha256sum -c --status 2>/dev/null; then
			# apache-flink's wheel is per CPython and platform: ask for the pinned one whatever
			# python runs pip; the libraries are pure (a wheel, or 1.20's sdist).
			pkg=(apache-flink --python-version 3.11 --platform manylinux2014_x86_64 --only-binary=:all:)
			[[ $file == apache_flink_libraries* ]] && pkg=(apache-flink-libraries)
			echo "fetch: downloading ${pkg[0]}==$v from PyPI" >&2
			rm -f "$dl/$file"
			"$py" -m pip download -q --no-deps --disable-pip-version-check -d "$dl" \
				"${pkg[0]}==$v" "${pkg[@]:1}" >&2
			echo "$sum  $dl/$file" | sha256sum -c --quiet >&2 ||
				{ echo "fetch: $dl/$file does not match its pinned sha256" >&2; exit 1; }
		fi
	done < <(awk -v v="$v" '$1 == v' "$here/versions.txt")

	rm -rf "$home" "$home.tmp"
	mkdir -p "$home.tmp/unpack"
	for f in "$dl"/*; do
		case $f in
		*.whl) unzip -q -o "$f" -d "$home.tmp/unpack" ;;
		*.tar.gz) tar -xzf "$f" -C "$home.tmp/unpack" ;;
		esac
	done
	u=$home.tmp/unpack
	# The libraries' sdist keeps the distribution under deps/, its wheel under pyflink/.
	libs=$u/pyflink
	[ -d "$libs/lib" ] || libs=$(echo "$u"/apache_flink_libraries-*/deps)
	for d in lib opt plugins; do mv "$libs/$d" "$home.tmp/$d"; done
	mv "$u/pyflink/bin" "$u/pyflink/conf" "$home.tmp/"
	[ -f "$home.tmp/bin/bash-java-utils.jar" ] || cp "$libs/bin/bash-java-utils.jar" "$home.tmp/bin/"
	chmod +x "$home.tmp"/bin/*.sh "$home.tmp/bin/flink"
	mkdir -p "$home.tmp/log"
	rm -rf "$u"
	ls "$home.tmp"/lib/flink-dist-*.jar "$home.tmp"/plugins/metrics-prometheus/*.jar >/dev/null
	touch "$home.tmp/.complete"
	mv "$home.tmp" "$home"
	echo "$home"
done
