"""The `blog` command: parse options, call a stage, print errors, choose the exit code.

Exit codes: 0 success, 1 content errors, 2 usage or configuration errors. A user
never sees a traceback for a problem in their site; one that shows up is a bug.

Each command imports its stages when it runs, not when this module is imported: `blog --help`
needs only click, and an up-to-date `blog build` none of the renderers (tests/e2e/test_startup.py).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator import __version__
from generator.errors import BuildFailed, ConfigError, SiteError

if TYPE_CHECKING:
    from rich.console import Console

    from generator.build import BuildReport
    from generator.watch import Rebuild, SiteWatcher


class _LazyConsole:
    """A rich Console made when first printed to: importing rich costs more than `--help` takes."""

    def __init__(self, **options: Any):
        self._options = options
        self._console: Console | None = None

    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console(), name)


def escape(text: str) -> str:
    """rich's markup escape, imported when first needed."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


stderr = _LazyConsole(stderr=True, highlight=False, soft_wrap=True)
stdout = _LazyConsole(highlight=False, soft_wrap=True)
# generator.importers.run.PLATFORMS, written here so that `blog --help` does not import the
# importers (tests/unit/test_cli_lazy.py checks the two agree).
IMPORT_PLATFORMS = ("wordpress", "blogger", "ghost", "medium", "feed")
MAX_ERRORS_SHOWN = 50
BUILD_STAGES = ["config", "load", "markdown", "site", "feeds", "extras", "pages+write"]


def main() -> None:
    cli(prog_name="blog")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="blog")
def cli() -> None:
    """Build a company blog from Markdown posts."""


site_option = click.option(
    "--site",
    "site_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The site folder (holds site.toml).",
)


@cli.command("build")
@site_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), help="Output folder (default: [build] output_dir).")
@click.option("--drafts", is_flag=True, help="Include posts marked draft: true.")
@click.option("--future", is_flag=True, help="Include posts dated in the future.")
@click.option("--base-url", help="Override [site] base_url, e.g. for a preview deploy.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--clean", is_flag=True, help="Ignore the Markdown cache and render every post again.")
@click.option("--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default=True, help="Worker processes for Markdown.")
@click.option("--quiet", is_flag=True, help="Print errors only.")
@click.option("--profile", is_flag=True, help="Print the time each stage took.")
def build_command(site_dir, out_dir, drafts, future, base_url, strict, clean, jobs, quiet, profile) -> None:
    """Build the site into the output folder (all or nothing)."""
    from generator.build import BuildOptions, build

    options = BuildOptions(site_dir, out_dir, drafts, future, base_url, strict, clean, jobs)
    with _terminate_as_interrupt():
        report = _run(lambda progress: build(options, progress), site_dir, quiet)
    if not quiet:
        _print_warnings(report.warnings, site_dir)
        _print_summary(report, site_dir)
    if profile:
        for stage, seconds in report.timings.items():
            stdout.print(f"  {stage:<12} {seconds * 1000:8.1f} ms")


@cli.command("check")
@site_option
@click.option("--drafts", is_flag=True, help="Check drafts too.")
@click.option("--future", is_flag=True, help="Check future-dated posts too.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def check_command(site_dir, drafts, future, strict) -> None:
    """Validate the config, every post, internal links and feeds; write nothing."""
    from generator.build import BuildOptions
    from generator.check import check_site

    options = BuildOptions(site_dir, drafts=drafts, future=future, write_cache=False)
    report = _run(lambda progress: check_site(options), site_dir, quiet=True, outcome=None)
    problems: list[SiteError] = list(report.errors)
    if strict:
        problems += [w.as_error() for w in report.warnings]
    else:
        _print_warnings(report.warnings, site_dir)
    if problems:
        _print_errors(problems, site_dir, outcome=None)
        sys.exit(1)
    stdout.print(f"checked {len(report.plan.site.posts)} posts and {report.files} files: no errors, {len(report.warnings)} warning(s)")


@cli.command("new")
@click.argument("title")
@click.option("--tags", default="", help="Comma-separated tags, e.g. python,release.")
@click.option("--author", help="An [authors.*] key or a name.")
@site_option
def new_command(title, tags, author, site_dir) -> None:
    """Write posts/YYYY-MM-DD-slug.md with front matter filled in (never overwrites)."""
    from generator.config import load_config
    from generator.newpost import write_new_post

    def create(progress):
        config = load_config(site_dir)
        now = datetime.now(config.zone)
        return write_new_post(config, title, now, [t.strip() for t in tags.split(",") if t.strip()], author)

    path = _run(create, site_dir, quiet=True, outcome=None)
    stdout.print(escape(_shown_path(path, site_dir)))  # posts/2026-11-25-moving-to-postgres-16.md, as the README shows


@cli.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--title", help="The blog's title (default: from the folder's name).")
@click.option("--url", default=None, help="The address the blog is published at (default: https://example.com/, to change).")
@click.option("--author", "author_key", help="An author's key, e.g. jane (with --author-name).")
@click.option("--author-name", help="That author's name, e.g. 'Jane Doe'.")
def init_command(folder, title, url, author_key, author_name) -> None:
    """Make a new, complete blog in FOLDER (default: here); never overwrites a file."""
    from generator.init import InitOptions, init_blog, title_from_folder

    options = InitOptions(title if title is not None else title_from_folder(folder), url or InitOptions.url, author_key, author_name)
    report, requirement = _run(lambda progress: init_blog(folder, options, datetime.now(UTC).date()), folder, quiet=True)
    for rel in report.made:
        stdout.print(f"made: {escape(rel)}")
    for rel in report.kept:
        stdout.print(f"kept: {escape(rel)} (exists)")
    if requirement.warning and "requirements.txt" in report.made:
        stderr.print(f"[yellow]warning[/]: {escape(requirement.warning)}")
    here = folder.resolve() == Path.cwd().resolve()
    serve = "blog serve" if here else f"cd {shlex.quote(str(folder))} && blog serve"
    stdout.print("next:")
    stdout.print(f"  1. {escape(serve)}   (a preview at http://127.0.0.1:8000/ that reloads as you write)")
    stdout.print("  2. in site.toml, set title and base_url (the address the blog will be published at)")
    stdout.print('  3. push to a GitHub repository and, in its Settings under Pages, choose "GitHub Actions" as the source')


@cli.command("import")
@click.argument("platform", type=click.Choice(IMPORT_PLATFORMS))
@click.argument("source")
@site_option
@click.option(
    "--media",
    "media_dir",
    type=click.Path(path_type=Path),
    help="A copy of the old blog's pictures (wp-content/uploads, Ghost's content folder).",
)
@click.option("--download", is_flag=True, help="Fetch the old blog's pictures (and a feed given as a URL) over http(s).")
@click.option("--dry-run", is_flag=True, help="Read and plan everything, print the report, write nothing.")
@click.option("--overwrite", is_flag=True, help="Replace files that exist (by default they are kept).")
@click.option("--pingbacks", is_flag=True, help="Keep pingbacks and trackbacks with the comments.")
@click.option("--old-url", help="The old blog's address, for exports that do not name it (Ghost, Takeout's feed.atom).")
def import_command(platform, source, site_dir, media_dir, download, dry_run, overwrite, pingbacks, old_url) -> None:
    """Import an existing blog's export (all or nothing): posts, pages, authors, pictures,
    old URLs as redirects, old feed ids, and approved comments kept read-only."""
    from generator.importers.report import report_markdown, summary_lines
    from generator.importers.run import REPORT_FILE, ImportOptions, import_blog

    options = ImportOptions(site_dir, media_dir, download, dry_run, overwrite, pingbacks, old_url)
    report = _run(lambda progress: import_blog(platform, source, options, datetime.now(UTC)), site_dir, quiet=True)
    if dry_run:
        stdout.print(escape(report_markdown(report)))
        stdout.print("dry run: nothing was written")
        return
    for line in summary_lines(report):
        stdout.print(escape(line))
    if report.kept:
        stdout.print(f"kept {len(report.kept)} file(s) that existed (--overwrite replaces them)")
    for line in report.attention[:10]:
        stderr.print(f"[yellow]needs a look[/]: {escape(line)}")
    if len(report.attention) > 10:
        stderr.print(f"... and {len(report.attention) - 10} more in {REPORT_FILE}")
    stdout.print(
        f"wrote {len(report.written)} file(s); the full report is in {escape(_shown_path((site_dir / REPORT_FILE).resolve(), site_dir))}"
    )
    stdout.print("next: blog build, then blog serve to look at the imported posts")


@cli.command("list")
@site_option
def list_command(site_dir) -> None:
    """List every post, newest first: date, status (published, draft, scheduled), permalink, title."""
    from generator.config import load_config
    from generator.listing import list_posts

    def rows(progress):
        config = load_config(site_dir)
        return list_posts(config, datetime.now(config.zone))

    posts = _run(rows, site_dir, quiet=True, outcome=None)
    # Plain columns, not a table that wraps: the output is for eyes and for grep alike.
    width = max((len(row.url) for row in posts), default=0)
    for row in posts:
        line = f"{row.date:%Y-%m-%d %H:%M}  {row.status:<9}  {row.url:<{width}}  {row.title}"
        stdout.print(escape(line), highlight=False, soft_wrap=True)
    counts = {status: sum(row.status == status for row in posts) for status in ("published", "draft", "scheduled")}
    stdout.print(f"{len(posts)} posts: {counts['published']} published, {counts['draft']} draft(s), {counts['scheduled']} scheduled")


@cli.command("watch")
@site_option
@click.option("--drafts", is_flag=True, help="Include posts marked draft: true.")
@click.option("--future", is_flag=True, help="Include posts dated in the future.")
def watch_command(site_dir, drafts, future) -> None:
    """Build, then rebuild on every change to posts, templates, static files or site.toml."""
    from generator.build import BuildOptions
    from generator.config import load_config
    from generator.watch import SiteWatcher

    _run(lambda progress: load_config(site_dir), site_dir, quiet=True)  # a broken site.toml stops here (exit 2)
    watcher = SiteWatcher(BuildOptions(site_dir, drafts=drafts, future=future), on_done=lambda rebuild: _report_rebuild(rebuild, site_dir))
    stdout.print(f"watching {escape(str(site_dir))} for changes (Ctrl-C to stop)")
    _watch_until_interrupted(watcher)


@cli.command("serve")
@site_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on; only loopback keeps the preview private.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on (0: any free port).")
@click.option("--drafts/--no-drafts", default=True, show_default=True, help="Include posts marked draft: true.")
@click.option("--future", is_flag=True, help="Include posts dated in the future.")
def serve_command(site_dir, host, port, drafts, future) -> None:
    """Build, watch, and serve the output folder with live reload in the browser."""
    from generator.build import BuildOptions
    from generator.config import load_config
    from generator.serve import PreviewServer, PreviewState, is_loopback
    from generator.urls import Urls
    from generator.watch import SiteWatcher

    config = _run(lambda progress: load_config(site_dir), site_dir, quiet=True)
    state = PreviewState(site_dir, config.output_dir)
    try:
        server = PreviewServer(host, port, state, Urls(config.site.base_url).base_path)
    except OSError as exc:
        stderr.print(f"[bold red]error[/]: cannot listen on {escape(host)}:{port}: {escape(exc.strerror or str(exc))}")
        stderr.print("  [cyan]hint[/]: choose another --port (--port 0 picks a free one)")
        sys.exit(2)
    if not is_loopback(host):
        stderr.print(
            f"[yellow]warning[/]: {escape(host)} is not a loopback address: anyone who can reach this machine can read the preview"
        )
    if drafts:
        stdout.print("drafts are included (--no-drafts leaves them out)")
    thread = threading.Thread(target=server.serve_forever, name="blog-serve", daemon=True)
    thread.start()
    stdout.print(f"serving {server.url} (Ctrl-C to stop)")

    def done(rebuild: Rebuild) -> None:
        state.finish(rebuild)  # first, so that open pages reload at once
        _report_rebuild(rebuild, site_dir)

    watcher = SiteWatcher(BuildOptions(site_dir, drafts=drafts, future=future), on_done=done, on_start=state.begin)
    try:
        _watch_until_interrupted(watcher)
    finally:
        server.stop()
        thread.join(timeout=5)


def _watch_until_interrupted(watcher: SiteWatcher) -> None:
    """Run the watcher until Ctrl-C (or SIGTERM), then return normally: exit code 0."""
    try:
        with _terminate_as_interrupt():
            watcher.run()
    except KeyboardInterrupt:
        stdout.print("stopped")


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM (CI cancelling a job, `kill`) unwinds like Ctrl-C, so the writer removes its
    staging folder and the previous output stays as it was; by default Python just dies."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield  # signals can only be handled in the main thread (tests run the CLI in others)
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _report_rebuild(rebuild: Rebuild, site_dir: Path) -> None:
    if rebuild.changed:
        names = sorted(_shown_path(path, site_dir) for path in rebuild.changed)
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        stdout.print(f"changed: {escape(', '.join(names[:3]))}{more}")
    if rebuild.report is not None:
        _print_warnings(rebuild.report.warnings, site_dir)
        _print_summary(rebuild.report, site_dir)
    else:
        _print_errors(rebuild.errors, site_dir)
        stderr.print("still watching: the previous output stays until the errors are fixed")


def _shown_path(path: Path, site_dir: Path) -> str:
    try:
        return str(path.relative_to(Path(site_dir).resolve()))
    except ValueError:
        return str(path)


def _run(action, site_dir: Path, quiet: bool, outcome: str | None = "nothing was written"):
    """Run a stage; print its errors and exit with their code instead of raising.
    `outcome` ends the list of errors; None for commands that write no site (check, list, new)."""
    try:
        if quiet or not stderr.is_terminal:
            return action(None)
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("{task.description:<10}"), BarColumn(), TimeElapsedColumn(), console=stderr.console(), transient=True
        ) as progress:
            task = progress.add_task("config", total=len(BUILD_STAGES))

            def advance(stage: str) -> None:
                progress.update(task, description=stage, completed=BUILD_STAGES.index(stage) if stage in BUILD_STAGES else 0)

            return action(advance)
    except BuildFailed as failed:
        _print_errors(failed.errors, site_dir, outcome)
        sys.exit(failed.exit_code)
    except SiteError as error:
        _print_errors([error], site_dir, outcome)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        stderr.print("interrupted; the previous output is unchanged")
        sys.exit(130)


def _print_errors(errors: list[SiteError], site_dir: Path, outcome: str | None = "nothing was written") -> None:
    for error in errors[:MAX_ERRORS_SHOWN]:
        where = error.location(site_dir)
        label = "config error" if isinstance(error, ConfigError) else "error"
        stderr.print(f"[bold red]{label}[/]: [bold]{escape(where)}[/]{': ' if where else ''}{escape(error.message)}")
        source_line = _source_line(error)
        if source_line is not None:
            stderr.print(f"  [dim]{error.line:>5} |[/] {escape(source_line)}")
        if error.hint:
            stderr.print(f"  [cyan]hint[/]: {escape(error.hint)}")
    if len(errors) > MAX_ERRORS_SHOWN:
        stderr.print(f"... and {len(errors) - MAX_ERRORS_SHOWN} more")
    stderr.print(f"[bold red]{len(errors)} error(s)[/]" + (f"; {outcome}" if outcome else ""))


def _source_line(error: SiteError) -> str | None:
    if error.path is None or not error.line:
        return None
    try:
        with open(error.path, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if number == error.line:
                    return line.rstrip("\n")[:200]
    except OSError:
        return None
    return None


def _print_warnings(warnings, site_dir: Path) -> None:
    for warning in warnings[:MAX_ERRORS_SHOWN]:
        error = warning.as_error()
        where = error.location(site_dir)
        stderr.print(f"[yellow]warning[/]: [bold]{escape(where)}[/]{': ' if where else ''}{escape(warning.message)}")
    if len(warnings) > MAX_ERRORS_SHOWN:
        stderr.print(f"... and {len(warnings) - MAX_ERRORS_SHOWN} more warning(s)")


def _print_summary(report: BuildReport, site_dir: Path) -> None:
    try:
        shown = report.output_dir.relative_to(Path(site_dir).resolve())
    except ValueError:
        shown = report.output_dir
    stats = report.render_stats
    if report.up_to_date:
        stdout.print(f"{shown} is up to date: nothing changed since the last build ({report.posts} posts, {report.files} files)")
        return
    if report.quick:
        stdout.print(
            f"built {stats.hits + stats.misses} changed post(s): {report.files} pages and feeds redone "
            f"({report.written} written) in {shown} in {report.seconds:.2f} s; markdown: {stats.misses} rendered, {stats.hits} cached"
            + (f", {len(report.warnings)} warning(s)" if report.warnings else "")
        )
        return
    stdout.print(
        f"built {report.posts} posts, {report.pages} pages ({report.files} files, {report.written} written) "
        f"into {shown} in {report.seconds:.2f} s; markdown: {stats.misses} rendered, {stats.hits} cached"
        + (f", {len(report.warnings)} warning(s)" if report.warnings else "")
    )
