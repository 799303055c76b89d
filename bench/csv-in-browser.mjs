// Times "Download CSV" of the whole school's access codes in Chromium at 4x
// CPU throttle (CDP Emulation.setCPUThrottlingRate), as issue #11 asks:
// measured, never asserted in a test.
//
//   bash bench/csv-in-browser.sh
//
// Starts `classkeys serve --demo --learners-per-class 700` (2,100 rows for
// Oakwood) on a free port, signs in as the lead teacher, opens
// /school/accounts fresh five times and each time presses "Download CSV"
// a second after the page has loaded its codes; prints the click-to-download time and
// the time the page logged for building the CSV.
import { launchChromium, signIn, startDemoServer } from "./browser.mjs";

const { url, stop } = await startDemoServer(700);
const browser = await launchChromium();
try {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const builds = [];
  page.on("console", (message) => {
    const match = message.text().match(/CSV of (\d+) rows in ([\d.]+) ms/);
    if (match) builds.push({ rows: Number(match[1]), ms: Number(match[2]) });
  });
  await signIn(page, url, "OAK", "lead", "oakwood-lead-1");
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  const clicks = [];
  const inPage = [];
  const beforePress = [];
  const pressToDownload = [];
  for (let run = 0; run < 5; run++) {
    const loaded = page.waitForResponse((r) => r.url().includes("/api/reveal_access_codes"));
    await page.goto(`${url}/school/accounts`);
    await page.waitForSelector("body[data-hydrated]");
    await loaded;
    // A person reads the page for a moment before pressing the button.
    await page.waitForTimeout(1000);
    // When the press reaches the page (epoch ms, the same clock as Node's
    // Date.now() on this machine): what comes before it is Playwright's
    // own actionability checks (scroll into view, two frames of
    // stability, a hit test), not the page.
    await page.evaluate(() => {
      document.addEventListener("pointerdown", () => {
        window.__pressedAt ??= performance.timeOrigin + performance.now();
      }, { capture: true });
    });
    const button = page.getByRole("button", { name: "Download CSV" });
    await button.waitFor();
    const download = page.waitForEvent("download");
    const started = Date.now();
    await button.click();
    await download;
    const finished = Date.now();
    clicks.push(finished - started);
    const pressedAt = await page.evaluate(() => window.__pressedAt);
    beforePress.push(Math.round(pressedAt - started));
    pressToDownload.push(Math.round(finished - pressedAt));
    // The same with the click dispatched in the page (no Playwright
    // actionability round trips): the part the page itself is responsible for.
    const again = page.waitForEvent("download");
    const direct = Date.now();
    await button.evaluate((b) => b.click());
    await again;
    inPage.push(Date.now() - direct);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const { rows, ms } of builds) console.log(`CSV built in the browser: ${rows} rows in ${ms.toFixed(2)} ms`);
  console.log(`click to download at 4x CPU throttle: ${clicks.map((ms) => `${ms} ms`).join(", ")} (worst ${Math.max(...clicks)} ms)`);
  console.log(`  of which Playwright's checks before the press reached the page: ${beforePress.map((ms) => `${ms} ms`).join(", ")}`);
  console.log(`  and from the press to the download: ${pressToDownload.map((ms) => `${ms} ms`).join(", ")} (worst ${Math.max(...pressToDownload)} ms)`);
  console.log(`the same, clicked from inside the page: ${inPage.map((ms) => `${ms} ms`).join(", ")} (worst ${Math.max(...inPage)} ms)`);
  console.log(`build median ${median(builds.map((b) => b.ms)).toFixed(2)} ms over ${builds.length} runs`);
} finally {
  await browser.close();
  stop();
}
