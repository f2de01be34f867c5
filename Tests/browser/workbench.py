"""A curator's session in a real browser: headless Chromium driven by Selenium against
`pleura serve` on a catalog the calling test prepared (see Tests/CLITests/BrowserTests.swift).

Logs in, opens a video, steps frames with the arrow keys, draws an ROI with mouse events,
saves it with S, presses the label key, and takes a screenshot of every page into SCREENSHOTS,
each checked to be more than one colour. Prints one JSON line with what it did; exits non-zero
with a message on the first thing that is not as a person would see it.
"""

import json
import os
import subprocess
import sys
import time

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

PLEURA = os.environ["PLEURA_BIN"]
CATALOG = os.environ["PLEURA_CATALOG"]
SHOTS = os.environ["SCREENSHOTS"]
VIDEO = os.environ["VIDEO"]
PASSWORD = os.environ["PASSWORD"]


def fail(message):
    print(f"browser test: {message}", file=sys.stderr)
    sys.exit(1)


def start_server():
    server = subprocess.Popen(
        [PLEURA, "serve", "--catalog", CATALOG, "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    if not line.startswith("pleura serve: http://"):
        server.kill()
        fail(f"pleura serve printed {line!r}; stderr: {server.stderr.read()}")
    return server, line.split()[2]


def screenshot(driver, name):
    path = os.path.join(SHOTS, f"{name}.png")
    driver.save_screenshot(path)
    with Image.open(path) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    if colours is not None and len(colours) < 8:
        fail(f"the screenshot of {name} is blank ({len(colours)} colours)")
    return path


def log_in(driver, name):
    driver.find_element(By.NAME, "name").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form.login button").click()


def main():
    os.makedirs(SHOTS, exist_ok=True)
    server, address = start_server()
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                     "--autoplay-policy=no-user-gesture-required"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")),
                              options=options)
    wait = WebDriverWait(driver, 60)
    shots = []
    try:
        driver.get(address)
        wait.until(lambda d: "/login" in d.current_url)
        shots.append(screenshot(driver, "login"))
        log_in(driver, "alice")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "table.collection tbody tr"))
        # Thumbnails are made on first view: wait until they have loaded.
        wait.until(lambda d: d.execute_script(
            "return [...document.images].every(i => i.complete && i.naturalWidth > 0)"))
        shots.append(screenshot(driver, "collection"))

        driver.find_element(By.CSS_SELECTOR, f'a[href="/videos/{VIDEO}"]').click()
        wait.until(lambda d: d.execute_script("return document.getElementById('video').readyState >= 2"))
        wait.until(lambda d: "frame" in d.find_element(By.ID, "time").text)
        body = driver.find_element(By.TAG_NAME, "body")
        for _ in range(3):
            body.send_keys(Keys.ARROW_RIGHT)
            time.sleep(0.3)
        wait.until(lambda d: "frame 3 " in d.find_element(By.ID, "time").text)
        frame_text = driver.find_element(By.ID, "time").text

        canvas = driver.find_element(By.ID, "overlay")
        size = canvas.size
        # Hovering shows the M-mode of the column under the cursor.
        ActionChains(driver).move_to_element_with_offset(canvas, 0, 0).perform()
        wait.until(lambda d: d.execute_script(
            "const i = document.getElementById('mmode'); return i.complete && i.naturalWidth > 0"))
        # Draw from (20%, 35%) to (70%, 55%) of the frame, with real mouse events.
        left, top = -size["width"] // 2, -size["height"] // 2
        start = (left + int(size["width"] * 0.2), top + int(size["height"] * 0.35))
        end = (left + int(size["width"] * 0.7), top + int(size["height"] * 0.55))
        (ActionChains(driver).move_to_element_with_offset(canvas, *start).click_and_hold()
         .move_to_element_with_offset(canvas, (start[0] + end[0]) // 2, (start[1] + end[1]) // 2)
         .move_to_element_with_offset(canvas, *end).release().perform())
        wait.until(lambda d: "not saved" in d.find_element(By.ID, "roi-status").text)
        body.send_keys("s")
        wait.until(lambda d: "saved" in d.find_element(By.ID, "message").text)
        body.send_keys("a")
        wait.until(lambda d: "label set to absent" in d.find_element(By.ID, "message").text)
        wait.until(lambda d: "by alice" in d.find_element(By.ID, "label-status").text)
        roi_text = driver.find_element(By.ID, "roi-status").text
        if "Confirmed" not in roi_text or "by alice" not in roi_text:
            fail(f"the ROI status reads {roi_text!r} after saving")
        shots.append(screenshot(driver, "video"))

        # A reviewer sees alice's label against the label given at ingest, side by side.
        driver.find_element(By.CSS_SELECTOR, "form.logout button").click()
        wait.until(lambda d: "/login" in d.current_url)
        log_in(driver, "rita")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "table.collection"))
        for page, ready in [("/review", "#review .card, #review p"), ("/agreement", "table.agreement"),
                            ("/datasets", "table")]:
            driver.get(address.rstrip("/") + page)
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ready))
            if page == "/review":
                wait.until(lambda d: d.execute_script(
                    "return [...document.querySelectorAll('#review video')].every(v => v.readyState >= 2)"))
            shots.append(screenshot(driver, page.strip("/")))
        print(json.dumps({"frame": frame_text, "roi": roi_text, "screenshots": shots}))
    except Exception:
        # What the browser showed when the step failed, for whoever reads the test's output.
        driver.save_screenshot(os.path.join(SHOTS, "failure.png"))
        text = driver.find_element(By.TAG_NAME, "body").text[:800]
        print(f"browser test: failed at {driver.current_url}; the page says: {text!r}", file=sys.stderr)
        raise
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
