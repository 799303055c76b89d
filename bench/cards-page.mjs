// Times /classes/{id}/cards for Year 3 Hazel with 700 learners, every one
// with a QR badge, in Chromium at 4x CPU throttle (CDP
// Emulation.setCPUThrottlingRate), as issue #14 asks: measured, never
// asserted in a test.
//
//   bash bench/cards-page.sh
//
// Prints, for three loads: the time until the page is interactive
// (`data-hydrated`) and until all 700 QR codes are drawn.
import { launchChromium, signIn, startDemoServer } from "./browser.mjs";

const LEARNERS = 700;
const { url, stop } = await startDemoServer(LEARNERS);
const browser = await launchChromium();
try {
  // The office turns "Badge sign-in" on.
  const office = await (await browser.newContext()).newPage();
  await signIn(office, url, "OAK", "office", "oakwood-office-1");
  await office.goto(`${url}/settings`);
  await office.waitForSelector("body[data-hydrated]");
  await office.getByLabel("Badge sign-in").check();
  await office.getByRole("button", { name: "Save", exact: true }).click();
  await office.getByRole("status").filter({ hasText: "Saved" }).waitFor();

  // The teacher makes badges for the class.
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, url, "OAK", "teacher", "oakwood-teacher-1");
  await page.goto(`${url}/classes`);
  await page.waitForSelector("body[data-hydrated]");
  await page.getByRole("link", { name: "Year 3 Hazel" }).click();
  await page.getByRole("button", { name: "Create badges" }).click();
  await page.locator("p.notice").filter({ hasText: "Created" }).waitFor({ timeout: 60_000 });
  const cardsUrl = `${page.url().replace(/\/$/, "")}/cards`;

  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  const runs = [];
  for (let run = 0; run < 3; run++) {
    const started = Date.now();
    await page.goto(cardsUrl);
    await page.waitForSelector("body[data-hydrated]", { timeout: 120_000 });
    const hydrated = Date.now() - started;
    await page.waitForFunction(
      (n) => document.querySelectorAll('img[alt^="QR badge for "]').length === n,
      LEARNERS,
      { timeout: 120_000, polling: 50 },
    );
    runs.push({ hydrated, drawn: Date.now() - started });
  }
  for (const { hydrated, drawn } of runs) {
    console.log(`cards page, ${LEARNERS} learners, 4x CPU throttle: interactive after ${hydrated} ms, all QR codes drawn after ${drawn} ms`);
  }
} finally {
  await browser.close();
  stop();
}
