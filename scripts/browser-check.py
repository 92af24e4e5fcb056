#!/usr/bin/env python3
"""Drives a real headless Chromium against a running `relais serve`, through the
Chrome DevTools Protocol (a minimal WebSocket client, standard library only).

It loads the home page, follows the "proche" door, fills and submits the
referral form for a demonstration postal code, opens the first resource,
goes back, ticks five resources, prepares the orientation sheet and prints it
to A4 PDF (one page: counted with pdfinfo), and saves screenshots at 360 px
and 1280 px. On a 360 x 740 phone screen it checks that a crisis question
shows the emergency block and an answered question its first result without
scrolling; axe-core (from axe-selenium-python, injected through the protocol)
checks every page at both widths: no critical, serious or moderate violation.
Every step checks what the page shows.

Usage: browser-check.py BASE_URL OUT_DIR
"""
import base64, json, os, socket, struct, subprocess, sys, tempfile, time, urllib.request

BASE, OUT = sys.argv[1].rstrip("/"), sys.argv[2]
os.makedirs(OUT, exist_ok=True)
failures = []

def check(cond, label):
    print(("ok   " if cond else "FAIL ") + label)
    if not cond: failures.append(label)

class WS:
    """Just enough of RFC 6455 for the DevTools protocol (text frames, client masking)."""
    def __init__(self, url):
        host, rest = url[len("ws://"):].split("/", 1)
        h, p = host.split(":")
        self.s = socket.create_connection((h, int(p)), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((f"GET /{rest} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        resp = b""
        while b"\r\n\r\n" not in resp: resp += self.s.recv(1)
        assert b" 101 " in resp.split(b"\r\n")[0], resp
        self.next_id = 0
        self.events = []

    def send(self, obj):
        data = json.dumps(obj).encode()
        header = bytearray([0x81])
        n = len(data)
        if n < 126: header.append(0x80 | n)
        elif n < 65536: header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else: header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.s.sendall(bytes(header) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk: raise EOFError
            buf += chunk
        return buf

    def recv(self):
        message = b""
        while True:
            b1, b2 = self.recv_exact(2)
            n = b2 & 0x7F
            if n == 126: n = struct.unpack(">H", self.recv_exact(2))[0]
            elif n == 127: n = struct.unpack(">Q", self.recv_exact(8))[0]
            message += self.recv_exact(n)
            if b1 & 0x80: return json.loads(message)

    def call(self, method, **params):
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            msg = self.recv()
            if msg.get("id") == self.next_id:
                if "error" in msg: raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, name, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            for i, e in enumerate(self.events):
                if e.get("method") == name:
                    return self.events.pop(i)
            self.events.append(self.recv())
        raise TimeoutError(name)

chromium = next((c for c in ["chromium", "chromium-browser", "google-chrome"] if subprocess.run(["which", c], capture_output=True).returncode == 0), None)
if not chromium: print("chromium not found"); sys.exit(2)
profile = tempfile.mkdtemp()
proc = subprocess.Popen([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                         "--remote-debugging-port=0", "--no-first-run", "about:blank"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
try:
    ws_url = None
    end = time.time() + 30
    while time.time() < end and not ws_url:
        line = proc.stderr.readline()
        if "DevTools listening on" in line: ws_url = line.split("on ", 1)[1].strip()
    assert ws_url, "Chromium did not start"
    port = ws_url.split(":")[2].split("/")[0]
    targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
    page = next(t for t in targets if t["type"] == "page")
    ws = WS(page["webSocketDebuggerUrl"])
    ws.call("Page.enable")
    ws.call("Runtime.enable")

    def go(url):
        ws.call("Page.navigate", url=url)
        ws.wait_event("Page.loadEventFired")

    def js(expr):
        r = ws.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        return r.get("result", {}).get("value")

    def wait_navigation(action):
        js(action)
        ws.wait_event("Page.loadEventFired")

    def phone():
        ws.call("Emulation.setDeviceMetricsOverride", width=360, height=740, deviceScaleFactor=2, mobile=True)

    def top_in_main(selector_js):
        return js("(function(){var m=document.querySelector('main')||document.body;" + selector_js + "})()")

    # axe-core as axe-selenium-python ships it (run with the browser venv's Python).
    axe_source = None
    try:
        import axe_selenium_python
        axe_path = os.path.join(os.path.dirname(axe_selenium_python.__file__), "node_modules", "axe-core", "axe.min.js")
        axe_source = open(axe_path).read()
    except Exception as e:
        print(f"     axe-core not available ({e}): run with scripts/browser-venv.sh's Python")
    axe_found = {}

    def axe(name):
        if axe_source is None:
            check(False, "axe-core is available"); return
        js(axe_source)
        r = js("axe.run(document, {resultTypes: ['violations']}).then(function(r){return r.violations.map(function(v){return [v.impact, v.id, v.nodes.length, (v.nodes[0]||{}).target ? String(v.nodes[0].target) : ''];});})")
        for impact, rule, n, target in r or []:
            axe_found.setdefault((impact, rule), []).append(f"{name} ({n}× {target})")

    def screenshot(name, width):
        ws.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=width < 600)
        time.sleep(0.2)
        # Against the device width: a mobile browser zooms out to fit a page that is too wide.
        overflow = js(f"Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) > {width} + 1")
        check(not overflow, f"{name} at {width} px: no horizontal scrolling")
        data = ws.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path = os.path.join(OUT, f"{name}-{width}.png")
        open(path, "wb").write(base64.b64decode(data))
        print(f"     screenshot {path}")

    # 1. Home: three doors, the crisis banner, French.
    go(BASE + "/")
    check(js("document.documentElement.lang") == "fr", "home declares lang=fr")
    check("3114" in js("document.body.innerText"), "home shows the 3114 crisis line")
    check(js("document.querySelectorAll('a.door').length") == 3, "home has three doors")
    screenshot("home", 360); screenshot("home", 1280)

    # 2. The "proche" door, then the referral form filled like a person would.
    wait_navigation("document.querySelector('a.door[href*=\"audience=proche\"]').click()")
    check(js("document.querySelector('input[name=audience][value=proche]').checked") is True, "the proche door opens the form for a relative")
    unlabelled = js("Array.from(document.querySelectorAll('input:not([type=hidden]),select,textarea')).filter(e => !(e.labels && e.labels.length)).length")
    check(unlabelled == 0, f"every control of the form has a label ({unlabelled} without)")
    js("document.querySelector('input[name=needs][value=famille]').checked = true; document.querySelector('#near').value = '75011'")
    wait_navigation("document.querySelector('form.orientation').submit()")
    text = js("document.body.innerText")
    check("pas une prescription médicale" in text, "results show the disclaimer")
    count = js("document.querySelectorAll('ol.results > li').length")
    check(count and count > 0, f"results list resources ({count})")
    check("données de démonstration" in text, "demonstration data is labelled")
    check(js("document.querySelectorAll('a[href^=\"tel:\"]').length") > 0, "phones are tel: links")
    screenshot("results", 360); screenshot("results", 1280)

    # 3. A resource page, then back.
    results_url = js("location.href")
    wait_navigation("document.querySelector('ol.results a[href^=\"/ressources/\"]').click()")
    text = js("document.body.innerText")
    check("Signaler une erreur" in text and "Sources" in text, "the resource page shows its sources and the report form")
    screenshot("resource", 360); screenshot("resource", 1280)
    go(results_url)

    # 4. The orientation sheet, printed to PDF.
    wait_navigation("document.querySelector('form[action=\"/fiche\"]').submit()")
    text = js("document.body.innerText")
    check("Fiche d’orientation" in text and "pas une prescription médicale" in text, "the sheet carries its title and the disclaimer")
    check(js("document.querySelectorAll('input[name*=nom i], input[name*=patient i]').length") == 0, "the sheet has no field for a patient's name")
    pdf = ws.call("Page.printToPDF", paperWidth=8.27, paperHeight=11.69, printBackground=False, preferCSSPageSize=True)["data"]
    path = os.path.join(OUT, "fiche.pdf")
    open(path, "wb").write(base64.b64decode(pdf))
    check(os.path.getsize(path) > 1000 and open(path, "rb").read(4) == b"%PDF", f"the sheet prints to PDF ({path})")
    screenshot("fiche", 360); screenshot("fiche", 1280)

    # 4b. The moment of use, on a phone screen (360 x 740): crisis first, answer first.
    phone()
    go(BASE + "/orientation?audience=personne&needs=crise&near=75014")
    top = top_in_main("var best=1e9;m.querySelectorAll('*').forEach(function(e){var s=e.textContent||'';if(s.indexOf('3114')>=0&&s.indexOf('112')>=0&&e.children.length<12){var r=e.getBoundingClientRect();if(r.height>0)best=Math.min(best,r.top+window.scrollY);}});return best;")
    check(top is not None and top < 740, f"crisis: the emergency block starts within the first 360 x 740 screen (top {top})")
    check(js("(document.querySelector('main').firstElementChild||{}).className") == "emergency", "crisis: the emergency block is the first thing in the main content")
    screenshot("crise", 360)
    phone()
    go(BASE + "/orientation?audience=proche&needs=famille&near=75010")
    top = top_in_main("var a=m.querySelector('a[href*=\"/ressources/\"]');return a?a.getBoundingClientRect().top+window.scrollY:1e9;")
    check(top is not None and top < 740, f"answer first: the first result starts within the first screen at 360 px (top {top})")
    ticked = js("document.querySelectorAll('input[name=ids]:checked').length")
    check(ticked == 3, f"three resources are ticked for the sheet by default ({ticked})")

    # 4c. The sheet of five resources from the real flow prints on one A4 page.
    js("Array.from(document.querySelectorAll('input[name=ids]')).slice(0,5).forEach(function(c){c.checked=true;})")
    wait_navigation("document.querySelector('form[action=\"/fiche\"]').submit()")
    n = js("document.querySelectorAll('.sheet-item').length")
    pdf = ws.call("Page.printToPDF", paperWidth=8.27, paperHeight=11.69, printBackground=False, preferCSSPageSize=True)["data"]
    path5 = os.path.join(OUT, "fiche-5.pdf")
    open(path5, "wb").write(base64.b64decode(pdf))
    info = subprocess.run(["pdfinfo", path5], capture_output=True, text=True).stdout
    pages = next((int(l.split()[1]) for l in info.splitlines() if l.startswith("Pages:")), 0)
    size = next((l for l in info.splitlines() if l.startswith("Page size:")), "")
    check(n == 5 and pages == 1, f"the sheet with {n} resources prints on {pages} A4 page(s) ({size.strip()})")
    check("sms:" in js("document.body.innerHTML") and "mailto:?subject=" in js("document.body.innerHTML"), "the sheet can be shared by SMS or e-mail from the device")
    sheet_url = js("location.href")

    # 4d. axe-core on every public page, at 360 px and 1280 px.
    resource = js("(function(){return location.origin})()") + "/ressources/" + (json.loads(urllib.request.urlopen(BASE + "/api/services?q=GEM").read())["contents"][0]["id"])
    for width in (360, 1280):
        ws.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=width < 600)
        for name, url in [("accueil", BASE + "/"), ("orientation", BASE + "/orientation?audience=professionnel"),
                          ("résultats", BASE + "/orientation?audience=proche&needs=famille&near=75010"),
                          ("crise", BASE + "/orientation?audience=personne&needs=crise&near=75014"),
                          ("rien à proximité", BASE + "/orientation?audience=proche&needs=famille&near=21000"),
                          ("proches", BASE + "/proches?near=75010"), ("annuaire", BASE + "/annuaire"), ("ressource", resource), ("fiche", sheet_url)]:
            go(url)
            axe(f"{name} @{width}")
    bad = {k: v for k, v in axe_found.items() if k[0] in ("critical", "serious", "moderate")}
    for (impact, rule), where in sorted(axe_found.items()):
        print(f"     axe {impact} {rule}: {', '.join(where[:4])}")
    check(axe_source is not None and not bad, f"axe-core: no critical, serious or moderate violation on 9 pages at 360 and 1280 px ({len(bad)} rules violated)")

    # 5. Administration: redirected to the login form, signed in with the account
    #    the shell script created; the session cookie (Secure, HttpOnly) works on 127.0.0.1.
    admin_password = os.environ.get("ADMIN_PASSWORD")
    if admin_password:
        go(BASE + "/admin")
        check(js("location.pathname") == "/admin/login", "the admin redirects to its login form")
        check(js("document.cookie").find("relais_") < 0, "admin cookies are not readable from scripts (HttpOnly)")
        js(f"document.querySelector('#name').value = 'navigateur'; document.querySelector('#password').value = {json.dumps(admin_password)}")
        wait_navigation("document.querySelector('form[action=\"/admin/login\"]').submit()")
        text = js("document.body.innerText")
        check(js("location.pathname") == "/admin" and "demo-annuaire" in text, "signed in, the sources page lists the sources")
        check("Lancer maintenant" in text, "each source can be run now")
        unlabelled = js("Array.from(document.querySelectorAll('input:not([type=hidden]),select,textarea')).filter(e => !(e.labels && e.labels.length)).length")
        check(unlabelled == 0, f"every control of the admin page has a label ({unlabelled} without)")
        screenshot("admin", 360); screenshot("admin", 1280)
        wait_navigation("document.querySelector('form[action*=\"/demo-agenda/run\"] button').click()")
        check("Run lancé" in js("document.body.innerText") or "déjà en cours" in js("document.body.innerText"), "run now is acknowledged")
        wait_navigation("document.querySelector('form[action=\"/admin/logout\"] button').click()")
        check(js("location.pathname") == "/admin/login", "signing out returns to the login form")
finally:
    proc.kill()

print(f"{'browser check passed' if not failures else 'browser check FAILED: ' + '; '.join(failures)}")
sys.exit(1 if failures else 0)
