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
// painted frame after it. Printed, never asserted.
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
} finally {
  await browser.close();
  stop();
}
