"""`blog init` through the command line: a blog that builds and checks clean at once, a
publishing workflow whose commands exist, and the whole journey of a company starting its
blog with the tool installed from the built wheel (not this checkout)."""

from __future__ import annotations

import http.client
import importlib.metadata
import os
import re
import shlex
import signal
import subprocess
import sys
import sysconfig
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import click
import pytest
import yaml

from generator.cli import cli

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 60.0


def _workflow(site: Path) -> dict:
    data = yaml.safe_load((site / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _blog_commands(workflow: dict) -> list[list[str]]:
    runs = [step["run"] for step in _steps(workflow) if "run" in step]
    return [shlex.split(line) for run in runs for line in run.splitlines() if line.startswith("blog ")]


@pytest.fixture
def new_blog(tmp_path, run_blog) -> Path:
    site = tmp_path / "acme-blog"
    result = run_blog("init", site, "--author", "jane", "--author-name", "Jane Doe")
    assert result.exit_code == 0, result.output
    return site


def test_init_makes_a_blog_that_builds_and_checks_with_no_warning(new_blog, run_blog):
    today = datetime.now(UTC).date().isoformat()
    assert (new_blog / "posts" / f"{today}-welcome.md").is_file()
    build = run_blog("build", "--site", new_blog, "--strict")
    assert build.exit_code == 0, build.output
    assert "warning" not in build.output
    check = run_blog("check", "--site", new_blog, "--strict")
    assert check.exit_code == 0, check.output
    assert "0 warning(s)" in check.output and "warning:" not in check.output
    index = (new_blog / "_site" / "index.html").read_text(encoding="utf-8")
    assert "Acme Blog" in index and "Welcome to Acme Blog" in index
    assert (new_blog / "_site" / "favicon.svg").is_file()


def test_init_prints_what_it_made_and_the_next_steps(tmp_path, run_blog):
    result = run_blog("init", tmp_path / "blog", "--title", "Acme", "--url", "https://blog.acme.example")
    assert result.exit_code == 0, result.output
    assert "made: site.toml" in result.stdout and "made: .github/workflows/publish.yml" in result.stdout
    assert "blog serve" in result.stdout and "base_url" in result.stdout and "GitHub Actions" in result.stdout
    assert 'base_url = "https://blog.acme.example/"' in (tmp_path / "blog" / "site.toml").read_text(encoding="utf-8")
    # This test environment has the generator from a folder (pip install -e .): nothing CI could
    # install, so requirements.txt is a line to complete, and init says so.
    requirements = (tmp_path / "blog" / "requirements.txt").read_text(encoding="utf-8")
    if "dir_info" in (importlib.metadata.distribution("blog-generator").read_text("direct_url.json") or ""):
        assert all(line.startswith("#") for line in requirements.splitlines())
        assert "warning: requirements.txt needs a line" in result.stderr


def test_init_keeps_every_existing_file_and_exits_0(new_blog, run_blog):
    (new_blog / "site.toml").write_text('[site]\ntitle = "Mine"\nbase_url = "https://mine.example"\n', encoding="utf-8")
    (new_blog / "posts" / next(p.name for p in (new_blog / "posts").iterdir())).unlink()
    result = run_blog("init", new_blog, "--title", "Other")
    assert result.exit_code == 0, result.output
    assert "kept: site.toml (exists)" in result.stdout
    assert re.search(r"made: posts/\d{4}-\d\d-\d\d-welcome\.md", result.stdout)
    assert result.stdout.count("kept: ") == 6
    assert "Mine" in (new_blog / "site.toml").read_text(encoding="utf-8")


def test_init_refuses_bad_options_with_exit_2(tmp_path, run_blog):
    assert run_blog("init", tmp_path / "a", "--url", "blog.example.com").exit_code == 2
    assert run_blog("init", tmp_path / "b", "--author", "jane").exit_code == 2
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_the_generated_workflow_publishes_to_pages_with_the_cache_of_main(new_blog):
    workflow = _workflow(new_blog)
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["on"]["schedule"] and "workflow_dispatch" in workflow["on"]
    assert workflow["permissions"] == yaml.safe_load((REPO / ".github/workflows/publish.yml").read_text(encoding="utf-8"))["permissions"]
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert build["if"] == "github.ref == 'refs/heads/main'"
    assert build["env"]["BLOG_CACHE_KEY"] == "${{ secrets.BLOG_CACHE_KEY }}"
    steps = {step.get("uses", "").split("@")[0]: step for step in build["steps"]}
    assert steps["actions/setup-python"]["with"]["cache"] == "pip"
    assert steps["actions/setup-python"]["with"]["cache-dependency-path"] == "requirements.txt"
    cache = steps["actions/cache"]["with"]
    assert cache["path"] == ".blog-cache"
    for key in (cache["key"], cache["restore-keys"]):
        assert key.startswith("blog-cache-${{ github.ref_name }}-${{ hashFiles('requirements.txt') }}-")
    assert "actions/configure-pages" in steps and steps["actions/upload-pages-artifact"]["with"]["path"] == "_site"
    runs = [step["run"] for step in build["steps"] if "run" in step]
    assert "pip install -r requirements.txt" in runs
    assert not any("pip install ." in run for run in runs)  # the blog's repository holds no generator
    assert deploy["needs"] == "build" and deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")
    names = [command[1] for command in _blog_commands(workflow)]
    assert names == ["check", "build"]


def test_every_blog_command_and_option_in_the_generated_workflow_exists_and_succeeds(new_blog, run_blog):
    for command in _blog_commands(_workflow(new_blog)):
        sub = cli.commands[command[1]]  # KeyError: a command the tool does not have
        known = {opt for param in sub.params if isinstance(param, click.Option) for opt in param.opts}
        for word in command[2:]:
            if word.startswith("--"):
                assert word in known, f"{' '.join(command)}: no option {word}"
        args = [arg.replace("${{ steps.pages.outputs.base_url }}", "https://acme.github.io/blog") for arg in command[1:]]
        result = run_blog(*args, "--site", new_blog)
        assert result.exit_code == 0, (command, result.output)
    assert 'href="/blog/css/style.css"' in (new_blog / "_site" / "index.html").read_text(encoding="utf-8")


# -- the journey: a fresh environment, the wheel, a blog of one's own ------------------------------------


def _clean_env() -> dict[str, str]:
    """This environment less what would put another generator on the new one's path."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    return dict(env, PYTHONUNBUFFERED="1", COLUMNS="200")


def _run(venv_bin: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run([str(venv_bin / args[0]), *args[1:]], cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result


def _get(url: str) -> tuple[int, str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_a_company_starts_its_blog_from_the_built_wheel(tmp_path):
    # The tool as a company installs it: the wheel, in an environment of its own. The libraries
    # it needs are this environment's (a .pth line), so nothing is downloaded; the generator
    # itself comes only from the wheel (this environment's editable install is not on the path).
    dist, venv = tmp_path / "dist", tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(REPO)],
        check=True,
        timeout=300,
    )
    (wheel,) = dist.glob("blog_generator-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120, env=_clean_env())
    bin_dir = venv / "bin"
    site_packages = Path(
        subprocess.run(
            [str(bin_dir / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            env=_clean_env(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site_packages / "libraries-of-the-test-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run(bin_dir, "python", "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel), cwd=tmp_path)
    where = _run(bin_dir, "python", "-c", "import generator; print(generator.__file__)", cwd=tmp_path).stdout.strip()
    assert Path(where).resolve().is_relative_to(site_packages.resolve()), where

    # blog init in an empty folder, three posts, the About page.
    work = tmp_path / "work"
    work.mkdir()
    made = _run(bin_dir, "blog", "init", "northwind-notes", "--author", "ana", "--author-name", "Ana Lindqvist", cwd=work)
    assert "made: site.toml" in made.stdout
    blog = work / "northwind-notes"
    # Installed from a wheel file on this machine: requirements.txt is a line to complete, with a warning.
    assert all(line.startswith("#") for line in (blog / "requirements.txt").read_text(encoding="utf-8").splitlines())
    assert "requirements.txt needs a line" in made.stderr
    for number, (title, tags) in enumerate([("Our first outage", "ops"), ("Why Rust", "rust, solver"), ("Hiring in Porto", "culture")], 1):
        (blog / "posts" / f"2026-0{number}-10-post-{number}.md").write_text(
            f"---\ntitle: {title}\ntags: [{tags}]\nauthor: ana\nsummary: {title}, in one line.\n---\n\nThe story of {title.lower()}.\n",
            encoding="utf-8",
        )
    about = blog / "pages" / "about.md"
    about.write_text(
        about.read_text(encoding="utf-8").replace("This page is", "We are Northwind's route planners. This page is"), encoding="utf-8"
    )
    _run(bin_dir, "blog", "build", "--strict", cwd=blog)
    check = _run(bin_dir, "blog", "check", "--strict", cwd=blog)
    assert "checked 4 posts" in check.stdout and "warning:" not in check.stdout + check.stderr

    # blog serve --port 0: read the address it prints, ask for pages, stop it with Ctrl-C.
    env = _clean_env()
    serve = subprocess.Popen(
        [str(bin_dir / "blog"), "serve", "--port", "0"], cwd=blog, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(serve.stdout), daemon=True)  # type: ignore[arg-type]
    reader.start()
    try:
        deadline, url = time.monotonic() + TIMEOUT, None
        while url is None and time.monotonic() < deadline:
            found = [m for line in list(lines) if (m := re.search(r"serving (http://127\.0\.0\.1:\d+/)", line))]
            url = found[0].group(1) if found else None
            assert serve.poll() is None, "".join(lines)
            time.sleep(0.05)
        assert url, "".join(lines)
        status, home = _get(url)
        while "Our first outage" not in home and time.monotonic() < deadline:  # the first build may still be running
            time.sleep(0.1)
            status, home = _get(url)
        assert status == 200 and "Our first outage" in home
        status, about_html = _get(url + "about/")
        assert status == 200 and "<h1" in about_html and "About" in about_html and "We are Northwind" in about_html
    finally:
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(timeout=10)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
        reader.join(timeout=2)


# -- the documented recipes and the release workflow -----------------------------------------------


def test_every_publishing_recipe_installs_from_requirements_txt_and_runs_commands_that_exist():
    """docs/publishing.md: each host's recipe works in a blog-only repository made by blog init."""
    text = (REPO / "docs" / "publishing.md").read_text(encoding="utf-8")
    recipes = text[text.index("## GitLab CI") : text.index("## Preview deploys")]
    installs = re.findall(r"pip install[^\n`&\"]*", recipes)
    assert len(installs) >= 5 and {line.strip() for line in installs} == {"pip install -r requirements.txt"}
    commands = re.findall(r"blog (check|build)([^\n`&]*)", recipes)
    assert len(commands) >= 6
    for name, rest in commands:
        known = {opt for param in cli.commands[name].params if isinstance(param, click.Option) for opt in param.opts}
        assert set(re.findall(r"--[a-z-]+", rest)) <= known, (name, rest)


def test_no_document_names_a_release_that_does_not_exist():
    version = re.search(r'__version__ = "(.+)"', (REPO / "generator" / "__init__.py").read_text(encoding="utf-8")).group(1)
    files = [REPO / "README.md", *(REPO / "docs").rglob("*.md"), *(REPO / ".github").rglob("*.yml")]
    for path in files:
        assert f"blog-generator=={version}" not in path.read_text(encoding="utf-8"), path


def test_the_release_workflow_builds_checks_and_publishes_with_trusted_publishing():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    runs = " ".join(step.get("run", "") for step in build["steps"])
    assert "python -m build" in runs and "twine check" in runs
    assert publish["needs"] == "build" and publish["environment"]["name"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert not any("password" in step.get("with", {}) for step in publish["steps"])  # no stored token
