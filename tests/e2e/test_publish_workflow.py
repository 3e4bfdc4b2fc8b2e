"""The GitHub Actions workflow that publishes the blog: well-formed, using the official Pages
actions, and running commands and options that exist, which succeed on the sample blog."""

from __future__ import annotations

import shlex
from pathlib import Path

import click
import yaml
from conftest import copy_sample_site

from generator.cli import cli

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "publish.yml"


def _workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _blog_commands(workflow: dict) -> list[list[str]]:
    runs = [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]
    return [shlex.split(line) for run in runs for line in run.splitlines() if line.startswith("blog ")]


def test_the_workflow_builds_on_push_and_deploys_with_the_pages_actions():
    workflow = _workflow()
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "schedule" in workflow["on"]  # scheduled posts get published when due
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    uses = [step.get("uses", "").split("@")[0] for step in build["steps"]]
    for action in ("actions/checkout", "actions/setup-python", "actions/configure-pages", "actions/upload-pages-artifact"):
        assert action in uses
    upload = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_site"
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")
    names = [command[1] for command in _blog_commands(workflow)]
    assert names.index("check") < names.index("build")


def test_every_blog_command_and_option_in_the_workflow_exists():
    for command in _blog_commands(_workflow()):
        sub = cli.commands[command[1]]  # KeyError: a command the tool does not have
        known = {opt for param in sub.params if isinstance(param, click.Option) for opt in param.opts}
        for word in command[2:]:
            if word.startswith("--"):
                assert word in known, f"{' '.join(command)}: no option {word}"


def test_the_workflow_commands_succeed_on_the_sample_blog(tmp_path, run_blog):
    site = copy_sample_site(tmp_path / "site")
    for command in _blog_commands(_workflow()):
        args = [arg.replace("${{ steps.pages.outputs.base_url }}", "https://northwind.github.io/blog") for arg in command[1:]]
        result = run_blog(*args, "--site", site)
        assert result.exit_code == 0, (command, result.output)
    assert 'href="/blog/css/style.css"' in (site / "_site" / "index.html").read_text(encoding="utf-8")


def test_the_cache_is_kept_per_deployed_branch_and_signed_with_the_secret():
    """docs/security.md: a pull request cannot plant cache entries that the deploy restores and uses."""
    build = _workflow()["jobs"]["build"]
    assert build["if"] == "github.ref == 'refs/heads/main'"
    assert build["env"]["BLOG_CACHE_KEY"] == "${{ secrets.BLOG_CACHE_KEY }}"
    cache = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == ".blog-cache"
    assert cache["with"]["key"].startswith("blog-cache-${{ github.ref_name }}-")
    assert cache["with"]["restore-keys"].startswith("blog-cache-${{ github.ref_name }}-")
