"""The import's report, as Markdown (import-report.md) and as lines for the terminal."""

from __future__ import annotations

from generator.importers.plan import Report

ORDER = ["published posts", "scheduled posts", "drafts", "pages", "draft pages", "comments", "pictures", "redirects from old URLs"]


def summary_lines(report: Report) -> list[str]:
    """What was imported and skipped, one line each, for the terminal and the report."""
    known = [key for key in ORDER if report.imported[key]]
    other = sorted(key for key in report.imported if key not in ORDER and report.imported[key])
    lines = [f"imported: {report.imported[key]} {key}" for key in [*known, *other]]
    if report.authors_added:
        lines.append(f"imported: {len(report.authors_added)} author(s) into site.toml: {', '.join(report.authors_added)}")
    lines += [f"skipped: {count} {what}: {reason}" for (what, reason), count in sorted(report.skipped.items())]
    return lines


def report_markdown(report: Report) -> str:
    out = [f"# Import from {report.platform}", "", f"Source: `{report.source}`", ""]
    out += ["## What was imported and skipped", ""] + [f"- {line}" for line in summary_lines(report)] + [""]
    if report.not_public:
        out += ["## Not public on the old blog (imported as drafts)", ""] + [f"- {line}" for line in report.not_public] + [""]
    out += ["## Needs a person", ""]
    out += [f"- {line}" for line in report.attention] if report.attention else ["Nothing."]
    out += ["", "## Files", "", f"{len(report.written)} written, {len(report.kept)} kept because they existed (--overwrite replaces them)."]
    out += [f"- kept: `{rel}`" for rel in report.kept]
    return "\n".join(out) + "\n"
