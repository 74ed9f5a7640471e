"""How long a GP waits for the answer on Wijkcontact (/wijkcontact/): the time from the last
keystroke of a postcode to the answer on screen, in a real browser (Debian's Chromium through
Playwright), median of 20 lookups. Not a test: the figure goes into docs/performance.md.

    bash scripts/run.sh                       # the demo on http://127.0.0.1:8000/, or any server
    .venv/bin/python scripts/gp_lookup_latency.py --base-url http://127.0.0.1:8000

It logs in as the demo GP (`huisarts`), and for each of 20 different demo postcodes opens the
page fresh, types the postcode into the focused field like a person (a keystroke every 120 ms,
no Enter) and times, inside the page with performance.now(), from the keydown of the last
character to the first animation frame after the answer for that postcode was swapped in.
"""

import argparse
import statistics
import sys

CHROMIUM = "/usr/bin/chromium"
# the demo municipality's postcodes (seed_demo): PC4 numbers per district x letter pairs
POSTCODES = [
    f"{number} {letters}"
    for letters in ("AA", "AB", "AC", "AD", "AE")
    for number in (5611, 5621, 5631, 5641)
]

RECORD = """
window.__gp = {lastKey: null, answers: []};
document.addEventListener("keydown", (event) => {
  if (event.target && event.target.id === "postcode") window.__gp.lastKey = performance.now();
}, true);
document.addEventListener("DOMContentLoaded", () => {
  const result = document.getElementById("result");
  if (!result) return;
  new MutationObserver(() => {
    const swapped = performance.now(), text = result.textContent;
    requestAnimationFrame(() => window.__gp.answers.push(
      {swapped, painted: performance.now(), text}));
  }).observe(result, {childList: true, subtree: true});
});
"""

ANSWERED = """(postcode) => window.__gp.lastKey !== null && window.__gp.answers.some(
  (a) => a.swapped >= window.__gp.lastKey && a.text.includes(postcode))"""

TIMING = """(postcode) => {
  const a = window.__gp.answers.find(
    (a) => a.swapped >= window.__gp.lastKey && a.text.includes(postcode));
  return {dom: a.swapped - window.__gp.lastKey, painted: a.painted - window.__gp.lastKey};
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="huisarts")
    parser.add_argument("--password", default="wijkwerk-demo")
    parser.add_argument("--lookups", type=int, default=20)
    parser.add_argument("--keystroke-ms", type=int, default=120, help="time between keystrokes")
    parser.add_argument("--chromium", default=CHROMIUM)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, headless=True, args=["--no-sandbox"]
        )
        context = browser.new_context(base_url=args.base_url, locale="nl-NL")
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Gebruikersnaam").fill(args.username)
        page.get_by_label("Wachtwoord").fill(args.password)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        context.add_init_script(RECORD)

        painted, dom = [], []
        for number in range(args.lookups):
            postcode = POSTCODES[number % len(POSTCODES)]
            page.goto("/wijkcontact/")
            if not page.evaluate("document.activeElement && document.activeElement.id"):
                print("the postcode field has no focus", file=sys.stderr)
                return 1
            page.keyboard.type(postcode, delay=args.keystroke_ms)
            page.wait_for_function(ANSWERED, arg=postcode, timeout=10_000)
            timing = page.evaluate(TIMING, postcode)
            painted.append(timing["painted"])
            dom.append(timing["dom"])
            print(f"{postcode}: {timing['painted']:6.1f} ms (in the DOM after {timing['dom']:.1f})")
        browser.close()

    print(
        f"\n{args.lookups} lookups, last keystroke to answer on screen: "
        f"median {statistics.median(painted):.0f} ms, min {min(painted):.0f}, "
        f"max {max(painted):.0f} (in the DOM: median {statistics.median(dom):.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
