"""The studio in a real browser (Debian's Chromium, driven by Playwright).

Run by .ci/run against a studio it started on loopback:
    python tests/browser/studio.py http://127.0.0.1:PORT OUTDIR
Signs in as the officer, searches, opens a slogan, checks that every preview
drew, that nothing was asked of another host, that a wrong password is
refused and that the admin page is refused to the officer; screenshots go
to OUTDIR.
"""
import sys
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

base, out = sys.argv[1], sys.argv[2]
host = urlparse(base).netloc
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    )
    elsewhere, errors = [], []
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.on("request", lambda r: urlparse(r.url).netloc != host and not r.url.startswith("data:") and elsewhere.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(base + "/")
    check(page.url == base + "/login", f"unsigned visit lands on the sign-in page, not {page.url}")
    page.fill("input[name=name]", "王芳")
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    check("用户名或密码不对" in page.content(), "a wrong password is refused with a message")

    page.fill("input[name=name]", "王芳")
    page.fill("input[name=password]", "officer pass 1")
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    check("王芳（宣传民警）" in page.content(), "the officer is signed in")
    page.fill("input[name=q]", "摊贩")
    page.click("form.search button")
    page.wait_for_load_state("networkidle")
    cards = page.locator("ul.slogans li").count()
    check(cards >= 20, f"searching 摊贩 finds the stall slogans ({cards})")
    page.screenshot(path=f"{out}/library.png")

    page.locator("ul.slogans li a").first.click()
    page.wait_for_load_state("networkidle")
    imgs = page.locator("section.previews img")
    n = imgs.count()
    drawn = page.evaluate("() => [...document.querySelectorAll('section.previews img')].filter(i => i.complete && i.naturalWidth > 0).length")
    check(n >= 3 and drawn == n, f"every preview drew ({drawn} of {n})")
    check("自动检查" in page.content() and "审核状态" in page.content(), "the slogan page shows lint and review state")
    page.screenshot(path=f"{out}/slogan.png", full_page=True)

    resp = page.goto(base + "/admin/audit")
    check(resp.status == 403, f"the officer is refused the admin page ({resp.status})")

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.context.add_cookies(page.context.cookies())
    phone.goto(base + "/")
    phone.wait_for_load_state("networkidle")
    wide = phone.evaluate("() => document.documentElement.scrollWidth")
    check(wide <= 390, f"the library fits a phone's width ({wide}px)")
    phone.screenshot(path=f"{out}/library-phone.png")

    page.goto(base + "/")
    page.click("header.bar button")
    page.wait_for_url(base + "/login")
    page.goto(base + "/")
    check(page.url == base + "/login", "after signing out the library needs a session again")

    check(not elsewhere, f"no request to another host: {elsewhere}")
    check(not errors, f"no script errors: {errors}")
    browser.close()

if failures:
    sys.exit(f"{len(failures)} browser checks failed")
print("browser: all checks passed")
