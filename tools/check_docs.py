"""Check the documentation as a reader uses it: every code block of README.md and docs/ as what it is, and
every relative link and anchor.

    python tools/check_docs.py [FILE.md ...]          default: README.md and docs/**/*.md

A block is checked by its fence's language: TypeScript (`ts`) with tsc against the generated SDK and
@pulumi/pulumi, Python (`python`) with mypy against the package and the Python SDK and with ruff (lint and
format), Go (`go`) with `go vet` against sdk/go, YAML (`yaml`) parsed, and a Pulumi program's resource
types, properties and functions checked against the plugin's schema, shell (`sh`) with shellcheck. Blocks
without a language (output, transcripts) are left as they are. Each problem is one line `FILE:LINE: what`;
the exit status is 1 when there is any.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^(?P<indent> *)```(?P<language>[A-Za-z]*)\s*$")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\((?P<target>[^)\s]+)\)")
TS_MODULES = REPO_ROOT / "examples" / "typescript" / "node_modules"
"""@pulumi/pulumi, the SDK `pulumi-pixverse` and @types/node, as the TypeScript example installs them."""
TSC = REPO_ROOT / "sdk" / "nodejs" / "node_modules" / ".bin" / "tsc"
GO_SDK_MODULE = "github.com/pulumi-pixverse/pulumi-pixverse/sdk/go"


@dataclass
class Snippet:
    path: Path
    line: int
    """The line of its first line of code."""
    language: str
    code: str

    def where(self) -> str:
        return f"{_shown(self.path)}:{self.line}"


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def snippets(path: Path) -> Iterator[Snippet]:
    """The fenced code blocks of a Markdown file, dedented (a block in a list item is indented)."""
    lines = path.read_text().splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        index += 1
        if not opening:
            continue
        indent, start, body = len(opening["indent"]), index, []
        while index < len(lines) and lines[index].strip() != "```":
            body.append(lines[index][indent:])
            index += 1
        index += 1
        yield Snippet(path, start + 1, opening["language"].lower(), "\n".join(body) + "\n")


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """What a checker printed when it failed, else ''."""
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return "" if done.returncode == 0 else done.stdout + done.stderr


def _per_file(output: str, files: dict[str, Snippet], pattern: str) -> list[str]:
    """A checker's complaints, each as `FILE:LINE: message` of the snippet (and line) it is about."""
    problems = []
    for line in output.splitlines():
        match = re.search(pattern, line)
        if match and match["file"] in files and not match["message"].startswith("note:"):
            snippet = files[match["file"]]
            problems.append(
                f"{_shown(snippet.path)}:{snippet.line + int(match['line']) - 1}: {match['message']}"
            )
    return problems or ([output.strip().splitlines()[-1]] if output.strip() else [])


def check_typescript(found: list[Snippet], work: Path) -> list[str]:
    files = {f"snippet{i}.ts": s for i, s in enumerate(found)}
    for name, snippet in files.items():
        (work / name).write_text(snippet.code)
    (work / "node_modules").symlink_to(TS_MODULES)
    config = {"compilerOptions": {"strict": True, "noEmit": True, "module": "commonjs", "target": "ES2020",
                                  "moduleResolution": "node", "skipLibCheck": True, "types": ["node"]},
              "files": list(files)}  # fmt: skip
    (work / "tsconfig.json").write_text(json.dumps(config))
    output = _run([str(TSC), "-p", "."], work)
    return _per_file(output, files, r"(?P<file>snippet\d+\.ts)\((?P<line>\d+),\d+\): (?P<message>.*)")


def check_python(found: list[Snippet], work: Path) -> list[str]:
    files = {f"snippet{i}.py": s for i, s in enumerate(found)}
    for name, snippet in files.items():
        (work / name).write_text(snippet.code)
    names = list(files)
    problems = []
    mypy = [
        sys.executable,
        "-m",
        "mypy",
        "--no-incremental",
        "--strict",
        "--follow-imports=silent",
        "--scripts-are-modules",
        *names,
    ]
    # the package and the SDK as the work tree has them (mypy does not follow editable installs' hooks)
    sources = os.pathsep.join(str(REPO_ROOT / folder) for folder in ("provider", "sdk/python"))
    problems += _per_file(
        _run(mypy, work, {**os.environ, "MYPYPATH": sources}),
        files,
        r"(?P<file>snippet\d+\.py):(?P<line>\d+): (?P<message>.*)",
    )
    settings = ["--config", str(REPO_ROOT / "pyproject.toml")]
    lint = [sys.executable, "-m", "ruff", "check", "--output-format", "concise", *settings, *names]
    problems += _per_file(
        _run(lint, work), files, r"(?P<file>snippet\d+\.py):(?P<line>\d+):\d+: (?P<message>.*)"
    )
    for name, snippet in files.items():
        if _run([sys.executable, "-m", "ruff", "format", "--check", *settings, name], work):
            problems.append(f"{snippet.where()}: not formatted as `ruff format` formats it")
    return problems


def check_go(found: list[Snippet], work: Path) -> list[str]:
    problems = []
    for index, snippet in enumerate(found):
        module = work / f"snippet{index}"
        module.mkdir()
        (module / "main.go").write_text(snippet.code)
        sdk = REPO_ROOT / "sdk" / "go"
        (module / "go.mod").write_text(
            f"module snippet\n\ngo 1.22\n\nreplace {GO_SDK_MODULE} => {sdk}\n"
        )  # fmt: skip
        failed = _run(["go", "mod", "tidy"], module) or _run(["go", "vet", "./..."], module)
        files = {"./main.go": snippet, "main.go": snippet}
        problems += _per_file(failed, files, r"(?P<file>\.?/?main\.go):(?P<line>\d+):\d+: (?P<message>.*)")
    return problems


def check_yaml(found: list[Snippet], work: Path) -> list[str]:
    schema = json.loads((REPO_ROOT / "sdk" / "schema.json").read_text())
    resources = {**schema["resources"], "pulumi:providers:pixverse": schema["provider"]}
    functions = set(schema.get("functions", {}))
    problems = []
    for snippet in found:
        try:
            documents = list(yaml.safe_load_all(snippet.code))
        except yaml.YAMLError as error:
            problems.append(f"{snippet.where()}: not YAML: {str(error).splitlines()[0]}")
            continue
        for document in documents:
            problems += [f"{snippet.where()}: {p}" for p in _program_problems(document, resources, functions)]
    return problems


def _program_problems(program: object, resources: dict[str, dict], functions: set[str]) -> Iterator[str]:
    """A Pulumi YAML program's resources and invokes that the schema does not know."""
    if not isinstance(program, dict):
        return
    for name, resource in (program.get("resources") or {}).items():
        type_ = resource.get("type", "")
        if not type_.startswith("pixverse:") and type_ != "pulumi:providers:pixverse":
            continue
        if type_ not in resources:
            yield f"resource {name}: the schema has no type {type_}"
            continue
        known = resources[type_].get("inputProperties", {})
        for prop in resource.get("properties") or {}:
            if prop not in known:
                yield f"resource {name}: {type_} has no input {prop}"
    for invoke in _invokes(program):
        if invoke.startswith("pixverse:") and invoke not in functions:
            yield f"fn::invoke of {invoke}: the schema has no such function"


def _invokes(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "fn::invoke" and isinstance(inner, dict):
                yield str(inner.get("function", ""))
            yield from _invokes(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _invokes(inner)


def check_shell(found: list[Snippet], work: Path) -> list[str]:
    files = {f"snippet{i}.sh": s for i, s in enumerate(found)}
    for name, snippet in files.items():
        (work / name).write_text(snippet.code)
    output = _run(["shellcheck", "--shell=bash", "--severity=warning", "--format=gcc", *files], work)
    return _per_file(output, files, r"(?P<file>snippet\d+\.sh):(?P<line>\d+):\d+: (?P<message>.*)")


CHECKERS: dict[str, Callable[[list[Snippet], Path], list[str]]] = {
    "ts": check_typescript,
    "python": check_python,
    "go": check_go,
    "yaml": check_yaml,
    "sh": check_shell,
}
ALIASES = {"typescript": "ts", "py": "python", "yml": "yaml", "bash": "sh", "shell": "sh"}


def heading_anchors(path: Path) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings."""
    anchors: set[str] = set()
    in_code = False
    for line in path.read_text().splitlines():
        if FENCE.match(line) or line.strip() == "```":
            in_code = not in_code
        if in_code or not line.startswith("#"):
            continue
        text = line.lstrip("#").strip().lower()
        slug = re.sub(r"[^\w\- ]", "", text).replace(" ", "-")
        anchor, n = slug, 1
        while anchor in anchors:
            anchor, n = f"{slug}-{n}", n + 1
        anchors.add(anchor)
    return anchors


def check_links(path: Path) -> list[str]:
    problems = []
    in_code = False
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if FENCE.match(line) or line.strip() == "```":
            in_code = not in_code
        if in_code:
            continue
        for match in LINK.finditer(line):
            target = match["target"]
            if re.match(r"[a-z]+:", target):
                continue
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            if not linked.exists():
                problems.append(f"{_shown(path)}:{number}: the link {target} leads to no file")
            elif anchor and linked.suffix == ".md" and anchor not in heading_anchors(linked):
                problems.append(f"{_shown(path)}:{number}: the link {target} leads to no heading")
    return problems


def check(paths: list[Path]) -> list[str]:
    """Every problem of these Markdown files' snippets and links."""
    by_language: dict[str, list[Snippet]] = {}
    for path in paths:
        for snippet in snippets(path):
            language = ALIASES.get(snippet.language, snippet.language)
            if language in CHECKERS:
                by_language.setdefault(language, []).append(snippet)
    problems = [p for path in paths for p in check_links(path)]
    for language, found in by_language.items():
        with tempfile.TemporaryDirectory() as work:
            problems += [f"{language}: {p}" for p in CHECKERS[language](found, Path(work))]
    return problems


def documents() -> list[Path]:
    return [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]


def main() -> None:
    paths = [Path(p).resolve() for p in sys.argv[1:]] or documents()
    problems = check(paths)
    for problem in problems:
        print(problem)
    print(f"check_docs: {len(paths)} files, {len(problems)} problems", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    if shutil.which("shellcheck") is None:
        sys.exit("check_docs: shellcheck is not on PATH: run tools/test, which installs it")
    main()
