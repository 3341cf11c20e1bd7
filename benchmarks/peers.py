"""Getting the peers: installed from PyPI into this interpreter when missing.

The old ``wsgicors`` 0.7.0 has our import name, so its sdist is downloaded (and cached under
``benchmarks/.cache``) and its single module is loaded under the name ``wsgicors_070``.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import subprocess
import sys
import tarfile
from pathlib import Path
from types import ModuleType

CACHE_DIR = Path(__file__).resolve().parent / ".cache"

# distribution name -> import name
FRAMEWORKS = {"flask": "flask", "django": "django"}
PEERS = {"flask-cors": "flask_cors", "django-cors-headers": "corsheaders"}
SERVER = {"gunicorn": "gunicorn"}

OLD_VERSION = "0.7.0"
OLD_SDIST = f"wsgicors-{OLD_VERSION}.tar.gz"
OLD_MEMBER = f"wsgicors-{OLD_VERSION}/wsgicors.py"
# Pinned so that a cached or re-downloaded file is the release we compare against.
OLD_SHA256 = "ccab43d60f02971d548f24209939818bb85fddf9367d4668e0db787b071f3d99"
OLD_MODULE = "wsgicors_070"


def ensure_installed(distributions: dict[str, str]) -> None:
    """``pip install`` the distributions whose module cannot be found."""
    missing = [d for d, mod in distributions.items() if importlib.util.find_spec(mod) is None]
    if not missing:
        return
    print(f"installing {' '.join(missing)} from PyPI", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *missing], check=True)
    importlib.invalidate_caches()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _download_old_sdist() -> Path:
    sdist = CACHE_DIR / OLD_SDIST
    if sdist.exists() and _sha256(sdist) == OLD_SHA256:
        return sdist
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    print(f"downloading the wsgicors {OLD_VERSION} sdist from PyPI", file=sys.stderr)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            f"wsgicors=={OLD_VERSION}",
            "-d",
            str(CACHE_DIR),
        ],
        check=True,
    )
    digest = _sha256(sdist)
    if digest != OLD_SHA256:
        sdist.unlink()
        raise RuntimeError(f"{OLD_SDIST} has sha256 {digest}, expected {OLD_SHA256}")
    return sdist


def load_old_wsgicors() -> ModuleType:
    """The ``wsgicors`` 0.7.0 module, imported as ``wsgicors_070``."""
    if OLD_MODULE in sys.modules:
        return sys.modules[OLD_MODULE]
    sdist = _download_old_sdist()
    with tarfile.open(sdist) as tar:
        member = tar.extractfile(OLD_MEMBER)
        if member is None:
            raise RuntimeError(f"{OLD_SDIST} has no {OLD_MEMBER}")
        source = member.read()
    origin = f"{sdist}/{OLD_MEMBER}"
    spec = importlib.util.spec_from_loader(OLD_MODULE, loader=None, origin=origin)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, origin, "exec"), module.__dict__)
    sys.modules[OLD_MODULE] = module
    return module


def load_ours(name: str) -> ModuleType | None:
    """The module providing ``CORSPolicy`` and ``CORSMiddleware``, or None while it has none."""
    try:
        module = importlib.import_module(name)
    except ImportError:
        return None
    if not (hasattr(module, "CORSMiddleware") and hasattr(module, "CORSPolicy")):
        return None
    return module


def version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
