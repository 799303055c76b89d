// Times the learner tables on a tablet-like browser (issue #10 scale,
// issue #11): Chromium with 4x CPU throttling (CDP
// Emulation.setCPUThrottlingRate), the release server with 3 classes of
// 1,000 learners (3,000 in the school).
//
//   bash bench/learner-table.sh
//
// For `/school/learners` and for a 1,000-learner class page: the time from
// navigation to the table's status line, and for each keystroke of typing
// "ami" and deleting it again, the time from the input event to the second
// painted frame after it. For `/school/accounts` and that class's access
// codes: the time from pressing "Show access codes" (the codes already
// loaded) to the second painted frame after the table's first row. Printed,
// never asserted.
import { launchChromium, signIn, startDemoServer } from "./browser.mjs";

const PER_CLASS = Number(process.env.LEARNERS_PER_CLASS ?? 1000);
const { url, stop } = await startDemoServer(PER_CLASS);
const browser = await launchChromium();

async function keystrokes(page) {
  const times = [];
  for (const text of ["a", "am", "ami", "am", "a", ""]) {
    times.push(
      await page.evaluate(async (value) => {
        const input = document.querySelector("#learner_filter");
        const started = performance.now();
        input.value = value;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
        return performance.now() - started;
      }, text),
    );
  }
  return times;
}

async function opening(page, path, status) {
  const started = Date.now();
  await page.goto(`${url}${path}`);
  await page.waitForSelector("body[data-hydrated]");
  await page.getByText(status).waitFor({ timeout: 60_000 });
  return Date.now() - started;
}

try {
  const context = await browser.newContext({ viewport: { width: 768, height: 1024 } });
  const page = await context.newPage();
  await signIn(page, url, "OAK", "lead", "oakwood-lead-1");
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });

  const total = 3 * PER_CLASS;
  for (let run = 1; run <= 3; run++) {
    const open = await opening(page, "/school/learners", `Showing ${total} of ${total} learners`);
    const keys = await keystrokes(page);
    console.log(`/school/learners (${total} learners), run ${run}: open ${open} ms; keystrokes ${keys.map((t) => t.toFixed(0)).join(", ")} ms; worst ${Math.max(...keys).toFixed(0)} ms`);
  }
  await page.goto(`${url}/classes`);
  await page.waitForSelector("body[data-hydrated]");
  const href = await page.getByRole("link", { name: "Year 3 Hazel" }).getAttribute("href");
  for (let run = 1; run <= 3; run++) {
    const open = await opening(page, href, `Showing ${PER_CLASS} of ${PER_CLASS} learners`);
    const keys = await keystrokes(page);
    console.log(`class page (${PER_CLASS} learners), run ${run}: open ${open} ms; keystrokes ${keys.map((t) => t.toFixed(0)).join(", ")} ms; worst ${Math.max(...keys).toFixed(0)} ms`);
  }
  // The access codes: the time from pressing "Show access codes" to the
  // table's first row painted, for the whole school and for the class.
  for (const [label, path, count] of [
    [`/school/accounts (${total} learners)`, "/school/accounts", total],
    [`class access codes (${PER_CLASS} learners)`, `${href}/accounts`, PER_CLASS],
  ]) {
    for (let run = 1; run <= 3; run++) {
      await page.goto(`${url}${path}`);
      await page.waitForSelector("body[data-hydrated]");
      // Loaded in the background as the page opens; wait for it, so the
      // figure is the table's own.
      await page.waitForFunction(() => !document.querySelector("[aria-busy=true]"));
      const show = await page.evaluate(async () => {
        const started = performance.now();
        const button = [...document.querySelectorAll("button")].find((b) => b.textContent === "Show access codes");
        button.click();
        while (!document.querySelector("table.access-codes tbody tr")) {
          await new Promise((done) => requestAnimationFrame(done));
        }
        await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
        return performance.now() - started;
      });
      const rows = await page.locator("table.access-codes tbody tr").count();
      console.log(`${label}, run ${run}: show ${show.toFixed(0)} ms; ${rows} rows in the page of ${count}`);
    }
  }
} finally {
  await browser.close();
  stop();
}
