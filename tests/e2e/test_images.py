"""Responsive pictures beside posts (generator/images.py): smaller copies, srcset, sizes,
width/height and lazy loading, with the originals kept."""

from __future__ import annotations

import io

import html5lib
from conftest import needs_chromium, post, static_site_in_chromium
from PIL import Image

SAMPLE_POST = "2026/06/porto-pilot-field-notes/index.html"


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 100, 50)).save(out, "PNG")
    return out.getvalue()


def _images(page: str) -> list[dict]:
    document = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    return [dict(img.attrib) for img in document.iter("img")]


def test_the_sample_picture_gets_copies_srcset_and_its_size(sample_build):
    out = sample_build.out
    (image,) = _images((out / SAMPLE_POST).read_text(encoding="utf-8"))
    assert (image["width"], image["height"]) == ("1600", "960")
    assert image["srcset"] == "/2026/route-map-480w.png 480w, /2026/route-map-960w.png 960w, /2026/route-map.png 1600w"
    assert image["sizes"] == "(max-width: 44rem) calc(100vw - 2rem), 42rem"
    assert "loading" not in image  # the post's first picture is often in view at once
    for width in (480, 960):
        with Image.open(out / "2026" / f"route-map-{width}w.png") as copy:
            assert copy.size == (width, round(960 * width / 1600))
    assert (out / "2026/route-map.png").read_bytes() == (sample_build.site / "posts/2026/route-map.png").read_bytes()


def test_pictures_after_the_first_load_lazily_and_small_ones_get_no_copies(make_site, run_blog):
    body = '![Big](big.png)\n\nText.\n\n![Small](small.png)\n\n<img src="big.png" alt="raw" width="10" loading="eager">\n\n![Remote](https://cdn.example.com/x.png)\n'
    site = make_site(
        {
            "posts/2026-01-01-a.md": post("A", body, tags="[a]"),
            "posts/big.png": _png(1000, 500),
            "posts/small.png": _png(300, 200),
        }
    )
    result = run_blog("build", "--site", site)
    assert result.exit_code == 0, result.output
    out = site / "_site"
    big, small, raw, remote = _images((out / "2026/01/a/index.html").read_text(encoding="utf-8"))
    assert big["srcset"] == "/big-480w.png 480w, /big-960w.png 960w, /big.png 1000w" and "loading" not in big
    assert (small["width"], small["height"], small["loading"], small["decoding"]) == ("300", "200", "lazy", "async")
    assert "srcset" not in small  # smaller than every copy: the original only
    assert raw["width"] == "10" and "height" not in raw and raw["loading"] == "eager"  # the writer's attributes win
    assert remote == {
        "src": "https://cdn.example.com/x.png",
        "alt": "Remote",
        "loading": "lazy",
        "decoding": "async",
    }  # not ours to measure
    assert sorted(p.name for p in out.glob("*.png")) == ["big-480w.png", "big-960w.png", "big.png", "small.png"]


def test_copies_are_cached_and_identical_across_builds(make_site, run_blog):
    site = make_site({"posts/2026-01-01-a.md": post("A", "![Big](big.png)", tags="[a]"), "posts/big.png": _png(1000, 500)})
    assert run_blog("build", "--site", site, "--out", site / "one").exit_code == 0
    assert list((site / ".blog-cache" / "images").rglob("*.img"))
    assert run_blog("build", "--site", site, "--out", site / "two").exit_code == 0
    assert (site / "one/big-480w.png").read_bytes() == (site / "two/big-480w.png").read_bytes()


@needs_chromium
def test_a_phone_downloads_the_small_copy(sample_build):
    with static_site_in_chromium(sample_build.out) as (page, base):
        page.set_viewport_size({"width": 375, "height": 800})
        page.goto(base + "/" + SAMPLE_POST.removesuffix("index.html"))
        image = page.locator(".post-body img, article img").first
        image.wait_for()
        page.wait_for_function("document.querySelector('article img').complete")
        assert image.evaluate("img => img.currentSrc").endswith(("route-map-480w.png", "route-map-960w.png"))
        box = image.bounding_box()
        assert box["width"] <= 375 and abs(box["height"] / box["width"] - 0.6) < 0.02  # width/height keep the ratio
