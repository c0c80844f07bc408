#!/usr/bin/env python3
"""Drive the web console in headless Chromium (Debian's chromium and
chromium-driver, through python3-selenium): sign up, log in, open a
problem, type a solution, submit, watch the per-test rows appear and the
final verdict; a Wrong Answer and a Compilation Error shown correctly; a
run on a custom input (output shown as text, stderr, verdict) and a run
that does not compile (CE with the compiler output); My submissions.  Screenshots go to ARTEFACTS.

    console_browser.py BASE PROBLEM ARTEFACTS TMPDIR
"""
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

BASE, PROBLEM, ART, TMP = sys.argv[1:5]
AC = 'name = input()\nprint("Hello, " + name + "!")\n'
WA = 'print("Hello, " + input())\n'
CE = 'name = input(\nprint(name)\n'
RUN = ('import sys\nname = input()\nprint("Hello, " + name + "!")\n'
       'print("to stderr", file=sys.stderr)\n')
RUN_INPUT = "<b>Ada</b> & <script>x</script>"

opts = Options()
opts.binary_location = "/usr/bin/chromium"
for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
          "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync",
          "--disable-dev-shm-usage", "--window-size=1280,1000",
          "--user-data-dir=" + os.path.join(TMP, "chromium-profile")):
    opts.add_argument(a)
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
wait = WebDriverWait(drv, 60)
step = [0]


def shot(name):
    step[0] += 1
    drv.save_screenshot(os.path.join(ART, "%02d-%s.png" % (step[0], name)))


def ok(msg):
    print("ok - browser: " + msg, flush=True)


def fail(msg):
    shot("failure")
    print("FAIL: browser: %s" % msg, file=sys.stderr)
    for e in drv.get_log("browser"):
        print("  console: %s" % e.get("message"), file=sys.stderr)
    drv.quit()
    sys.exit(1)


def find(css):
    return wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def fill(css, text):
    el = find(css)
    el.clear()
    el.send_keys(text)


def type_code(code):
    ed = find(".cm-content")
    ed.click()
    ed.send_keys(Keys.CONTROL, "a")
    ed.send_keys(Keys.DELETE)
    # CodeMirror auto-indents and closes nothing here; type line by line.
    for line in code.splitlines():
        ed.send_keys(line)
        ed.send_keys(Keys.ENTER)
        ed.send_keys(Keys.HOME, Keys.SHIFT, Keys.HOME)  # drop auto-indent
        ed.send_keys(Keys.DELETE)


def judge(code, want, name):
    """Type, submit, watch rows appear live, return (verdict, rows, log)."""
    type_code(code)
    typed = drv.execute_script(
        "return document.querySelector('.cm-content').innerText")
    if "print" not in typed:
        fail("the editor did not take the code: %r" % typed)
    find("#submit").click()
    seen_partial = False
    deadline = time.time() + 120
    verdict = ""
    while time.time() < deadline:
        # The button first: the page shows the final verdict before it
        # enables the button, so a verdict read after an enabled button
        # is the final one (read the other way round, the final result
        # may land between the two reads).
        enabled = not find("#submit").get_attribute("disabled")
        rows = drv.find_elements(By.CSS_SELECTOR, "#tests tbody tr")
        verdict = find("#verdict").text
        if rows and ("Judging" in verdict or "Running" in verdict):
            seen_partial = True
        if enabled and not any(w in verdict for w in
                               ("Judging", "Submitting", "Running")):
            break
        time.sleep(0.05)
    rows = [r.text for r in drv.find_elements(By.CSS_SELECTOR, "#tests tbody tr")]
    shot(name)
    if want not in verdict:
        fail("%s: verdict shown %r, expected %r" % (name, verdict, want))
    log = drv.find_elements(By.CSS_SELECTOR, "#compile pre")
    return verdict, rows, (log[0].text if log else ""), seen_partial


try:
    drv.get(BASE + "/")
    find("h1")
    if "Algocode" not in drv.title:
        fail("title %r" % drv.title)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "main table tbody tr"))
    shot("problems")
    ok("problem list")
    # Search and a tag filter.
    fill("#search", "hello")
    find("#search").send_keys(Keys.ENTER)
    wait.until(lambda d: "title=hello" in d.current_url)
    wait.until(lambda d: any("Hello" in r.text for r in d.find_elements(
        By.CSS_SELECTOR, "main table tbody tr")))
    ok("search by title")

    # Sign up, then log in.
    drv.get(BASE + "/#/signup")
    user = "console%d" % (int(time.time() * 1000) % 10**9)
    fill("#f-username", user)
    fill("#f-email", user + "@example.org")
    fill("#f-first_name", "Con")
    fill("#f-last_name", "Sole")
    fill("#f-password1", "Correct-Horse-Battery-42")
    fill("#f-password2", "Correct-Horse-Battery-42")
    shot("signup")
    find("#signup-form button[type=submit]").click()
    wait.until(lambda d: d.current_url.endswith("#/login"))
    ok("sign up")
    fill("#f-email", user + "@example.org")
    fill("#f-password", "Correct-Horse-Battery-42")
    find("#login-form button[type=submit]").click()
    wait.until(lambda d: d.find_element(By.ID, "who").text == user)
    ok("log in (%s)" % user)

    # Open the problem: statement rendered from markdown, samples, editor
    # with syntax highlighting.
    drv.get(BASE + "/#/problem/" + PROBLEM)
    find(".statement p")
    find("pre.sample")
    find(".cm-editor")
    Select(find("#lang")).select_by_value("python3")
    type_code(AC)
    styled = drv.execute_script(
        "return [...document.querySelectorAll('.cm-content span')]"
        ".some(s => getComputedStyle(s).color !== getComputedStyle("
        "document.querySelector('.cm-content')).color)")
    if not styled:
        fail("no syntax highlighting in the editor")
    shot("problem")
    ok("problem: statement, samples, highlighted editor")

    verdict, rows, _, live = judge(AC, "Accepted", "accepted")
    if len(rows) < 2 or not all("Accepted" in r for r in rows):
        fail("accepted: test rows %r" % rows)
    ok("accepted: %d test rows, verdict %r%s" % (
        len(rows), verdict.splitlines()[0],
        ", rows seen before the verdict" if live else ""))
    verdict, rows, _, _ = judge(WA, "Wrong Answer", "wrong-answer")
    if not rows or "Wrong Answer" not in rows[-1]:
        fail("wrong answer: test rows %r" % rows)
    ok("wrong answer: the failing test shown (%d rows)" % len(rows))
    verdict, rows, log, _ = judge(CE, "Compilation Error", "compile-error")
    if rows or not log:
        fail("compile error: rows %r, log %r" % (rows, log))
    ok("compilation error: compiler output shown, no test rows")

    # Run with custom input: the box is offered (the server answers
    # OPTIONS on the route), prefilled with the first sample's input; run
    # from the keyboard (Ctrl+Enter in the input box); the output is text,
    # never markup.
    wait.until(lambda d: d.find_element(By.ID, "run").is_displayed())
    sample = drv.find_elements(By.CSS_SELECTOR, "pre.sample")[0].text
    prefill = find("#run-input").get_attribute("value")
    if prefill.strip() != sample.strip():
        fail("run: input box %r, first sample's input %r" % (prefill, sample))
    type_code(RUN)
    fill("#run-input", RUN_INPUT)
    find("#run-input").send_keys(Keys.CONTROL, Keys.ENTER)
    WebDriverWait(drv, 120).until(lambda d: d.find_elements(
        By.CSS_SELECTOR, "#run-result .run-stdout, #run-result .error"))
    shot("run")
    out = drv.find_elements(By.CSS_SELECTOR, "#run-result .run-stdout")
    if not out:
        fail("run: no output shown: %r" % find("#run-result").text)
    got = drv.execute_script(
        "const p = document.querySelector('#run-result .run-stdout');"
        "return [p.textContent, p.children.length]")
    if got != ["Hello, " + RUN_INPUT + "!\n", 0]:
        fail("run: output %r (text, child elements), expected the input echoed as text" % got)
    verdict = find("#run-verdict").text
    if "OK" not in verdict or " ms" not in verdict or "MiB" not in verdict:
        fail("run: verdict line %r" % verdict)
    err = drv.find_elements(By.CSS_SELECTOR, "#run-result .run-stderr")
    if not err or "to stderr" not in err[0].text:
        fail("run: stderr not shown")
    if drv.find_elements(By.CSS_SELECTOR, "#run-result b, #run-result script"):
        fail("run: the output was inserted as markup")
    ok("run on a custom input: output shown as text, stderr, %r" % verdict)
    type_code(CE)
    find("#run").click()
    WebDriverWait(drv, 120).until(lambda d: d.find_elements(
        By.CSS_SELECTOR, "#run-compile pre, #run-result .error") and
        not d.find_element(By.ID, "run").get_attribute("disabled"))
    shot("run-compile-error")
    verdict = find("#run-verdict").text
    log = drv.find_elements(By.CSS_SELECTOR, "#run-compile pre")
    if "Compilation Error" not in verdict and "CE" not in verdict:
        fail("run of a program that does not compile: verdict %r" % verdict)
    if not log or not log[0].text.strip():
        fail("run CE: no compiler output")
    if drv.find_elements(By.CSS_SELECTOR, "#run-result .run-stdout"):
        fail("run CE: an output shown")
    ok("run that does not compile: %r with the compiler output" % verdict)

    # The answers the server gives rarely, faked in the page (the test
    # driver's script is not subject to the page's CSP): 429 shows its
    # Retry-After; 404 (a server without runs) hides Run.
    def fake_run_post(status, headers):
        drv.execute_script(
            "window.__fetch = window.__fetch || window.fetch;"
            "window.fetch = (u, o) => (String(u).endsWith('/code/run/') && o &&"
            " o.method === 'POST') ? Promise.resolve(new Response("
            "'{\"detail\":\"faked\"}', {status: arguments[0], headers: arguments[1]}))"
            " : window.__fetch(u, o);", status, headers)
    fake_run_post(429, {"Retry-After": "7", "Content-Type": "application/json"})
    find("#run").click()
    wait.until(lambda d: "7 s" in d.find_element(By.ID, "run-verdict").text)
    ok("run answered 429: %r" % find("#run-verdict").text)
    fake_run_post(404, {"Content-Type": "application/json"})
    find("#run").click()
    wait.until(lambda d: not d.find_element(By.ID, "run").is_displayed() and
               not d.find_element(By.ID, "run-box").is_displayed())
    drv.execute_script("window.fetch = window.__fetch")
    ok("run answered 404: Run and the input box hidden")

    # My submissions: the three, newest first (runs are not submissions).
    drv.get(BASE + "/#/submissions")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "table.submissions tbody tr")) >= 3)
    got = [r.text for r in drv.find_elements(By.CSS_SELECTOR, "table.submissions tbody tr")]
    if not ("Compilation Error" in got[0] and "Wrong Answer" in got[1] and "Accepted" in got[2]):
        fail("my submissions: %r" % got)
    shot("submissions")
    ok("my submissions, newest first")

    # A phone-sized window: nothing wider than the screen.
    drv.set_window_size(390, 844)
    drv.get(BASE + "/#/problem/" + PROBLEM)
    find(".cm-editor")
    wide = drv.execute_script(
        "return document.documentElement.scrollWidth > window.innerWidth + 1")
    shot("phone")
    if wide:
        fail("the problem page scrolls sideways on a phone-sized window")
    ok("readable on a phone-sized window")

    urls = drv.execute_script(
        "return [location.href, ...performance.getEntriesByType('resource')"
        ".map(e => e.name)]")
    foreign = [u for u in urls if not u.startswith(BASE + "/")]
    if foreign:
        fail("requests to another origin: %r" % foreign)
    ok("every request went to the server itself (%d resources)" % (len(urls) - 1))

    bad = [e["message"] for e in drv.get_log("browser")
           if e.get("level") == "SEVERE" and "favicon" not in e["message"]]
    if bad:
        fail("console errors: %r" % bad)
    ok("no errors in the browser console (CSP included)")
finally:
    try:
        drv.quit()
    except Exception:
        pass
