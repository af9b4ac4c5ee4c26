"""Every ```` ```python ```` block of ``docs/**/*.md`` and ``README.md`` runs, as a reader would.

The rule the pages are written to:

- the blocks of one page run in order, in one namespace, in a fresh temporary working
  directory of their own (relative paths such as ``"storage"`` land there);
- there are no servers, unless the page says ``<!-- test: server=s3 -->``: then a moto S3
  server runs (the suite's own, shared with the S3 rigs) and ``AWS_ACCESS_KEY_ID``,
  ``AWS_SECRET_ACCESS_KEY`` and ``AWS_ENDPOINT_URL`` name it while the page's blocks run;
- a block whose preceding line is ``<!-- test: skip -->`` is not run (keep these rare).

Each block is one test, named ``page:line``; a traceback points at the Markdown file's own
line numbers. Selecting one block (``-k``) runs the blocks before it on that page first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.rigs import ServerPool

ROOT = Path(__file__).resolve().parents[1]
SKIP_MARKER = "<!-- test: skip -->"
SERVER_MARKER = re.compile(r"<!-- test: server=([\w-]+) -->")
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[^\n`]*$")
MIN_BLOCKS = 40


@dataclass(frozen=True)
class Block:
    """One fenced ``python`` block: where it is and what it holds."""

    page: str
    line: int  # of the first line of code, 1-based
    source: str
    skip: bool

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def pages() -> list[Path]:
    """The Markdown files whose examples run."""
    return [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]


def parse_blocks(text: str, page: str) -> list[Block]:
    """The ``python`` blocks of a page, indented ones (in lists, admonitions) dedented."""
    blocks: list[Block] = []
    lines = text.splitlines()
    previous = ""  # the last non-blank line before the current one
    number = 0
    while number < len(lines):
        opened = FENCE.match(lines[number])
        if not opened:
            previous = lines[number].strip() or previous
            number += 1
            continue
        indent, lang = opened["indent"], opened["lang"]
        end = number + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        if lang == "python":
            body = [
                line[len(indent) :] if line.startswith(indent) else line
                for line in lines[number + 1 : end]
            ]
            blocks.append(Block(page, number + 2, "\n".join(body) + "\n", previous == SKIP_MARKER))
        previous = ""
        number = end + 1
    return blocks


def all_blocks() -> list[Block]:
    return [
        block
        for path in pages()
        for block in parse_blocks(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]


BLOCKS = all_blocks()
RUNNABLE = [block for block in BLOCKS if not block.skip]


@dataclass
class PageRun:
    """A page's shared namespace and working directory, and how far its blocks got."""

    workdir: Path
    env: dict[str, str]
    namespace: dict[str, Any] = field(default_factory=lambda: {"__name__": "__docs__"})
    done: set[int] = field(default_factory=set)
    failed: str | None = None


def _server_env(
    name: str, started: dict[str, dict[str, str]], servers: ServerPool
) -> dict[str, str]:
    """Environment variables naming the server ``name`` (the session's, started on first use)."""
    if name not in started:
        if name != "s3":
            raise ValueError(f"no example server named {name!r} (known: s3)")
        server = servers.get("moto")  # only pages that ask start it
        started[name] = {
            "AWS_ACCESS_KEY_ID": server.access_key,
            "AWS_SECRET_ACCESS_KEY": server.secret_key,
            "AWS_ENDPOINT_URL": server.endpoint_url,
        }
    return started[name]


@pytest.fixture(scope="session")
def page_run(
    tmp_path_factory: pytest.TempPathFactory, servers: ServerPool
) -> Callable[[str], PageRun]:
    """The run of a page: made on first use, kept for the session."""
    runs: dict[str, PageRun] = {}
    started: dict[str, dict[str, str]] = {}

    def run_for(page: str) -> PageRun:
        if page not in runs:
            workdir = tmp_path_factory.mktemp("docs-" + re.sub(r"\W+", "-", page))
            env: dict[str, str] = {}
            for name in SERVER_MARKER.findall((ROOT / page).read_text(encoding="utf-8")):
                env.update(_server_env(name, started, servers))
            runs[page] = PageRun(workdir, env)
        return runs[page]

    return run_for


def _execute(block: Block, run: PageRun, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run one block in its page's namespace, with its page's directory and servers."""
    index = RUNNABLE.index(block)
    with monkeypatch.context() as patch:
        patch.chdir(run.workdir)
        for variable, value in run.env.items():
            patch.setenv(variable, value)
        code = compile("\n" * (block.line - 1) + block.source, str(ROOT / block.page), "exec")
        try:
            exec(code, run.namespace)
        except BaseException:
            run.failed = block.id
            raise
    run.done.add(index)


@pytest.mark.parametrize("block", RUNNABLE, ids=[block.id for block in RUNNABLE])
def test_example(
    block: Block, page_run: Callable[[str], PageRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The block runs without error after the page's blocks before it."""
    run = page_run(block.page)
    if run.failed:
        pytest.fail(f"not run: an earlier block of this page failed ({run.failed})")
    for earlier in RUNNABLE[: RUNNABLE.index(block)]:
        if earlier.page == block.page and RUNNABLE.index(earlier) not in run.done:
            _execute(earlier, run, monkeypatch)
    _execute(block, run, monkeypatch)


def test_enough_examples_run() -> None:
    """The docs keep at least 40 runnable examples, and skips stay rare."""
    assert len(RUNNABLE) >= MIN_BLOCKS, f"only {len(RUNNABLE)} runnable blocks"
    assert len(BLOCKS) - len(RUNNABLE) <= len(BLOCKS) // 5, "more than a fifth are skipped"


def test_parser_reads_the_rule() -> None:
    """Skip markers, indented fences and other languages are read as the rule says."""
    text = "\n".join(
        [
            "```python",
            "a = 1",
            "```",
            SKIP_MARKER,
            "```python",
            "raise SystemExit",
            "```",
            "```bash",
            "echo no",
            "```",
            "- item",
            "",
            "    ```python",
            "    b = a",
            "    ```",
        ]
    )
    blocks = parse_blocks(text, "page.md")
    assert [(b.line, b.source, b.skip) for b in blocks] == [
        (2, "a = 1\n", False),
        (6, "raise SystemExit\n", True),
        (14, "b = a\n", False),
    ]
