"""Pages, feeds and redirects rendered by worker processes forked once the site is assembled.

A forked worker starts with the parent's memory (site, theme, jobs), shared copy-on-write:
nothing of the site is pickled. The parent freezes its objects for the cycle collector first
(build.py), so a worker's collections never walk the site, nor write into its pages of memory.
Workers take chunks of jobs from a pipe, render each job, put its file into the staging folder
with a StagingWriter (the same links and writes as the parent's), and send back only small
results: each file's path and source, the jobs' fingerprints, counts and template errors. The
parent then checks collisions and errors in the order of the jobs, exactly as one process
would, so a build with workers writes the same bytes and reports the same errors.

A worker that dies (killed, out of memory) is an error, not a hang: its pipe closes. Ctrl-C or
SIGTERM in the parent kills the workers and waits for them before the writer removes the staging
folder, so nothing writes into it afterwards. Workers ignore SIGINT (the terminal sends it to the
whole group: the parent decides) and die with the parent (Linux).
"""

from __future__ import annotations

import os
import pickle
import selectors
import signal
import struct
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from generator.errors import ContentError, SiteError
from generator.fingerprint import Fingerprints, PageReuse
from generator.output import CollisionGuard, Job, OutputFile, TemplateErrors, make_files
from generator.theme import Theme
from generator.writer import StagingWriter, WriteReport

# Below this many jobs a worker, forking it costs more than it saves: two workers paid off from
# about 120 jobs (a 20-post site: 0.95 of the time in one process; 50 posts: 0.74; docs/benchmarks.md).
MIN_JOBS_PER_WORKER = 60
CHUNK_MIN, CHUNK_MAX = 8, 64  # jobs a worker takes at a time
_TASK = struct.Struct("<I")
_LENGTH = struct.Struct("<Q")
_MAX_CHUNKS = 4_000  # chunk numbers are all written into the task pipe before forking (16 KiB on macOS)


class WorkerCrashed(SiteError):
    """A worker process died before it finished its jobs (killed, out of memory...)."""


def fork_available() -> bool:
    """Workers are forked: on Linux and macOS, not on Windows (no fork there)."""
    return hasattr(os, "fork") and sys.platform != "win32"


def worker_count(jobs: int, job_count: int) -> int:
    """How many workers to fork for `job_count` jobs when `jobs` processes are allowed: 1 means
    none, render in this process."""
    if jobs <= 1 or not fork_available():
        return 1
    return max(1, min(jobs, job_count // MIN_JOBS_PER_WORKER))


@dataclass
class WorkersDone:
    """What the workers did, in the order of the jobs."""

    paths: list[list[PurePosixPath]]  # each group's files, in the order of its jobs
    feed_seconds: float = 0.0  # time the workers spent making feeds, all of them together
    workers: int = 0


@dataclass
class _Chunk:
    group: int
    start: int  # index into the group's jobs
    end: int


@dataclass
class _ChunkResult:
    files: list[tuple[str, str | None]] = field(default_factory=list)  # path, source
    fingerprints: list[tuple[str, str]] = field(default_factory=list)
    reused: int = 0
    errors: list[tuple[str, int, ContentError]] = field(default_factory=list)  # template, limit, error
    seconds: float = 0.0


def render_in_workers(
    groups: Sequence[Sequence[Job]],
    reuse: PageReuse,
    fingerprints: Fingerprints,
    workers: int,
    writer: StagingWriter,
    guard: CollisionGuard,
    theme: Theme | None = None,
    feed_group: int | None = None,
) -> WorkersDone:
    """Render every job of `groups` (each as make_files would: pages, feeds, redirects) in
    `workers` forked processes writing into `writer`'s staging folder. Then, group by group,
    admit each file's path to `guard` and raise the group's template errors, as one process
    does; record the fingerprints in `reuse` and add the counts to `writer`. `theme`: the
    pages' templates are compiled here first, once rather than in every worker."""
    chunks = _chunks(groups, workers, feed_group)
    if theme is not None:
        _compile_templates(theme, {job.template for number, group in enumerate(groups) if number != feed_group for job in group})
    for stream in (sys.stdout, sys.stderr):  # or a worker's copy of what is buffered is printed twice
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    tasks, task_writer = os.pipe()
    try:
        # Feeds first (one long chunk), then the rest: the last chunks finish close together.
        order = sorted(range(len(chunks)), key=lambda n: chunks[n].group != feed_group)
        _write_all(task_writer, b"".join(_TASK.pack(n) for n in order))
    finally:
        os.close(task_writer)  # the workers see the end of the pipe once every chunk is taken
    processes: dict[int, int] = {}  # result pipe -> pid
    parent = os.getpid()
    try:
        for _ in range(workers):
            results, result_writer = os.pipe()
            try:
                pid = os.fork()
            except OSError as exc:
                os.close(results)
                os.close(result_writer)
                raise WorkerCrashed(f"cannot start a build worker: {exc.strerror or exc}", hint="try --jobs 1") from exc
            if pid == 0:  # the worker: never returns
                for fd in [results, *processes]:
                    os.close(fd)
                _worker(groups, chunks, tasks, result_writer, reuse, fingerprints, writer, parent)
            os.close(result_writer)
            processes[results] = pid
        os.close(tasks)
        tasks = -1
        results_by_chunk, stats = _collect(processes)
        _reap(processes)
    except BaseException:
        _stop(processes)
        raise
    finally:
        if tasks >= 0:
            os.close(tasks)
    return _merge(groups, chunks, results_by_chunk, stats, reuse, writer, guard, workers, feed_group)


def _chunks(groups: Sequence[Sequence[Job]], workers: int, feed_group: int | None) -> list[_Chunk]:
    """Each group cut in chunks small enough that no worker is left with much to do while the
    others are done, and few enough that sending results is cheap."""
    total = sum(len(group) for group in groups)
    size = max(CHUNK_MIN, min(CHUNK_MAX, total // (workers * 32)), -(-total // _MAX_CHUNKS))
    chunks = []
    for number, group in enumerate(groups):
        # The feeds in one chunk: they share each post's HTML made absolute (feeds._feed_html),
        # which a worker would otherwise make again for each post it shares with another's feeds.
        step = max(1, len(group)) if number == feed_group else size
        chunks += [_Chunk(number, start, min(start + step, len(group))) for start in range(0, len(group), step)]
    return chunks


def _compile_templates(theme: Theme, names: set[str]) -> None:
    for name in sorted(names):
        try:
            theme.env.get_template(name)
        except Exception:  # reported with its line by the worker that renders the page
            pass


def _worker(
    groups: Sequence[Sequence[Job]],
    chunks: list[_Chunk],
    tasks: int,
    results: int,
    reuse: PageReuse,
    fingerprints: Fingerprints,
    parent_writer: StagingWriter,
    parent: int,
) -> None:
    """A forked worker's life: take chunk numbers from `tasks` until it is empty, send each
    chunk's result on `results`, then the counts; then exit, whatever happens."""
    code = 1
    try:
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's: it raises KeyboardInterrupt
        except ValueError:  # forked from a thread other than the main one (tests)
            pass
        _die_with_parent(parent)
        writer = StagingWriter(parent_writer.staging, parent_writer.previous)
        errors = [TemplateErrors() for _ in groups]
        try:
            while task := os.read(tasks, _TASK.size):
                number = _TASK.unpack(task)[0]
                chunk = chunks[number]
                result = _render_chunk(groups[chunk.group][chunk.start : chunk.end], reuse, fingerprints, writer, errors[chunk.group])
                _send(results, ("chunk", number, result))
            _send(results, ("done", writer.report()))
            code = 0
        except BaseException as exc:
            _send(results, ("failed", _picklable(exc)))
        for stream in (sys.stdout, sys.stderr):  # what a plugin printed
            stream.flush()
    except BaseException:
        pass
    finally:
        os._exit(code)  # never the parent's finally blocks, atexit handlers or buffers


def _render_chunk(
    jobs: Sequence[Job], reuse: PageReuse, fingerprints: Fingerprints, writer: StagingWriter, errors: TemplateErrors
) -> _ChunkResult:
    start = time.perf_counter()
    reuse.current = {}
    reused = reuse.reused
    found = len(errors.found)
    result = _ChunkResult()
    for file in make_files(reuse.filter(jobs, fingerprints), errors):
        writer.put(file)
        result.files.append((str(file.path), str(file.source) if file.source is not None else None))
    result.fingerprints = list(reuse.current.items())
    result.reused = reuse.reused - reused
    result.errors = errors.found[found:]
    result.seconds = time.perf_counter() - start
    return result


def _send(fd: int, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    _write_all(fd, _LENGTH.pack(len(data)) + data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _picklable(exc: BaseException) -> BaseException:
    """`exc`, or when it cannot be sent, a RuntimeError with its text; with the worker's traceback."""
    trace = "".join(traceback.format_exception(exc))
    try:
        sent = pickle.loads(pickle.dumps(exc))
    except Exception:
        sent = RuntimeError(f"{type(exc).__name__}: {exc}")
    if not isinstance(sent, SiteError):
        sent.add_note(f"in build worker {os.getpid()}:\n{trace}")
    return sent


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this worker if the parent dies (kill -9) before it is done."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        return
    if os.getppid() != parent:  # it died before prctl
        os._exit(1)


def _collect(processes: dict[int, int]) -> tuple[dict[int, _ChunkResult], list[WriteReport]]:
    """Read every worker's messages until each has closed its pipe; raise the first failure."""
    results: dict[int, _ChunkResult] = {}
    reports: list[WriteReport] = []
    buffers = {fd: bytearray() for fd in processes}
    with selectors.DefaultSelector() as selector:
        for fd in processes:
            selector.register(fd, selectors.EVENT_READ)
        open_pipes = len(processes)
        while open_pipes:
            for key, _ in selector.select():
                fd = key.fd
                data = os.read(fd, 1 << 20)
                buffer = buffers[fd]
                if data:
                    buffer += data
                    continue
                selector.unregister(fd)
                open_pipes -= 1
                done = False
                for message in _messages(buffer):
                    if message[0] == "chunk":
                        results[message[1]] = message[2]
                    elif message[0] == "done":
                        reports.append(message[1])
                        done = True
                    else:
                        raise message[1]
                if not done:
                    pid = processes[fd]
                    raise WorkerCrashed(
                        f"a build worker (process {pid}) {_how_it_ended(pid)} before it was done",
                        hint="nothing was written; if the machine is short of memory, try --jobs 1",
                    )
    return results, reports


def _messages(buffer: bytearray) -> list[Any]:
    messages = []
    offset = 0
    while len(buffer) - offset >= _LENGTH.size:
        (length,) = _LENGTH.unpack_from(buffer, offset)
        end = offset + _LENGTH.size + length
        if end > len(buffer):
            break  # a message cut short: the worker died while sending it
        messages.append(pickle.loads(buffer[offset + _LENGTH.size : end]))
        offset = end
    return messages


def _how_it_ended(pid: int) -> str:
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return "ended"
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"was killed by signal {name}"
    return f"exited with status {os.waitstatus_to_exitcode(status)}"


def _stop(processes: dict[int, int]) -> None:
    """Kill the workers still running and wait for them: then nothing writes into staging."""
    for pid in processes.values():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _reap(processes)


def _reap(processes: dict[int, int]) -> None:
    for fd, pid in processes.items():
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        try:
            os.close(fd)
        except OSError:
            pass
    processes.clear()


def _merge(
    groups: Sequence[Sequence[Job]],
    chunks: list[_Chunk],
    results: dict[int, _ChunkResult],
    reports: list[WriteReport],
    reuse: PageReuse,
    writer: StagingWriter,
    guard: CollisionGuard,
    workers: int,
    feed_group: int | None,
) -> WorkersDone:
    done = WorkersDone([[] for _ in groups], workers=workers)
    for report in reports:
        writer.add(report)
    by_group: list[list[_ChunkResult]] = [[] for _ in groups]
    for number, chunk in enumerate(chunks):
        by_group[chunk.group].append(results[number])
    for number, group_results in enumerate(by_group):
        errors = TemplateErrors()
        for result in group_results:
            for path, source in result.files:
                file = OutputFile(PurePosixPath(path), None, Path(source) if source is not None else None)
                guard.admit(file)
                done.paths[number].append(file.path)
            reuse.current.update(result.fingerprints)
            reuse.reused += result.reused
            for template, limit, error in result.errors:
                errors.add(template, limit, error)
            if number == feed_group:
                done.feed_seconds += result.seconds
        errors.raise_any()
    return done
