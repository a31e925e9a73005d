"""Screenshots of the built reports for the README: the index and two reports at 1,280 pixels.

Run after ``make report`` (or use ``make screenshots``, which builds first)::

    .venv/bin/python tools/screenshots.py [--reports reports] [--out docs/screenshots]

Each page is opened in headless Chromium (Debian's ``chromium`` driven by Playwright, as the
browser tests do; every request other than ``file:`` and ``data:`` is refused) in a window
1,280 CSS pixels wide, and the part of the page that starts at the chosen heading, table or
figure is captured, at most 1,600 pixels tall. The PNG is reduced to a 64-colour palette
(Pillow's median cut, no dithering) so that each file stays well under 200 kB.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
from pathlib import Path

WIDTH = 1280
HEIGHT = 1600
COLOURS = 64

SHOTS = [
    # (page, element the picture starts at (None: the top), file, what it shows)
    ("index.html", None, "index.png",
     "the index: the reports, the claims register's headline and its counts by basis and status"),
    ("03-implementation-review.html", "#table-2", "03-implementation-review-claims.png",
     "report 03: the claims of Bonfils et al. (2017), each printed value beside its recomputation"),
    ("06-evidence-for-ips.html", "#figure-1", "06-evidence-for-ips-forest.png",
     "report 06: the forest plot of the real trials with its caption and the pooled estimate"),
]


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        sys.exit("screenshots need Debian's chromium: apt-get install chromium")
    return path


def shoot(reports: Path, out: Path) -> list[Path]:
    """Write the screenshots of ``SHOTS`` from the pages in ``reports`` into ``out``."""
    from PIL import Image
    from playwright.sync_api import sync_playwright

    missing = [page for page, *_ in SHOTS if not (reports / page).is_file()]
    if missing:
        sys.exit(f"not built in {reports}/: {', '.join(missing)} (run make report first)")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(),
                                    args=["--headless", "--no-sandbox", "--disable-gpu",
                                          "--hide-scrollbars", "--font-render-hinting=none"])
        context = browser.new_context(viewport={"width": WIDTH, "height": 900},
                                      device_scale_factor=1, service_workers="block")
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                      else r.abort())
        page = context.new_page()
        for name, anchor, filename, _ in SHOTS:
            page.goto((reports / name).resolve().as_uri(), wait_until="load")
            top = 0.0
            if anchor:
                # start at the element's heading (its caption), with a little space above it
                top = max(0.0, page.evaluate(
                    "s => { const e = document.querySelector(s); const t = e.closest('table, figure') || e;"
                    " return t.getBoundingClientRect().top + window.scrollY - 16; }", anchor))
            full = page.evaluate("() => document.documentElement.scrollHeight")
            clip = {"x": 0, "y": top, "width": WIDTH, "height": min(HEIGHT, full - top)}
            png = page.screenshot(full_page=True, clip=clip, animations="disabled", caret="hide")
            image = Image.open(io.BytesIO(png)).convert("RGB")
            small = image.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT,
                                   dither=Image.Dither.NONE)
            path = out / filename
            small.save(path, format="PNG", optimize=True)
            written.append(path)
            print(f"{path}: {name}{anchor or ''}, {small.width} x {small.height} px, "
                  f"{path.stat().st_size / 1000:.0f} kB")
        context.close()
        browser.close()
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="built reports (default reports/)")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"),
                        help="where the PNGs go (default docs/screenshots/)")
    args = parser.parse_args(argv)
    shoot(args.reports, args.out)


if __name__ == "__main__":
    main()
