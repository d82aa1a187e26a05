"""A PEP 517 build backend in the standard library alone, for this one pure-Python package.

It builds a wheel (and an sdist) of `src/tollgate` with the metadata of pyproject.toml's
[project] table, so that installing needs no setuptools, no `wheel` and no network.
"""

import base64
import hashlib
import io
import os
import tarfile
import zipfile

try:
    import tomllib
except ImportError:  # Python < 3.11: the few keys we need, read by hand
    tomllib = None

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "tollgate"


def _project():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        text = f.read()
    if tomllib is not None:
        return tomllib.loads(text.decode("utf-8"))["project"]
    project, section = {}, None
    for line in text.decode("utf-8").splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "project" and "=" in line and not line.startswith("#"):
            key, value = (part.strip() for part in line.split("=", 1))
            if value.startswith('"'):
                project[key] = value.strip('"')
    return project


def _names():
    project = _project()
    name = project["name"].replace("-", "_")
    return project, name, "%s-%s" % (name, project["version"])


def _metadata():
    project, _, _ = _names()
    lines = [
        "Metadata-Version: 2.1",
        "Name: " + project["name"],
        "Version: " + project["version"],
        "Summary: " + project.get("description", ""),
        "Requires-Python: " + project.get("requires-python", ">=3.9"),
        "Description-Content-Type: text/markdown",
        "",
    ]
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        return "\n".join(lines) + "\n" + f.read()


def _sources():
    base = os.path.join(ROOT, "src")
    for folder, _, files in os.walk(os.path.join(base, PACKAGE)):
        for name in sorted(files):
            if name.endswith((".py", ".typed")):
                path = os.path.join(folder, name)
                yield path, os.path.relpath(path, base).replace(os.sep, "/")


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (arcname, digest, len(data))


def _write_wheel(directory, files):
    _, name, stem = _names()
    dist_info = stem + ".dist-info"
    files = list(files) + [
        (dist_info + "/METADATA", _metadata().encode("utf-8")),
        (dist_info + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: tollgate_build\n"
         b"Root-Is-Purelib: true\nTag: py3-none-any\n"),
        (dist_info + "/top_level.txt", (PACKAGE + "\n").encode()),
    ]
    wheel = stem + "-py3-none-any.whl"
    record = [_record_line(arc, data) for arc, data in files] + [dist_info + "/RECORD,,"]
    with zipfile.ZipFile(os.path.join(directory, wheel), "w", zipfile.ZIP_DEFLATED) as z:
        for arc, data in files:
            z.writestr(arc, data)
        z.writestr(dist_info + "/RECORD", "\n".join(record) + "\n")
    return wheel


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = []
    for path, arc in _sources():
        with open(path, "rb") as f:
            files.append((arc, f.read()))
    return _write_wheel(wheel_directory, files)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    pth = (os.path.join(ROOT, "src") + "\n").encode("utf-8")
    return _write_wheel(wheel_directory, [("_tollgate_editable.pth", pth)])


def build_sdist(sdist_directory, config_settings=None):
    _, _, stem = _names()
    name = stem + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as tar:
        for rel in ("pyproject.toml", "README.md", "_build/tollgate_build.py"):
            tar.add(os.path.join(ROOT, rel), arcname=stem + "/" + rel)
        for path, arc in _sources():
            tar.add(path, arcname=stem + "/src/" + arc)
        info = tarfile.TarInfo(stem + "/PKG-INFO")
        data = _metadata().encode("utf-8")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return name
