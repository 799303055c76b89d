// Times building the access-codes CSV for the whole school in Chromium
// (WebAssembly), as DESIGN.md asks: measured, never asserted in a test.
//
//   bash bench/csv-in-browser.sh
//
// Starts `classkeys serve --demo --learners-per-class 700` (2,100 rows for
// Oakwood) on a free port, signs in as the lead teacher, presses
// "Download CSV" five times and prints the time the page logged for each
// build. (The student database filter: bench/learner-table.sh.)
import { launchChromium, signIn, startDemoServer } from "./browser.mjs";

const { url, stop } = await startDemoServer(700);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ acceptDownloads: true });
  const timings = [];
  page.on("console", (message) => {
    const match = message.text().match(/CSV of (\d+) rows in ([\d.]+) ms/);
    if (match) timings.push({ rows: Number(match[1]), ms: Number(match[2]) });
  });
  await signIn(page, url, "OAK", "lead", "oakwood-lead-1");
  await page.goto(`${url}/school/accounts`);
  await page.waitForSelector("body[data-hydrated]");
  for (let run = 0; run < 5; run++) {
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download CSV" }).click();
    await download;
  }
  for (const { rows, ms } of timings) console.log(`CSV built in the browser: ${rows} rows in ${ms.toFixed(2)} ms`);
  const sorted = timings.map((t) => t.ms).sort((a, b) => a - b);
  console.log(`median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} ms over ${sorted.length} runs`);
} finally {
  await browser.close();
  stop();
}
