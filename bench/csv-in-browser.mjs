// Times building the access-codes CSV for the whole school in Chromium
// (WebAssembly), as DESIGN.md asks: measured, never asserted in a test.
//
//   bash bench/csv-in-browser.sh
//
// Starts `classkeys serve --demo --learners-per-class 700` (2,100 rows for
// Oakwood) on a free port, signs in as the lead teacher, presses
// "Download CSV" five times and prints the time the page logged for each
// build, then times the student database filter over the same learners.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(new URL("../end2end/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const data = mkdtempSync(join(tmpdir(), "classkeys-bench-"));
const server = spawn(process.env.CLASSKEYS_BIN, ["serve", "--demo", "--learners-per-class", "700"], {
  env: { ...process.env, CLASSKEYS_DATA: data, LEPTOS_SITE_ADDR: "127.0.0.1:0", RUST_LOG: "warn" },
  stdio: ["ignore", "pipe", "inherit"],
});
const url = await new Promise((resolve, reject) => {
  let seen = "";
  server.stdout.on("data", (chunk) => {
    seen += chunk;
    const match = seen.match(/listening on (http:\/\/\S+)/);
    if (match) resolve(match[1]);
  });
  server.on("exit", (code) => reject(new Error(`server exited ${code}`)));
});

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  const page = await browser.newPage({ acceptDownloads: true });
  const timings = [];
  page.on("console", (message) => {
    const match = message.text().match(/CSV of (\d+) rows in ([\d.]+) ms/);
    if (match) timings.push({ rows: Number(match[1]), ms: Number(match[2]) });
  });
  await page.goto(`${url}/login`);
  await page.waitForSelector("body[data-hydrated]");
  await page.getByLabel("School code").fill("OAK");
  await page.getByLabel("Username").fill("lead");
  await page.getByLabel("Password", { exact: true }).fill("oakwood-lead-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: /Welcome/ }).waitFor();
  await page.goto(`${url}/school/accounts`);
  await page.waitForSelector("body[data-hydrated]");
  for (let run = 0; run < 5; run++) {
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download CSV" }).click();
    await download;
  }
  // The student database filter over the same 2,100 learners: time from
  // typing to the next painted frame.
  await page.goto(`${url}/school/learners`);
  await page.waitForSelector("body[data-hydrated]");
  await page.getByText("Showing 2100 of 2100 learners").waitFor();
  for (const text of ["a", "am", "Year 4", "zzz", ""]) {
    const ms = await page.evaluate(async (value) => {
      const input = document.querySelector("#learner_filter");
      const started = performance.now();
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
      return performance.now() - started;
    }, text);
    const shown = await page.getByRole("status").first().textContent();
    console.log(`filter ${JSON.stringify(text)}: ${shown} after ${ms.toFixed(1)} ms`);
  }
  for (const { rows, ms } of timings) console.log(`CSV built in the browser: ${rows} rows in ${ms.toFixed(2)} ms`);
  const sorted = timings.map((t) => t.ms).sort((a, b) => a - b);
  console.log(`median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} ms over ${sorted.length} runs`);
} finally {
  await browser.close();
  server.kill("SIGTERM");
  rmSync(data, { recursive: true, force: true });
}
