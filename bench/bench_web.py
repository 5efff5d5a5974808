"""How soon the HMO portal's busiest screens are usable, in Chromium, with the demo data.

    python -m bench.bench_web [--runs 10]

Builds the web app, starts a stack of its own (bench/stack.py) with the demo HMO seeded
(a year of history), signs in as the claims manager in headless Chromium (Debian's) and,
`--runs` times each, opens the dashboard and the claims queue: once as a full page load
(a new tab: the page, its scripts and the API's answers) and once as a click in the
navigation (the screen's chunk and data only). "Usable" is the moment the screen's data
is on it: the dashboard's first figure, the queue's first row. Target (issue 13): within
1.5 s of navigation. Also prints the JavaScript the sign-in page loads, gzipped (target
under 250 KB).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import shutil
import statistics
import time

from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from bench.stack import bench_stack, run_bench
from core_api.seed import DEMO_PASSWORD, DEMO_SLUG, demo_email, seed_demo
from scripts.web import WEB, build

SCREENS = {
    # name: (path, navigation label, what shows the screen is usable)
    "dashboard": ("/hmo", "Dashboard", "text=Claims received this month"),
    "claims queue": ("/hmo/claims", "Claims", "main table tbody tr >> nth=0"),
}
TARGET_SECONDS = 1.5


def sign_in_page_script_bytes() -> int:
    """The gzipped size of the scripts index.html loads (the sign-in page's)."""
    index = (WEB / "dist" / "index.html").read_text()
    total = 0
    for asset in (WEB / "dist" / "assets").glob("*.js"):
        if asset.name in index:
            total += len(gzip.compress(asset.read_bytes(), 9))
    return total


async def usable_after(page: Page, start: float, ready: str) -> float:
    await page.locator(ready).first.wait_for(state="visible", timeout=30_000)
    return time.perf_counter() - start


async def signed_in_context(browser: Browser, base_url: str) -> BrowserContext:
    context = await browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 860})
    page = await context.new_page()
    await page.goto(f"/{DEMO_SLUG}")
    await page.get_by_label("E-mail").fill(demo_email("claims.manager"))
    await page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("navigation", name="Main").wait_for()
    await page.close()
    return context


async def load_and_click(context: BrowserContext, screen: str, away: str) -> tuple[float, float]:
    """Seconds to usable: opened in a new tab, then reached by a click from `away`."""
    path, label, ready = SCREENS[screen]
    tab = await context.new_page()
    start = time.perf_counter()
    await tab.goto(path)
    loaded = await usable_after(tab, start, ready)
    await tab.goto(SCREENS[away][0])
    await usable_after(tab, time.perf_counter(), SCREENS[away][2])
    start = time.perf_counter()
    await tab.get_by_role("navigation", name="Main").get_by_role("link", name=label).click()
    clicked = await usable_after(tab, start, ready)
    await tab.close()
    return loaded, clicked


async def measure(base_url: str, runs: int) -> dict[str, dict[str, list[float]]]:
    chromium = shutil.which("chromium")
    if not chromium:
        raise SystemExit("needs Debian's chromium (make chromium)")
    found: dict[str, dict[str, list[float]]] = {name: {"load": [], "click": []} for name in SCREENS}
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = await signed_in_context(browser, base_url)
        for _ in range(runs):
            for screen, away in (("dashboard", "claims queue"), ("claims queue", "dashboard")):
                loaded, clicked = await load_and_click(context, screen, away)
                found[screen]["load"].append(loaded)
                found[screen]["click"].append(clicked)
        await browser.close()
    return found


def report(found: dict[str, dict[str, list[float]]], script_bytes: int) -> None:
    print(f"sign-in page JavaScript: {script_bytes / 1024:.0f} KB gzipped (target < 250 KB)")
    print(f"{'screen':<14} {'how':<6} {'p50':>7} {'max':>7}  target {TARGET_SECONDS} s")
    for name, ways in found.items():
        for how, seconds in ways.items():
            print(f"{name:<14} {how:<6} {statistics.median(seconds):>6.2f}s {max(seconds):>6.2f}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    build()
    with bench_stack(bff=True) as stack:
        assert stack.bff is not None
        asyncio.run(seed_demo(stack.database_url))
        found = asyncio.run(measure(stack.bff.url, args.runs))
    report(found, sign_in_page_script_bytes())
    return 0


if __name__ == "__main__":
    raise SystemExit(run_bench(main))
