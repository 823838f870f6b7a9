"""Generate client SDKs from the contract: `python -m scripts.build_sdk OUTDIR` (`make sdk`).

OUTDIR/python                  the Python client project, package `clients_api_client`
                               (openapi-python-client)
OUTDIR/typescript/schema.d.ts  `paths` / `components` types for openapi-fetch (openapi-typescript)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = REPO_ROOT / "openapi.yaml"
NODE_BIN = REPO_ROOT / "node_modules" / ".bin"
# Renames the `Client` model so it cannot shadow the HTTP `Client` class; see the file.
PYTHON_CONFIG = REPO_ROOT / "sdk" / "openapi-python-client.yaml"
PYTHON_PACKAGE = "clients_api_client"
TYPESCRIPT_FILE = Path("typescript") / "schema.d.ts"


class SdkError(RuntimeError):
    """A generator is missing or failed; the message says which and how to fix it."""


def tool_search_path() -> str:
    """This interpreter's scripts and the repo's node tools first, so `make sdk` needs no PATH."""
    extra = [str(Path(sys.executable).parent), str(NODE_BIN)]
    return os.pathsep.join([*extra, os.environ.get("PATH", "")])


def find_tool(name: str, install_hint: str) -> str:
    found = shutil.which(name, path=tool_search_path())
    if found is None:
        searched = f"beside {sys.executable}, in {NODE_BIN} and on PATH"
        raise SdkError(f"{name} not found ({searched}): {install_hint}")
    return found


def run_tool(command: list[str]) -> str:
    """Run a generator; return its combined output, or raise with that output on failure."""
    env = {**os.environ, "PATH": tool_search_path()}
    completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    output = completed.stdout + completed.stderr
    if completed.returncode != 0:
        raise SdkError(f"{' '.join(command)} failed (exit {completed.returncode}):\n{output}")
    return output


def generate_python(spec: Path, outdir: Path) -> str:
    """Write the Python client project to OUTDIR/python; return the generator's output."""
    python_hint = "install the test extra: pip install -e '.[test]' (make sdk does)"
    # openapi-python-client formats what it writes with ruff and fails late without it.
    find_tool("ruff", python_hint)
    generator = find_tool("openapi-python-client", python_hint)
    command = [generator, "generate", "--path", str(spec), "--output-path", str(outdir / "python")]
    command += ["--config", str(PYTHON_CONFIG), "--meta", "pdm", "--overwrite", "--fail-on-warning"]
    return run_tool(command)


def generate_typescript(spec: Path, outdir: Path) -> str:
    """Write OUTDIR/typescript/schema.d.ts; return the generator's output."""
    generator = find_tool("openapi-typescript", "run `npm ci` in the repository (make sdk does)")
    return run_tool([generator, str(spec), "--output", str(outdir / TYPESCRIPT_FILE)])


def generate_all(spec: Path, outdir: Path) -> None:
    if not spec.is_file():
        raise SdkError(f"OpenAPI document not found: {spec}")
    outdir.mkdir(parents=True, exist_ok=True)
    generate_python(spec, outdir)
    generate_typescript(spec, outdir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.build_sdk", description=__doc__)
    parser.add_argument("outdir", type=Path, help="where to write python/ and typescript/")
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="the OpenAPI document")
    args = parser.parse_args(argv)
    try:
        generate_all(args.spec, args.outdir)
    except SdkError as error:
        print(f"sdk: {error}", file=sys.stderr)
        return 1
    print(f"Python client: {args.outdir / 'python'} (package {PYTHON_PACKAGE})")
    print(f"TypeScript types: {args.outdir / TYPESCRIPT_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
